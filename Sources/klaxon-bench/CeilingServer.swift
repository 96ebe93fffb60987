import ArgumentParser
import HTTPTypes
import Hummingbird

/// A bare Hummingbird server with one empty route: the ceiling a SCIM server on this machine is measured against.
struct CeilingServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceiling-server",
        abstract: "Serve GET /ping with an empty 200, to measure the machine's bare Hummingbird ceiling."
    )

    @Option(help: "The loopback port to listen on.")
    var port: Int = 9090

    func run() async throws {
        let router = Router()
        router.get("ping") { _, _ in HTTPResponse.Status.ok }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
