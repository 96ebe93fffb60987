import Foundation
import HTTPTypes
import HummingbirdTesting
import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// The admin UI in a real browser: headless Chromium, driven over the DevTools protocol by
/// `Browser/admin_browser_check.py`, signs in, opens Synchronisation, creates a token and adds a location, and
/// saves a screenshot of each page under `test-artifacts/`. Skipped where Chromium is not installed (`.ci/run`
/// installs it).
@Suite struct AdminBrowserTests {
    static let chromium = ProcessInfo.processInfo.environment["CHROMIUM"] ?? executable(named: ["chromium", "chromium-browser", "google-chrome"])
    static let python = executable(named: ["python3"])

    /// The first of `names` found on the PATH.
    static func executable(named names: [String]) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let artifacts = testsFolder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("test-artifacts")

    // One backend at a time: each case drives a browser of its own.
    @Test(.enabled(if: chromium != nil && python != nil, "needs headless Chromium and python3"), .timeLimit(.minutes(3)), .serialized,
        arguments: TestBackend.available)
    func signInCreateATokenAndAddALocation(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            try await server.createAdministrator("ops@acme.example", password: AdminUITests.password, in: server.acme.id)
            let klaxon = #","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"location":"Leeds","notificationPhoneNumber":"+44 7911 123456"}"#
            let users = [
                try await server.createUser("alice@acme.example", extra: #","displayName":"Alice Smith""# + klaxon),
                try await server.createUser("bob@acme.example", extra: #","displayName":"Bob Jones""# + klaxon),
            ]
            // A failed request, so the activity shows an error.
            _ = try await server.scim(.post, "/Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@acme.example"}"#)
            let port = server.port

            let (status, output) = try await Self.run(
                try #require(Self.python),
                [
                    Self.testsFolder.appendingPathComponent("Browser/admin_browser_check.py").path, try #require(Self.chromium),
                    "http://127.0.0.1:\(port)", "ops@acme.example", AdminUITests.password, "Leeds", Self.artifacts.path,
                ])
            #expect(status == 0, "\(output)")
            let seen = try JSONParser.parse(output.split(separator: "\n").last.map(String.init) ?? "")
            #expect(seen["heading"] == "Synchronisation")
            #expect(seen["tokenAfterReload"] == false)
            #expect(seen["userLocation"] == "Leeds")
            let token = try #require(seen["token"]?.stringValue)
            #expect(try await server.scim(.get, "/Users", token: token).status == 200, "the token the browser was shown works")
            let leeds = try await server.directory.locations(in: server.acme.id).first { $0.name == "Leeds" }
            for user in users {
                #expect(try await server.directory.resource(.user, id: user, in: server.acme.id, includeMembers: false)?.profile?.locationID == leeds?.id)
            }
            for page in ["sign-in", "synchronisation", "synchronisation-phone", "locations-unmatched", "locations", "users", "user", "activity"] {
                #expect(FileManager.default.fileExists(atPath: Self.artifacts.appendingPathComponent("admin-\(page).png").path), "\(page)")
            }
        }
    }

    /// Runs a program to its end without blocking a thread, and returns its status and standard output.
    static func run(_ program: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: data, as: UTF8.self))
    }
}
