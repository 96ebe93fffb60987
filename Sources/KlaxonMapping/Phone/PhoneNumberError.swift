/// Why a phone number could not be normalised to E.164, as a kind to branch on and a message for people.
///
/// ```swift
/// if case .failure(let error) = normalizer.e164("020 794") {   // default region GB
///     error.kind              // .tooShort
///     error.region            // "GB"
///     error.possibleLengths   // [7, 9, 10]
///     error.description       // "a local number without its area code: GB (+44) numbers have 7, 9 or 10 digits"
/// }
/// ```
public struct PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Nothing but white space.
        case empty
        /// Not a phone number: no digits, letters (vanity numbers such as 1-800-FLOWERS), or other symbols.
        case notANumber
        /// A default region that is not an ISO 3166-1 alpha-2 code with a numbering plan.
        case unknownRegion
        /// `+` or an international prefix followed by digits that start no assigned country calling code.
        case invalidCountryCode
        /// A national-format number, but the normaliser has no default region to read it in.
        case missingDefaultRegion
        /// Fewer digits than any number of the region (or only a local number, without its area code).
        case tooShort
        /// More digits than any number of the region.
        case tooLong
        /// A length between the region's shortest and longest that no number of the region has.
        case invalidLength
        /// A possible length, but the digits match none of the region's number ranges.
        case invalidNumber
    }

    public let kind: Kind
    /// The region whose numbering plan decided (for a shared country code, its main region), when one did.
    public let region: String?
    /// The region's possible national number lengths, for the three length kinds; empty otherwise.
    public let possibleLengths: [Int]
    /// A sentence for the person who entered the number, naming the input and what to change.
    public let message: String

    public var description: String { message }

    init(_ kind: Kind, _ message: String, region: String? = nil, possibleLengths: [Int] = []) {
        self.kind = kind
        self.region = region
        self.possibleLengths = possibleLengths
        self.message = message
    }
}
