/// The world's numbering plans, generated from libphonenumber's metadata into `NumberingPlanData.swift`.
///
/// Each region's plan is a lazily initialised static, so its patterns are compiled once, on first use, and never
/// for regions no number touches. Lookups by country calling code are integer switches (no allocation), which
/// keeps normalisation fast.
enum NumberingPlan {
    /// The main region's plan for `countryCode` (the US for +1, GB for +44), or nil for an unassigned code.
    static func mainPlan(forCountryCode countryCode: Int) -> RegionPlan? {
        plan(forCountryCode: countryCode, at: 0)
    }

    /// The main plan of the country calling code that `digits` start with and the digits after the code,
    /// libphonenumber's way: the shortest prefix of one to three digits that is an assigned code wins. Nil if none.
    static func splitCountryCode(_ digits: [UInt8]) -> (plan: RegionPlan, rest: [UInt8])? {
        guard let first = digits.first, first != UInt8(ascii: "0") else { return nil }
        var code = 0
        for length in 1...min(3, digits.count) {
            code = code * 10 + Int(digits[length - 1] &- UInt8(ascii: "0"))
            if let plan = mainPlan(forCountryCode: code) { return (plan, Array(digits[length...])) }
        }
        return nil
    }

    /// The region a national significant number belongs to among the regions sharing `countryCode`, if it is a
    /// valid number of one of them (libphonenumber's `isValidNumber`): a region with leading digits claims the
    /// numbers that start with them; any other region claims the numbers valid for it.
    static func validRegion(for number: [UInt8], countryCode: Int) -> RegionPlan? {
        var index = 0
        while let plan = plan(forCountryCode: countryCode, at: index) {
            index += 1
            if let leadingDigits = plan.leadingDigits {
                if leadingDigits.prefixMatch(number) != nil { return plan.isValid(number) ? plan : nil }
            } else if plan.isValid(number) {
                return plan
            }
        }
        return nil
    }

    /// The regions sharing `countryCode`, main region first.
    static func regions(forCountryCode countryCode: Int) -> [String] {
        var regions: [String] = []
        while let plan = plan(forCountryCode: countryCode, at: regions.count) { regions.append(plan.region) }
        return regions
    }
}
