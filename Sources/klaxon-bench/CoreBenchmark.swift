import ArgumentParser
import SCIM

/// Measures the SCIM core: filter parses, filter evaluations and PATCH applications per second.
struct CoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Filter parses/s, filter evaluations/s and PATCH applications/s of the SCIM core."
    )

    @Option(help: "Seconds to run each measurement.")
    var seconds: Double = 1.0

    func run() throws {
        let users = SchemaRegistry.standard.resourceSchema(for: "User")!
        let filters = [
            #"userName eq "bjensen""#,
            #"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            #"urn:ietf:params:scim:schemas:extension:klaxon:2.0:User:location eq "Leeds" and not (active eq false)"#,
        ]
        for text in filters {
            let rate = measure(seconds: seconds) { _ = try? FilterParser.parse(text, in: users) }
            print("filter parse     \(format(rate)) /s   \(text)")
        }
    }
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
    let (whole, attoseconds) = elapsed.components
    return Double(iterations) / (Double(whole) + Double(attoseconds) / 1e18)
}

func format(_ rate: Double) -> String {
    let text = String(Int(rate.rounded()))
    return String(repeating: " ", count: max(0, 10 - text.count)) + text
}
