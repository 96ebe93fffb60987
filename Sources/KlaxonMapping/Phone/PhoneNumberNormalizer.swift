/// Turns a phone number as people type it into E.164 for delivery, validated against real numbering plans.
///
/// Identity platforms send numbers as whoever entered them typed them: `+44 20 7946 0958`, `020 7946 0958`,
/// `(425) 555-0100`, `0044 20 7946 0958`, `+1-425-555-0100 ext. 123`, `tel:+1-425-555-0100`. Parsing follows
/// Google's libphonenumber (whose metadata `NumberingPlanData.swift` holds): a leading `+` or the default region's
/// international prefix (`00`, `011`) introduces the country calling code; anything else is national format in
/// the default region, whose national prefix (`0`, `1`) is dropped. Extensions are dropped too (a call cannot
/// dial them). Unlike libphonenumber, letters are refused rather than read as a vanity number's keypad digits.
///
/// Error messages never repeat the number, so they are safe to log for a redacted attribute.
///
/// ```swift
/// let normalizer = try PhoneNumberNormalizer(defaultRegion: "GB")
/// normalizer.e164("020 7946 0958")        // .success("+442079460958")
/// normalizer.e164("+1 (425) 555-0100")    // .success("+14255550100")
/// normalizer.e164("020 794")              // .failure: kind .tooShort, possibleLengths [7, 9, 10]
/// ```
public struct PhoneNumberNormalizer: Sendable {
    /// The ISO 3166-1 alpha-2 region, upper case, used for numbers written without a country code.
    public let defaultRegion: String?
    private let defaultPlan: RegionPlan?

    /// Every region code `init(defaultRegion:)` accepts, sorted.
    public static var supportedRegions: [String] { NumberingPlan.regionCodes }

    /// `defaultRegion`: ISO 3166-1 alpha-2 region (either case) used for numbers written without a country code;
    /// nil if every number must carry one. Throws `.unknownRegion` for a code without a numbering plan.
    public init(defaultRegion: String?) throws(PhoneNumberError) {
        guard let defaultRegion else {
            self.defaultRegion = nil
            defaultPlan = nil
            return
        }
        let code = defaultRegion.uppercased()
        guard code.utf8.count == 2, let plan = NumberingPlan.plan(forRegion: code) else {
            throw PhoneNumberError(
                .unknownRegion,
                "\"\(defaultRegion)\" is not an ISO 3166-1 alpha-2 region with a numbering plan "
                    + "(for example GB, US, DE)"
            )
        }
        self.defaultRegion = code
        defaultPlan = plan
    }

    /// The number in E.164 (`+442079460958`), or why it cannot be one.
    public func e164(_ text: String) -> Result<String, PhoneNumberError> {
        do {
            return .success(try normalize(text))
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Parsing

    /// A number split at its country calling code.
    private struct Split {
        /// The main region's plan of the country calling code: it decides the possible lengths.
        let plan: RegionPlan
        /// The digits after the country code.
        let number: [UInt8]
        /// The plan whose national prefix `number` may start with: the default region's for national format.
        let prefixPlan: RegionPlan
    }

    private func normalize(_ text: String) throws(PhoneNumberError) -> String {
        let (digits, hasPlus) = try PhoneNumberText.read(text)
        let split = try splitCountryCode(digits, hasPlus: hasPlus)
        let plan = split.plan
        var national = split.number
        guard national.count >= 2 else { throw lengthError(.tooShort, national, plan) }
        // Drop the national prefix only if what remains can still be a whole number of the region.
        if let stripped = split.prefixPlan.stripNationalPrefix(national) {
            switch split.prefixPlan.checkLength(of: stripped) {
            case .tooShort, .localOnly, .invalidLength: break
            case .possible, .tooLong: national = stripped
            }
        }
        let lengthCheck = plan.checkLength(of: national)
        guard lengthCheck == .possible else { throw lengthError(lengthCheck, national, plan) }
        guard NumberingPlan.validRegion(for: national, countryCode: plan.countryCode) != nil else {
            let regions = NumberingPlan.regions(forCountryCode: plan.countryCode)
            let place = regions.count == 1
                ? "\(Self.regionName(plan)) (+\(plan.countryCode))"
                : "any region of +\(plan.countryCode) (\(regions.joined(separator: ", ")))"
            throw PhoneNumberError(
                .invalidNumber,
                "not a valid number for \(place): its digits are in none of the number ranges in use there",
                region: plan.region
            )
        }
        return "+\(plan.countryCode)" + String(decoding: national, as: UTF8.self)
    }

    private func splitCountryCode(_ digits: [UInt8], hasPlus: Bool) throws(PhoneNumberError) -> Split {
        if hasPlus {
            guard digits.count > 2 else {
                throw PhoneNumberError(.tooShort, "too few digits after the + sign to be a phone number")
            }
            if let (plan, rest) = NumberingPlan.splitCountryCode(digits) {
                return Split(plan: plan, number: rest, prefixPlan: plan)
            }
            // libphonenumber reads "+0044 …" as if the + were not there, in the default region.
            if let defaultPlan, let split = try splitCountryCode(inNationalFormat: digits, defaultPlan) {
                return split
            }
            throw invalidCountryCode(after: "the + sign")
        }
        guard let defaultPlan else {
            throw PhoneNumberError(
                .missingDefaultRegion,
                "the number has no country code and no default region is configured to read it in national format: "
                    + "write it with + and the country code"
            )
        }
        if let split = try splitCountryCode(inNationalFormat: digits, defaultPlan) { return split }
        let main = NumberingPlan.mainPlan(forCountryCode: defaultPlan.countryCode) ?? defaultPlan
        return Split(plan: main, number: digits, prefixPlan: defaultPlan)
    }

    /// A country code in a number without `+`: after the region's international prefix (`0044 …` in GB), or the
    /// region's own code written without `+` (`44 20 7946 0958` in GB) when the number only fits the plan that
    /// way. Nil if the number is in national format.
    private func splitCountryCode(
        inNationalFormat digits: [UInt8], _ plan: RegionPlan
    ) throws(PhoneNumberError) -> Split? {
        if let afterPrefix = plan.stripInternationalPrefix(digits) {
            guard afterPrefix.count > 2 else {
                throw PhoneNumberError(
                    .tooShort, "too few digits after the international prefix to be a phone number", region: plan.region
                )
            }
            guard let (main, rest) = NumberingPlan.splitCountryCode(afterPrefix) else {
                throw invalidCountryCode(after: "the international prefix of \(Self.regionName(plan))")
            }
            return Split(plan: main, number: rest, prefixPlan: main)
        }
        let ownCode = Array(String(plan.countryCode).utf8)
        guard digits.starts(with: ownCode), let main = NumberingPlan.mainPlan(forCountryCode: plan.countryCode) else {
            return nil
        }
        let rest = Array(digits[ownCode.count...])
        let potential = plan.stripNationalPrefix(rest) ?? rest
        let fitsOnlyWithoutCode = !plan.generalPattern.matchesWhole(digits)
            && plan.generalPattern.matchesWhole(potential)
        guard fitsOnlyWithoutCode || plan.checkLength(of: digits) == .tooLong else { return nil }
        return Split(plan: main, number: potential, prefixPlan: main)
    }

    // MARK: - Errors

    private func invalidCountryCode(after what: String) -> PhoneNumberError {
        PhoneNumberError(
            .invalidCountryCode,
            "the digits after \(what) do not start with an assigned country calling code (such as 44 or 1)",
            region: defaultRegion
        )
    }

    private func lengthError(
        _ check: RegionPlan.LengthCheck, _ number: [UInt8], _ plan: RegionPlan
    ) -> PhoneNumberError {
        let place = "\(Self.regionName(plan)) (+\(plan.countryCode))"
        let lengths = Self.list(plan.possibleLengths)
        let kind: PhoneNumberError.Kind
        let message: String
        switch check {
        case .localOnly:
            kind = .tooShort
            message = "a local number without its area code: \(place) numbers have \(lengths) digits"
        case .tooShort:
            kind = .tooShort
            message = "too short for \(place): \(number.count) digits where numbers there have \(lengths)"
        case .tooLong:
            kind = .tooLong
            message = "too long for \(place): \(number.count) digits where numbers there have \(lengths)"
        case .invalidLength, .possible:
            kind = .invalidLength
            message = "\(place) numbers have \(lengths) digits, not \(number.count)"
        }
        return PhoneNumberError(kind, message, region: plan.region, possibleLengths: plan.possibleLengths)
    }

    private static func regionName(_ plan: RegionPlan) -> String {
        plan.region == "001" ? "the international service" : plan.region
    }

    /// "7, 9 or 10".
    private static func list(_ values: [Int]) -> String {
        let words = values.map(String.init)
        guard let last = words.last, words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }
}
