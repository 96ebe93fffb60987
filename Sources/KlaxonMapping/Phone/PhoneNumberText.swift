/// Reads the digits out of a phone number as typed, the way libphonenumber does, but refusing letters.
///
/// Text before the first digit or `+` (`Mobile: `, `tel:`) and punctuation after the last are dropped; spaces,
/// dots, dashes, slashes, brackets and parentheses (ASCII, full-width and typographic) separate digits; digits of
/// any script count; an extension at the end (`ext. 123`, `x123`, `#123`, `,,123`, `;ext=123`) is dropped; and an
/// RFC 3966 URI (`tel:863-1234;phone-context=+1-425`) is read with its context.
///
/// ```swift
/// try PhoneNumberText.read("+1 (425) 555-0100 ext. 7")   // (digits: "14255550100" as bytes, hasPlus: true)
/// ```
enum PhoneNumberText {
    /// libphonenumber's bound on input, which also bounds the work done on garbage.
    static let maximumLength = 250

    /// The number's ASCII digits and whether a `+` came before them.
    static func read(_ text: String) throws(PhoneNumberError) -> (digits: [UInt8], hasPlus: Bool) {
        var symbols: [UInt8] = []
        symbols.reserveCapacity(text.utf8.count)
        var onlyWhitespace = true
        for scalar in text.unicodeScalars {
            guard symbols.count < maximumLength else {
                throw PhoneNumberError(.notANumber, "longer than \(maximumLength) characters: not a phone number")
            }
            let symbol = Symbol.of(scalar)
            if symbol != Symbol.separator || !scalar.properties.isWhitespace { onlyWhitespace = false }
            symbols.append(symbol)
        }
        if onlyWhitespace { throw PhoneNumberError(.empty, "the phone number is empty") }

        var number = try isTelURI(symbols) ? telURINumber(symbols) : possibleNumber(symbols)
        if let start = extensionStart(number) { number.removeSubrange(start...) }
        return try digits(of: number)
    }

    // MARK: - Symbols

    /// Every input scalar reduced to one ASCII byte: digits (of any script) to `0`…`9`, letters to lower case
    /// (`L` for letters outside ASCII), separators to a space, slashes to `/`, and `~`, `+`, `#`, `,`, `;`, `:`,
    /// `=` to themselves (they can mark an extension or an RFC 3966 parameter); anything else to `?`.
    enum Symbol {
        static let separator = UInt8(ascii: " ")
        static let slash = UInt8(ascii: "/")
        /// Punctuation between digits, but also an extension marker ("~123", a dialler's wait).
        static let tilde = UInt8(ascii: "~")
        static let otherLetter = UInt8(ascii: "L")
        static let other = UInt8(ascii: "?")

        static func of(_ scalar: Unicode.Scalar) -> UInt8 {
            var value = scalar.value
            // Full-width forms of ASCII (＋, （, ０, ｘ) as ASCII.
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if value < 0x80 {
                let byte = UInt8(value)
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                    return byte
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    return byte + 32
                case UInt8(ascii: "+"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"),
                    UInt8(ascii: "="), tilde:
                    return byte
                case UInt8(ascii: " "), 0x09...0x0D, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
                    UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"):
                    return separator
                case UInt8(ascii: "/"), UInt8(ascii: "\\"):
                    return slash
                default:
                    return other
                }
            }
            let properties = scalar.properties
            if properties.numericType == .decimal, let digit = properties.numericValue, (0...9).contains(digit) {
                return UInt8(ascii: "0") + UInt8(digit)
            }
            switch value {
            case 0x00AD, 0x200B, 0x2060, 0xFEFF,  // soft hyphen, zero-width space, word joiner, byte-order mark
                0x2010...0x2015, 0x2212, 0x30FC,  // hyphens and dashes, minus, katakana prolonged sound mark
                0x2053, 0x223C,  // swung dash, tilde operator
                0x3010, 0x3011:  // CJK brackets
                return separator
            default:
                if properties.isWhitespace { return separator }
                return properties.isAlphabetic ? otherLetter : other
            }
        }

        static func isDigit(_ symbol: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(symbol) }

        static func isLetter(_ symbol: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(symbol) || symbol == otherLetter
        }
    }

    // MARK: - Finding the number

    private static func isTelURI(_ symbols: [UInt8]) -> Bool {
        let start = symbols.firstIndex { $0 != Symbol.separator } ?? symbols.endIndex
        return symbols[start...].starts(with: "tel:".utf8)
    }

    /// RFC 3966: the part before the first `;`, after the `phone-context` if that is a global number prefix.
    private static func telURINumber(_ symbols: [UInt8]) throws(PhoneNumberError) -> [UInt8] {
        let start = symbols.firstIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? symbols.endIndex
        let parts = symbols[start...].split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        var number = Array(parts.first ?? [])
        for parameter in parts.dropFirst() {
            // The dash of "phone-context" reads as a separator, like every dash.
            let compact = parameter.filter { $0 != Symbol.separator }
            guard compact.starts(with: "phonecontext=".utf8) else { continue }
            let context = compact.dropFirst("phonecontext=".utf8.count)
            guard let first = context.first else {
                throw PhoneNumberError(.notANumber, "the tel: URI has an empty phone-context")
            }
            // A domain name as context says nothing about the country code; a "+1-425" context starts the number.
            if first == UInt8(ascii: "+") { number = Array(context) + number }
        }
        return number
    }

    /// libphonenumber's `extractPossibleNumber`: from the first digit or `+`, without trailing punctuation, and
    /// without a second number after `/x`.
    private static func possibleNumber(_ symbols: [UInt8]) throws(PhoneNumberError) -> [UInt8] {
        guard let start = symbols.firstIndex(where: { Symbol.isDigit($0) || $0 == UInt8(ascii: "+") }) else {
            throw PhoneNumberError(.notANumber, "not a phone number: it contains no digits")
        }
        var end = symbols.endIndex
        while end > start, !(Symbol.isDigit(symbols[end - 1]) || Symbol.isLetter(symbols[end - 1])
            || symbols[end - 1] == UInt8(ascii: "#")) {
            end -= 1
        }
        var index = start
        while index < end {
            if symbols[index] == Symbol.slash {
                var next = index + 1
                while next < end, symbols[next] == Symbol.separator { next += 1 }
                if next < end, symbols[next] == UInt8(ascii: "x") {
                    end = index
                    break
                }
            }
            index += 1
        }
        return Array(symbols[start..<end])
    }

    /// Where an extension at the end of `number` begins (its marker, or the separators before its digits), if
    /// it has one and enough of a number comes before it. libphonenumber's extension patterns, with dots and
    /// dashes already read as spaces: a word (`ext`, `extn`, `extension`, `x`, `int`, `anexo`, …), `#`, `;`, or
    /// `~`, commas, then digits and an optional `#`; or digits ending in `#` after a space (`- 123#`).
    private static func extensionStart(_ number: [UInt8]) -> Int? {
        var index = number.endIndex
        let endsWithHash = index > 0 && number[index - 1] == UInt8(ascii: "#")
        if endsWithHash { index -= 1 }
        let digitsEnd = index
        while index > 0, Symbol.isDigit(number[index - 1]) { index -= 1 }
        let digitCount = digitsEnd - index
        guard digitCount > 0 else { return nil }
        // Between marker and digits: separators, commas and at most one colon.
        var gapStart = index
        var commas = 0
        var colons = 0
        scan: while gapStart > 0 {
            switch number[gapStart - 1] {
            case Symbol.separator: break
            case UInt8(ascii: ","): commas += 1
            case UInt8(ascii: ":") where colons == 0: colons += 1
            default: break scan
            }
            gapStart -= 1
        }
        var wordStart = gapStart
        while wordStart > 0, Symbol.isLetter(number[wordStart - 1]) { wordStart -= 1 }
        let word = String(decoding: number[wordStart..<gapStart], as: UTF8.self)

        var start: Int
        let maximumDigits: Int
        if ["ext", "extn", "xt", "xtn", "extension", "extensin", "anexo"].contains(word) {
            (start, maximumDigits) = (wordStart, 20)
        } else if word == "x" || word == "int" {
            (start, maximumDigits) = (wordStart, 9)
        } else if !word.isEmpty {
            return nil
        } else if gapStart > 0, number[gapStart - 1] == UInt8(ascii: "#") || number[gapStart - 1] == Symbol.tilde {
            (start, maximumDigits) = (gapStart - 1, 9)
        } else if gapStart > 0, number[gapStart - 1] == UInt8(ascii: ";") {
            (start, maximumDigits) = (gapStart - 1, 15)
        } else if gapStart >= 5, number[(gapStart - 5)..<gapStart].elementsEqual(";ext=".utf8) {
            (start, maximumDigits) = (gapStart - 5, 20)
        } else if commas >= 2 {
            (start, maximumDigits) = (gapStart, 15)
        } else if commas == 1 {
            (start, maximumDigits) = (gapStart, 9)
        } else if endsWithHash, gapStart < index, colons == 0 {
            (start, maximumDigits) = (gapStart, 6)
        } else {
            return nil
        }
        guard digitCount <= maximumDigits else { return nil }
        while start > 0, number[start - 1] == Symbol.separator || number[start - 1] == UInt8(ascii: ",") { start -= 1 }
        // The part before must look like a number, or this was no extension: libphonenumber asks for three
        // digits, or two and nothing else.
        let before = number[..<start]
        let digitsBefore = before.lazy.filter(Symbol.isDigit).count
        return digitsBefore >= 3 || (digitsBefore == 2 && before.count == 2) ? start : nil
    }

    // MARK: - Digits

    private static func digits(of number: [UInt8]) throws(PhoneNumberError) -> (digits: [UInt8], hasPlus: Bool) {
        var digits: [UInt8] = []
        digits.reserveCapacity(number.count)
        var hasPlus = false
        for symbol in number {
            switch symbol {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(symbol)
            case UInt8(ascii: "+") where digits.isEmpty:
                hasPlus = true
            case Symbol.separator, Symbol.slash, Symbol.tilde:
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), Symbol.otherLetter:
                throw PhoneNumberError(
                    .notANumber,
                    "not a phone number: it contains letters (write vanity numbers such as 1-800-FLOWERS as digits)"
                )
            case UInt8(ascii: "+"):
                throw PhoneNumberError(.notANumber, "not a phone number: a + sign can only come first")
            default:
                throw PhoneNumberError(
                    .notANumber, "not a phone number: it contains symbols other than digits, spaces and punctuation"
                )
            }
        }
        guard digits.count >= 2 else {
            throw PhoneNumberError(.notANumber, "not a phone number: it has fewer than two digits")
        }
        return (digits, hasPlus)
    }
}
