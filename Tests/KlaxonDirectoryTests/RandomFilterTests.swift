import Testing
@testable import KlaxonDirectory
import KlaxonTestSupport
import SCIM

/// Seeded random filters over the translator's tricky corpus: whatever the grammar allows, the directory selects
/// exactly what ``FilterEvaluator`` selects, or both refuse the filter. The hand-written cases in
/// ``SQLFilterTranslatorTests`` cover what we thought of; these cover the combinations we did not.
@Suite struct RandomFilterTests {
    /// SplitMix64: a seeded source, so that a failure names a filter that reproduces.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let attributes = [
        "userName", "displayName", "externalId", "title", "active", "name.givenName", "emails", "emails.value",
        "emails.type", "emails.primary", #"emails[type eq "work"].value"#, "nickName",
    ]
    static let operators = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
    /// Values from the corpus in other cases and pieces, metacharacters, non-ASCII spellings and other types.
    static let values = [
        #""bjensen""#, #""BJENSEN""#, #""b""#, #""JEN""#, #""n""#, #""%""#, #""_""#, #""\\""#, #""*""#, #""?""#, #""[""#,
        #""' OR 1=1 --""#, #""émile""#, #""ÉMILE""#, #""rene\u0301e""#, #""renée""#, #""Ærø""#, #""example.com""#,
        #""WORK""#, #""home""#, #""EXT-1""#, #""ext-1""#, #""a*b""#, #""""#, #""Boss""#, #""c""#, #""z""#, "true", "false",
        "null", "5", "-1.5",
    ]

    static func filter(_ random: inout Seeded, depth: Int = 0) -> String {
        let roll = Int.random(in: 0..<100, using: &random)
        if depth >= 3 || roll < 50 {
            let attribute = attributes.randomElement(using: &random)!
            if Int.random(in: 0..<10, using: &random) == 0 { return "\(attribute) pr" }
            return "\(attribute) \(operators.randomElement(using: &random)!) \(values.randomElement(using: &random)!)"
        }
        if roll < 60 { return "not (\(filter(&random, depth: depth + 1)))" }
        if roll < 70 {
            let inner = ["value", "type", "primary"].randomElement(using: &random)!
            return "emails[\(inner) \(operators.randomElement(using: &random)!) \(values.randomElement(using: &random)!)]"
        }
        let joiner = ["and", "or"].randomElement(using: &random)!
        return "(\(filter(&random, depth: depth + 1)) \(joiner) \(filter(&random, depth: depth + 1)))"
    }

    @Test(.timeLimit(.minutes(2)), arguments: TestBackend.available)
    func randomFiltersSelectWhatTheEvaluatorSelects(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let corpus = try await SQLFilterTranslatorTests.Corpus.make(in: directory)
            let schema = directory.schema(for: .user)
            let everything = try await directory.queryResources(.user, in: corpus.org, ResourceQuery(count: 1000)).resources
            var random = Seeded(state: 20261129)
            var compared = 0
            var matched = 0
            for _ in 0..<400 {
                let text = Self.filter(&random)
                guard let filter = try? Filter(parsing: text, in: schema) else { continue }
                let expected: [String]?
                if let evaluator = try? FilterEvaluator(filter, for: schema) {
                    expected = everything.filter { evaluator.matches($0.object) }.map(\.id)
                } else {
                    expected = nil
                }
                let actual: [String]?
                do {
                    actual = try await directory.queryResources(.user, in: corpus.org, ResourceQuery(filter: filter, count: 1000)).resources.map(\.id)
                } catch is SCIMError {
                    actual = nil
                }
                #expect(actual == expected, "\(text)")
                compared += 1
                if let expected, !expected.isEmpty { matched += 1 }
            }
            // The generator is worth something only if most filters parse and many match someone.
            #expect(compared > 300 && matched > 100, "\(compared) compared, \(matched) matched")
        }
    }
}
