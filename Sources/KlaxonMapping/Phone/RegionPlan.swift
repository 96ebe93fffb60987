/// One region's numbering plan from libphonenumber's metadata, its patterns compiled when the plan is first used.
///
/// Digits are handled as ASCII bytes (`"0"`…`"9"`), the form the normaliser builds while reading its input.
final class RegionPlan: Sendable {
    /// How a national significant number's length compares with the region's possible lengths.
    enum LengthCheck: Equatable {
        case possible
        /// Diallable only within an area (a subscriber number without its area code).
        case localOnly
        case tooShort
        case tooLong
        /// Between the shortest and longest possible lengths, but not one of them.
        case invalidLength
    }

    /// The ISO 3166-1 alpha-2 code, or "001" for a non-geographic entity such as +800.
    let region: String
    let countryCode: Int
    /// What callers in this region dial before a country code (`00`, `011`, …).
    let internationalPrefix: NumberPattern?
    /// The national (trunk) prefix and carrier codes that may start a national-format number.
    let nationalPrefixForParsing: NumberPattern?
    /// How a match of `nationalPrefixForParsing` is rewritten: literal digits and capture-group references.
    let nationalPrefixTransformRule: [TransformPart]?
    /// For a region sharing its country code: the leading digits that place a number in this region.
    let leadingDigits: NumberPattern?
    let possibleLengths: [Int]
    let localOnlyLengths: [Int]
    /// The general description: every number of the region matches it.
    let generalPattern: NumberPattern
    /// The union of the number types (fixed line, mobile, toll free, …): a number is valid if it matches.
    let validPattern: NumberPattern

    enum TransformPart: Sendable, Equatable {
        case digits([UInt8])
        case group(Int)
    }

    init(
        region: String, countryCode: Int, internationalPrefix: String?, nationalPrefixForParsing: String?,
        nationalPrefixTransformRule: String?, leadingDigits: String?, possibleLengths: [Int],
        localOnlyLengths: [Int], generalPattern: String, validPattern: String
    ) {
        self.region = region
        self.countryCode = countryCode
        self.internationalPrefix = internationalPrefix.map(NumberPattern.init)
        self.nationalPrefixForParsing = nationalPrefixForParsing.map(NumberPattern.init)
        self.nationalPrefixTransformRule = nationalPrefixTransformRule.map(Self.parseTransformRule)
        self.leadingDigits = leadingDigits.map(NumberPattern.init)
        self.possibleLengths = possibleLengths
        self.localOnlyLengths = localOnlyLengths
        self.generalPattern = NumberPattern(generalPattern)
        self.validPattern = NumberPattern(validPattern)
    }

    /// libphonenumber's `testNumberLength` against the general description.
    func checkLength(of number: [UInt8]) -> LengthCheck {
        let length = number.count
        if localOnlyLengths.contains(length) { return .localOnly }
        guard let shortest = possibleLengths.first, let longest = possibleLengths.last else { return .invalidLength }
        if length < shortest { return .tooShort }
        if length > longest { return .tooLong }
        return possibleLengths.contains(length) ? .possible : .invalidLength
    }

    /// True if `number` (a national significant number) is a valid number of this region.
    func isValid(_ number: [UInt8]) -> Bool {
        possibleLengths.contains(number.count) && generalPattern.matchesWhole(number)
            && validPattern.matchesWhole(number)
    }

    /// The digits after this region's international prefix, if `digits` start with one that is not followed by
    /// a `0` (country codes never start with 0, so `0011…` in a `00` region is not an international number).
    func stripInternationalPrefix(_ digits: [UInt8]) -> [UInt8]? {
        guard let match = internationalPrefix?.prefixMatch(digits) else { return nil }
        if match.length < digits.count, digits[match.length] == UInt8(ascii: "0") { return nil }
        return Array(digits[match.length...])
    }

    /// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: the number without its national prefix (or as
    /// the transform rule rewrites it), or nil if there is none or removing it would spoil a number that fitted
    /// the general description with it.
    func stripNationalPrefix(_ number: [UInt8]) -> [UInt8]? {
        guard !number.isEmpty, let match = nationalPrefixForParsing?.prefixMatch(number) else { return nil }
        let originalFits = generalPattern.matchesWhole(number)
        let result: [UInt8]
        if let rule = nationalPrefixTransformRule, let last = match.groups.last, last != nil {
            result = rule.flatMap { part -> [UInt8] in
                switch part {
                case .digits(let digits):
                    return digits
                case .group(let index):
                    guard index >= 1, index <= match.groups.count, let range = match.groups[index - 1] else {
                        return []
                    }
                    return Array(number[range])
                }
            } + number[match.length...]
        } else {
            result = Array(number[match.length...])
        }
        if originalFits && !generalPattern.matchesWhole(result) { return nil }
        return result
    }

    /// Splits a rule such as `9$1` into literal digits and group references.
    private static func parseTransformRule(_ rule: String) -> [TransformPart] {
        var parts: [TransformPart] = []
        var literal: [UInt8] = []
        var bytes = rule.utf8.makeIterator()
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "$"), let group = bytes.next() {
                if !literal.isEmpty { parts.append(.digits(literal)) }
                literal = []
                parts.append(.group(Int(group &- UInt8(ascii: "0"))))
            } else {
                literal.append(byte)
            }
        }
        if !literal.isEmpty { parts.append(.digits(literal)) }
        return parts
    }
}
