import Foundation
import SCIM
import Testing

@Suite struct KlaxonLocationNameTests {
    @Test(arguments: [
        ("  New   York ", "new york"),
        ("LEEDS", "leeds"),
        ("St.\tAlbans\r\n", "st. albans"),
        ("", ""),
        (" \t ", ""),
        ("Zürich", "zürich"),
        ("Zu\u{308}rich", "zürich"),  // decomposed ü: the same key as the composed one
        ("İstanbul  Merkez", "i̇stanbul merkez"),
    ])
    func matchKey(name: String, key: String) {
        #expect(KlaxonLocationName.matchKey(name) == key)
    }

    /// The ASCII fast path gives exactly the key the definition gives (lower-case, white space collapsed, NFC).
    @Test func asciiNamesGetTheDefinitionsKey() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ mN\t\n\r\u{0B}\u{0C}-.'0_".unicodeScalars)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let name = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
            let definition = name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ").precomposedStringWithCanonicalMapping
            #expect(KlaxonLocationName.matchKey(name) == definition, "\(name.debugDescription)")
        }
    }
}
