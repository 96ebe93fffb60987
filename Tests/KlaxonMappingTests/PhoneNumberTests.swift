import Testing
@testable import KlaxonMapping

@Suite struct PhoneNumberTests {
    private func e164(_ text: String, region: String?) throws -> String {
        try PhoneNumberNormalizer(defaultRegion: region).e164(text).get()
    }

    private func failure(_ text: String, region: String?) throws -> PhoneNumberError? {
        guard case .failure(let error) = try PhoneNumberNormalizer(defaultRegion: region).e164(text) else {
            Issue.record("\(text) normalised, but should have failed")
            return nil
        }
        return error
    }

    /// Expected values recorded with the Python `phonenumbers` package 9.0.43 (Google's libphonenumber metadata):
    /// `format_number(parse(text, region), E164)`, each checked `is_valid_number`. The same version generated
    /// NumberingPlanData.swift; `generatedFromTheRecordedVersion` fails when the data is regenerated, as a prompt
    /// to re-record these.
    @Test(arguments: [
        ("GB", "+44 20 7946 0958", "+442079460958"),
        ("GB", "020 7946 0958", "+442079460958"),
        ("GB", "0044 20 7946 0958", "+442079460958"),
        ("GB", "+44 (0)20 7946 0958", "+442079460958"),
        ("GB", "07400 123456", "+447400123456"),
        ("GB", "+44 7911 123456", "+447911123456"),
        ("GB", "0161 496 0000", "+441614960000"),
        ("GB", "44 20 7946 0958", "+442079460958"),
        ("GB", "0800 123 4567", "+448001234567"),
        ("GB", "+44 1481 256789", "+441481256789"),
        ("US", "(425) 555-0100", "+14255550100"),
        ("US", "425-555-0100", "+14255550100"),
        ("US", "1 (425) 555-0100", "+14255550100"),
        ("US", "+1-425-555-0100 ext. 123", "+14255550100"),
        ("US", "011 44 20 7946 0958", "+442079460958"),
        ("US", "tel:+1-425-555-0100", "+14255550100"),
        ("US", "212.555.0123", "+12125550123"),
        ("US", "+1 800 555 0199", "+18005550199"),
        ("CA", "(613) 555-0123", "+16135550123"),
        ("CA", "1-416-555-0199", "+14165550199"),
        ("CA", "+1 604 555 0100", "+16045550100"),
        ("DE", "030 123456", "+4930123456"),
        ("DE", "+49 30 1234567", "+49301234567"),
        ("DE", "0151 23456789", "+4915123456789"),
        ("DE", "0049 89 1234567", "+49891234567"),
        ("FR", "01 23 45 67 89", "+33123456789"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("FR", "+33 6 12 34 56 78", "+33612345678"),
        ("FR", "+33 (0)1 23 45 67 89", "+33123456789"),
        ("AU", "(02) 9876 5432", "+61298765432"),
        ("AU", "0412 345 678", "+61412345678"),
        ("AU", "+61 412 345 678", "+61412345678"),
        ("AU", "0011 44 20 7946 0958", "+442079460958"),
        ("IN", "098765 43210", "+919876543210"),
        ("IN", "+91 98765 43210", "+919876543210"),
        ("IN", "011 2345 6789", "+911123456789"),
        ("JP", "03-1234-5678", "+81312345678"),
        ("JP", "090-1234-5678", "+819012345678"),
        ("JP", "+81 90 1234 5678", "+819012345678"),
        ("NL", "06 12345678", "+31612345678"),
        ("NL", "+31 20 123 4567", "+31201234567"),
        ("NL", "020-1234567", "+31201234567"),
        ("IE", "087 123 4567", "+353871234567"),
        ("IE", "+353 1 234 5678", "+35312345678"),
        ("IE", "(01) 234 5678", "+35312345678"),
        ("ZA", "082 123 4567", "+27821234567"),
        ("ZA", "+27 21 123 4567", "+27211234567"),
        ("ZA", "011 123 4567", "+27111234567"),
        ("BR", "(11) 91234-5678", "+5511912345678"),
        ("BR", "+55 21 2345-6789", "+552123456789"),
        ("BR", "011 91234-5678", "+5511912345678"),
        ("BR", "0 21 98765 4321", "+5521987654321"),
        ("RU", "8 (495) 123-45-67", "+74951234567"),
        ("RU", "+7 912 345-67-89", "+79123456789"),
        ("KZ", "8 701 234 5678", "+77012345678"),
        ("KZ", "+7 727 258 5858", "+77272585858"),
        ("GB", "+44 1624 756789", "+441624756789"),
        ("GB", "+44 1534 456789", "+441534456789"),
        ("IT", "06 1234 5678", "+390612345678"),
        ("IT", "+39 312 345 6789", "+393123456789"),
        ("AR", "011 15-2345-6789", "+5491123456789"),
        ("MX", "55 1234 5678", "+525512345678"),
        ("ES", "612 34 56 78", "+34612345678"),
        ("CH", "044 668 18 00", "+41446681800"),
        ("SG", "6123 4567", "+6561234567"),
        (nil, "+880 1812-345678", "+8801812345678"),
        (nil, "+64 21 123 4567", "+64211234567"),
        (nil, "+1 268 464 1234", "+12684641234"),
        (nil, "+800 1234 5678", "+80012345678"),
    ] as [(String?, String, String)])
    func agreesWithLibphonenumber(region: String?, text: String, expected: String) throws {
        #expect(try e164(text, region: region) == expected)
    }

    @Test func generatedFromTheRecordedVersion() {
        #expect(NumberingPlan.metadataVersion == "9.0.43")
    }

    /// What identity platforms and people really type around the digits.
    @Test(arguments: [
        ("US", "+1 425 555 0100 x123"),
        ("US", "+1 425 555 0100 #123"),
        ("US", "+1 425 555 0100~123"),
        ("US", "+1 425 555 0100 - 123#"),
        ("US", "+1 425 555 0100,,123"),
        ("US", "+1 425 555 0100;ext=123"),
        ("US", "+1 425 555 0100, ext 123"),
        ("US", "+1 (425) 555-0100 extension 4"),
        ("US", "(425) 555-0100 x302/x2303"),
        ("US", "(+1) 425 555 0100"),
        ("US", "tel:+1-425-555-0100;ext=123"),
        (nil, "tel:555-0100;phone-context=+1-425"),
        ("US", "Mobile: +1 425 555 0100"),
        ("US", "+1\u{00A0}425\u{2013}555\u{2013}0100"),
        ("US", "＋１ ４２５ ５５５ ０１００"),
        ("US", "+1 425 555 0100."),
        ("US", " \t+1 425 555 0100\n"),
        ("US", "++1 425 555 0100"),
        ("US", "425/555-0100"),
        ("US", "[425] 555.0100"),
    ] as [(String?, String)])
    func readsDecoratedNumbers(region: String?, text: String) throws {
        #expect(try e164(text, region: region) == "+14255550100")
    }

    /// +1 (NANPA), +44 and +7 are shared by several regions: a number is valid if it is valid in any of them,
    /// whichever region is the default.
    @Test(arguments: [
        ("CA", "(425) 555-0100", "+14255550100"),  // a US number read with a Canadian default
        ("US", "(613) 555-0123", "+16135550123"),  // a Canadian number read with a US default
        ("US", "(268) 464-1234", "+12684641234"),  // Antigua and Barbuda
        ("GB", "07911 123456", "+447911123456"),  // Guernsey mobile
        ("GB", "07624 123456", "+447624123456"),  // Isle of Man mobile
        ("JE", "020 7946 0958", "+442079460958"),  // London, read with a Jersey default
        ("RU", "8 727 258 5858", "+77272585858"),  // Almaty, Kazakhstan, read with a Russian default
        (nil, "+47 79 12 34 56", "+4779123456"),  // Svalbard
    ] as [(String?, String, String)])
    func acceptsNumbersOfAnyRegionSharingTheCode(region: String?, text: String, expected: String) throws {
        #expect(try e164(text, region: region) == expected)
    }

    @Test(arguments: [
        ("GB", "", PhoneNumberError.Kind.empty),
        ("GB", " \t ", .empty),
        ("GB", "n/a", .notANumber),
        ("GB", "-", .notANumber),
        ("GB", "+", .notANumber),
        ("GB", "7", .notANumber),
        ("GB", "1-800-FLOWERS", .notANumber),
        ("GB", "+44 20 7946 0958 mobile", .notANumber),
        ("GB", "+44 20 @ 7946 0958", .notANumber),
        ("GB", "+44 20 7946+0958", .notANumber),
        ("GB", "tel:5550100;phone-context=", .notANumber),
        ("GB", String(repeating: "1", count: 251), .notANumber),
        ("GB", "+999 1234 5678", .invalidCountryCode),
        (nil, "+0 20 7946 0958", .invalidCountryCode),
        ("GB", "00 999 1234 5678", .invalidCountryCode),
        ("US", "011 999 1234 5678", .invalidCountryCode),
        (nil, "020 7946 0958", .missingDefaultRegion),
        (nil, "0044 20 7946 0958", .missingDefaultRegion),
        (nil, "tel:555-0100;phone-context=example.com", .missingDefaultRegion),
        ("GB", "07700 900123", .invalidNumber),  // Ofcom's range for drama, never assigned
        ("US", "+1 555 555 0100", .invalidNumber),
        ("DE", "030 1", .invalidNumber),
        ("GB", "+44 1624 456789", .invalidNumber),
    ] as [(String?, String, PhoneNumberError.Kind)])
    func rejects(region: String?, text: String, kind: PhoneNumberError.Kind) throws {
        #expect(try failure(text, region: region)?.kind == kind)
    }

    @Test(arguments: [
        ("GB", "+44 207", PhoneNumberError.Kind.tooShort, "GB", [7, 9, 10]),
        ("GB", "+44 1", .tooShort, "GB", [7, 9, 10]),
        ("US", "555-0100", .tooShort, "US", [10]),  // a local number without its area code
        ("CA", "(425) 555-0100 99", .tooLong, "US", [10]),  // lengths come from +1's main region
        ("GB", "+44 20 7946 0958 12345", .tooLong, "GB", [7, 9, 10]),
        ("AU", "+61 4123 4567 890", .invalidLength, "AU", [5, 6, 7, 8, 9, 10, 12]),
    ] as [(String?, String, PhoneNumberError.Kind, String, [Int])])
    func reportsTheRegionsPossibleLengths(
        region: String?, text: String, kind: PhoneNumberError.Kind, errorRegion: String, lengths: [Int]
    ) throws {
        let error = try failure(text, region: region)
        #expect(error?.kind == kind)
        #expect(error?.region == errorRegion)
        #expect(error?.possibleLengths == lengths)
    }

    @Test func messagesSayWhatIsWrongWithoutRepeatingTheNumber() throws {
        let short = try failure("020 794", region: "GB")
        #expect(short?.description == "a local number without its area code: GB (+44) numbers have 7, 9 or 10 digits")
        let invalid = try failure("+44 1624 456789", region: nil)
        #expect(invalid?.region == "GB")
        #expect(invalid?.message.contains("any region of +44 (GB, GG, IM, JE)") == true)
        for (text, region) in [("07700 900123", "GB"), ("+999 1234 5678", "GB"), ("020 7946 0958", nil)] {
            let message = try failure(text, region: region)?.message ?? ""
            #expect(!message.contains("7946") && !message.contains("900123") && !message.contains("1234"))
        }
    }

    @Test func acceptsRegionCodesInEitherCase() throws {
        #expect(try PhoneNumberNormalizer(defaultRegion: "gb").defaultRegion == "GB")
        #expect(try PhoneNumberNormalizer(defaultRegion: nil).defaultRegion == nil)
        #expect(PhoneNumberNormalizer.supportedRegions.contains("GB"))
        #expect(!PhoneNumberNormalizer.supportedRegions.contains("UK"))
    }

    @Test(arguments: ["UK", "XX", "001", "", "GBR", "G"])
    func rejectsUnknownDefaultRegions(region: String) {
        let error = #expect(throws: PhoneNumberError.self) { try PhoneNumberNormalizer(defaultRegion: region) }
        #expect(error?.kind == .unknownRegion)
        #expect(error?.message.contains("\"\(region)\"") == true)
    }

    /// Every plan's patterns compile (a pattern outside NumberPattern's subset would stop the process), and every
    /// region is reachable both by its code and by its country calling code.
    @Test func everyPlanCompilesAndIsReachable() {
        var reachable: Set<String> = []
        var nonGeographic = 0
        for countryCode in 1...999 {
            for region in NumberingPlan.regions(forCountryCode: countryCode) {
                if region == "001" { nonGeographic += 1 } else { reachable.insert(region) }
            }
        }
        #expect(reachable == Set(NumberingPlan.regionCodes))
        #expect(nonGeographic == 9)
        for region in NumberingPlan.regionCodes {
            #expect(NumberingPlan.plan(forRegion: region)?.region == region)
        }
        #expect(NumberingPlan.regions(forCountryCode: 44) == ["GB", "GG", "IM", "JE"])
        #expect(NumberingPlan.regions(forCountryCode: 1).first == "US")
        #expect(NumberingPlan.regions(forCountryCode: 1).count == 25)
    }
}

@Suite struct NumberPatternTests {
    private func digits(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func matchesWholeInputOnly() {
        let pattern = NumberPattern(#"[1-9]\d{2,3}|0"#)
        #expect(pattern.matchesWhole(digits("123")))
        #expect(pattern.matchesWhole(digits("1234")))
        #expect(pattern.matchesWhole(digits("0")))
        #expect(!pattern.matchesWhole(digits("12345")))
        #expect(!pattern.matchesWhole(digits("0123")))
        #expect(!pattern.matchesWhole(digits("")))
    }

    @Test func prefixMatchTakesTheFirstAlternativeThatMatchesLikePython() {
        // Python: re.match("0|01", "0123").end() == 1; greedy "\d{1,3}" takes three.
        #expect(NumberPattern("0|01").prefixMatch(digits("0123"))?.length == 1)
        #expect(NumberPattern(#"\d{1,3}"#).prefixMatch(digits("12345"))?.length == 3)
        #expect(NumberPattern("1?2").prefixMatch(digits("23"))?.length == 1)
        #expect(NumberPattern("00").prefixMatch(digits("0123")) == nil)
    }

    @Test func capturesGroupsAndAnchorsAtTheEnd() {
        // Jersey's national prefix for parsing: a six-digit local number, or the trunk prefix.
        let pattern = NumberPattern(#"([0-24-8]\d{5})$|0|180020"#)
        #expect(pattern.prefixMatch(digits("456789")) == .init(length: 6, groups: [0..<6]))
        #expect(pattern.prefixMatch(digits("01534456789")) == .init(length: 1, groups: [nil]))
        #expect(pattern.prefixMatch(digits("4567890")) == nil)
        // Argentina's: an optional group whose capture is undone when the group fails.
        let argentina = NumberPattern("0?(?:(11|2(?:2(?:02?|[13]))|3)15)?")
        #expect(argentina.prefixMatch(digits("01115234")) == .init(length: 5, groups: [1..<3]))
        #expect(argentina.prefixMatch(digits("01123")) == .init(length: 1, groups: [nil]))
    }

    @Test func transformRuleRewritesTheNationalPrefix() throws {
        let argentina = try #require(NumberingPlan.plan(forRegion: "AR"))
        // "011 15-2345-6789": area code 11, mobile prefix 15, becomes 9 11 2345 6789.
        #expect(argentina.stripNationalPrefix(Array("0111523456789".utf8)) == Array("91123456789".utf8))
    }
}
