import ArgumentParser
import SCIM

/// Measures the SCIM core: filter parses, filter evaluations and PATCH applications per second.
struct CoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Filter parses/s, filter evaluations/s and PATCH applications/s of the SCIM core (run in release)."
    )

    @Option(help: "Seconds to run each measurement.")
    var seconds: Double = 1.0

    func run() throws {
        let users = SchemaRegistry.standard.resourceSchema(for: "User")!
        let user = try JSONParser.parse(Self.typicalUser).objectValue!
        let filters = [
            #"userName eq "bjensen@example.com""#,
            #"emails[type eq "work"].value eq "bjensen@example.com""#,
            #"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            #"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location eq "Leeds" and not (active eq false)"#,
        ]
        print("SCIM core, one core, \(seconds)s per figure")
        for text in filters {
            let parse = measure(seconds: seconds) { _ = try? FilterParser.parse(text, in: users) }
            let evaluator = try FilterEvaluator(Filter(parsing: text, in: users), for: users)
            var matched = false
            let evaluate = measure(seconds: seconds) { matched = evaluator.matches(user) != matched }
            print("filter   parse \(format(parse))/s   evaluate \(format(evaluate))/s   \(text)")
        }
        let patches = [
            ("Entra replace x2", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@example.com"},{"op":"Replace","path":"name.familyName","value":"Jensen-Smith"}]}"#),
            ("Entra disable \"False\"", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#),
            ("path-less URN keys", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"B","name.givenName":"Bab","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location":"York"}}]}"#),
        ]
        for (name, body) in patches {
            let json = try JSONParser.parse(body)
            let request = try PatchRequest(json: json, for: users)
            let parseRate = measure(seconds: seconds) { _ = try? PatchRequest(json: json, for: users) }
            var result = user
            let applyRate = measure(seconds: seconds) { result = (try? PatchApplier.apply(request, to: user, for: users)) ?? result }
            print("patch    parse \(format(parseRate))/s   apply    \(format(applyRate))/s   \(name)")
        }
        let bytes = Array(Self.typicalUser.utf8)
        let jsonRate = measure(seconds: seconds) { _ = try? JSONParser.parse(bytes) }
        let writeRate = measure(seconds: seconds) { _ = JSONWriter.bytes(from: .object(user)) }
        print("json     parse \(format(jsonRate))/s   write    \(format(writeRate))/s   typical user (\(bytes.count) bytes)")
    }

    static let typicalUser = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646",
        "externalId":"bjensen","userName":"bjensen@example.com","name":{"formatted":"Ms. Barbara J Jensen III",
        "familyName":"Jensen","givenName":"Barbara"},"displayName":"Babs Jensen","userType":"Employee","active":true,
        "emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
        "phoneNumbers":[{"value":"+44 7700 900123","type":"mobile"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},
        "urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Leeds","notificationPhoneNumber":"07700 900123"},
        "meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z","version":"W/\\"3\\""}}
        """
}

/// Runs `body` repeatedly for about `seconds` and returns the calls per second.
func measure(seconds: Double, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var iterations = 0
    var batch = 64
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < .seconds(seconds) {
        for _ in 0..<batch { body() }
        iterations += batch
        elapsed = clock.now - start
        batch = min(batch * 2, 65_536)
    }
    return Double(iterations) / elapsed.seconds
}

func format(_ rate: Double) -> String {
    pad(String(Int(rate.rounded())), 10)
}
