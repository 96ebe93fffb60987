import SCIM

/// Measures the mapping engine: records per second through a mapping file's `users` object mapping
/// (`Mappings/entra-id.yaml`), and, in the same run, through a hand-written Swift function that builds the
/// same resources, so the engine's cost over plain code is visible. Run it in release:
///
/// ```swift
/// let result = try MappingBenchmark.run(mappingFile: "Mappings/entra-id.yaml", seconds: 2)
/// print(result.engineRecordsPerSecond, result.handWrittenRecordsPerSecond, result.ratio)
/// ```
public enum MappingBenchmark {
    /// One run's figures.
    public struct Result: Sendable {
        /// Records mapped per second by ``MappingEngine``.
        public var engineRecordsPerSecond: Double
        /// Records mapped per second by the hand-written function.
        public var handWrittenRecordsPerSecond: Double
        /// Distinct synthetic records cycled through.
        public var distinctRecords: Int

        /// The engine's speed as a fraction of the hand-written function's.
        public var ratio: Double { engineRecordsPerSecond / handWrittenRecordsPerSecond }
    }

    /// Maps synthetic Entra ID users through the file's `users` object mapping (create mode) and through the
    /// hand-written equivalent of `entra-id.yaml`'s, for about `seconds` each, in five interleaved rounds whose
    /// best rates are reported. Throws
    /// ``MappingError/Kind/invalidRequest`` if the file's mapping does not produce what the hand-written
    /// function does, since the comparison would then mean nothing.
    public static func run(mappingFile path: String, seconds: Double = 1.0, distinctRecords: Int = 1_000)
        throws(MappingError) -> Result
    {
        let engine = try MappingEngine.load(contentsOf: path, object: "users")
        let records = (0..<max(1, distinctRecords)).map(sampleUser)
        for record in records.prefix(3) {
            let mapped = try engine.map(record: record)
            guard mapped.resource == handWrittenEntraUser(record) else {
                throw MappingError(
                    .invalidRequest,
                    "\(path) does not map users as the hand-written entra-id function does, so they cannot be compared")
            }
        }
        // Interleaved rounds, keeping each side's best: a machine busy with other work slows both alike.
        let rounds = 5
        var engineRate = 0.0
        var handRate = 0.0
        var failures = 0
        for _ in 0..<rounds {
            engineRate = max(engineRate, measure(seconds: seconds / Double(rounds), records: records) { record in
                do {
                    return try engine.map(record: record).resource.count
                } catch {
                    failures += 1
                    return 0
                }
            })
            handRate = max(handRate, measure(seconds: seconds / Double(rounds), records: records) { handWrittenEntraUser($0).count })
        }
        guard failures == 0 else {
            throw MappingError(.invalidRequest, "\(failures) synthetic records failed to map through \(path)")
        }
        return Result(engineRecordsPerSecond: engineRate, handWrittenRecordsPerSecond: handRate, distinctRecords: records.count)
    }

    /// Calls `body` for records in turn for about `seconds`; returns calls per second. The sum of what
    /// `body` returns keeps the optimiser from discarding the work.
    private static func measure(seconds: Double, records: [JSONObject], _ body: (JSONObject) -> Int) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var calls = 0
        var sink = 0
        var elapsed = Duration.zero
        while elapsed < .seconds(seconds) {
            for record in records { sink &+= body(record) }
            calls += records.count
            elapsed = clock.now - start
        }
        if sink == Int.min { print(sink) }
        let (whole, attoseconds) = elapsed.components
        return Double(calls) / (Double(whole) + Double(attoseconds) / 1e18)
    }

    /// A user as an Entra ID export holds it.
    static func sampleUser(_ number: Int) -> JSONObject {
        let cities = ["Leeds", "Manchester", "London", "New York", "Seattle"]
        return [
            "objectId": .string("7d1c2b3a-0000-4000-8000-\(String(100_000_000_000 + number))"),
            "userPrincipalName": .string("user\(number)@contoso.com"),
            "accountEnabled": .bool(number % 10 != 0),
            "displayName": .string("User \(number)"),
            "givenName": .string("Given\(number)"),
            "surname": .string("Family\(number)"),
            "jobTitle": "Engineer",
            "mail": .string("user\(number)@contoso.com"),
            "mailNickname": .string("user\(number)"),
            "preferredLanguage": "en-GB",
            "physicalDeliveryOfficeName": "Dock 4",
            "streetAddress": "1 Dock Street",
            "city": .string(cities[number % cities.count]),
            "state": "West Yorkshire",
            "postalCode": "LS10 1NB",
            "country": "GB",
            "telephoneNumber": "0113 496 0000",
            "mobile": .string("07911 \(String(100_000 + number % 900_000))"),
            "employeeId": .string(String(10_000 + number)),
            "department": "Operations",
            "usageLocation": "GB",
            "createdDateTime": "2024-01-15T09:30:00Z",
        ]
    }

    /// What `entra-id.yaml`'s users mapping does, written out by hand in plain Swift.
    static func handWrittenEntraUser(_ user: JSONObject) -> JSONObject {
        func text(_ name: String) -> JSONValue? {
            guard let value = user[name], !value.isEmptyForMapping else { return nil }
            return value
        }
        func trimmed(_ name: String) -> JSONValue? {
            guard case .string(let value)? = text(name) else { return text(name) }
            guard let first = value.firstIndex(where: { !$0.isWhitespace }), let last = value.lastIndex(where: { !$0.isWhitespace })
            else { return nil }
            return .string(String(value[first...last]))
        }
        var resource: [JSONObject.Member] = []
        var schemas: [JSONValue] = [.string(SchemaURN.user)]
        func add(_ key: String, _ value: JSONValue?, to members: inout [JSONObject.Member]) {
            if let value { members.append(JSONObject.Member(key: key, value: value)) }
        }
        add("userName", text("userPrincipalName"), to: &resource)
        add("active", text("accountEnabled"), to: &resource)
        add("displayName", text("displayName"), to: &resource)
        add("title", text("jobTitle"), to: &resource)
        if let mail = text("mail") { resource.append(.init(key: "emails", value: [["type": "work", "value": mail]])) }
        add("preferredLanguage", text("preferredLanguage"), to: &resource)
        var name: [JSONObject.Member] = []
        add("givenName", text("givenName"), to: &name)
        add("familyName", text("surname"), to: &name)
        let formatted = [text("givenName"), text("surname")].compactMap { $0?.stringValue }.joined(separator: " ")
        if !formatted.isEmpty { name.append(.init(key: "formatted", value: .string(formatted))) }
        if !name.isEmpty { resource.append(.init(key: "name", value: .object(JSONObject(name)))) }
        var address: [JSONObject.Member] = [.init(key: "type", value: "work")]
        add("formatted", text("physicalDeliveryOfficeName"), to: &address)
        add("streetAddress", text("streetAddress"), to: &address)
        add("locality", text("city"), to: &address)
        add("region", text("state"), to: &address)
        add("postalCode", text("postalCode"), to: &address)
        add("country", text("country"), to: &address)
        if address.count > 1 { resource.append(.init(key: "addresses", value: [.object(JSONObject(address))])) }
        var phones: [JSONValue] = []
        for (type, source) in [("work", "telephoneNumber"), ("mobile", "mobile"), ("fax", "facsimileTelephoneNumber")] {
            if let number = text(source) { phones.append(["type": .string(type), "value": number]) }
        }
        if !phones.isEmpty { resource.append(.init(key: "phoneNumbers", value: .array(phones))) }
        add("externalId", text("mailNickname"), to: &resource)
        var enterprise: [JSONObject.Member] = []
        add("employeeNumber", text("employeeId"), to: &enterprise)
        add("department", text("department"), to: &enterprise)
        if !enterprise.isEmpty {
            resource.append(.init(key: SchemaURN.enterpriseUser, value: .object(JSONObject(enterprise))))
            schemas.append(.string(SchemaURN.enterpriseUser))
        }
        var klaxon: [JSONObject.Member] = []
        add("location", trimmed("city"), to: &klaxon)
        add("notificationPhoneNumber", trimmed("mobile"), to: &klaxon)
        if !klaxon.isEmpty {
            resource.append(.init(key: SchemaURN.klaxonUser, value: .object(JSONObject(klaxon))))
            schemas.append(.string(SchemaURN.klaxonUser))
        }
        resource.insert(.init(key: "schemas", value: .array(schemas)), at: 0)
        return JSONObject(resource)
    }
}
