import Foundation
import HTTPTypes
import KlaxonDirectory
import KlaxonTestSupport
import SCIM
import Testing

/// Health, metrics and the activity log.
@Suite struct ObservabilityTests {
    @Test(arguments: TestBackend.available)
    func healthAndMetrics(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let health = try await server.raw(.get, "/healthz")
            #expect(health.status == 200)
            #expect(health["status"] == "ok")
            _ = try await server.createUser("metrics@example.com")
            try await server.scim(.get, "/Users/nope").expectError(404)
            let metrics = try await server.raw(.get, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"klaxon_http_requests_total{route="/scim/v2/{org}/Users",method="POST",status="201"} 1"#))
            #expect(metrics.text.contains(#"klaxon_http_requests_total{route="/scim/v2/{org}/Users/{id}",method="GET",status="404"} 1"#))
            #expect(metrics.text.contains("klaxon_http_request_duration_seconds_count"))
            #expect(!metrics.text.contains(server.acmeToken), "no token in metrics")
            #expect(!metrics.text.contains("metrics@example.com"), "no personal data in metrics")
        }
    }

    @Test(arguments: TestBackend.available)
    func writesAndFailuresAreLoggedAsActivity(backend: TestBackend) async throws {
        try await TestServer.run(backend) { server in
            let id = try await server.createUser("activity@example.com", extra: #","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"notificationPhoneNumber":"+44 7911 123456"}"#)
            _ = try await server.scim(.get, "/Users/\(id)")
            // A rejected body that carries a phone number: the error detail logged must not repeat it.
            try await server.scim(
                .post, "/Users",
                #"{"userName":"x@example.com","urn:ietf:params:scim:schemas:extension:klaxon:2.0:User":{"notificationPhoneNumber":447911123456}}"#
            ).expectError(400, "invalidValue")
            var entries: [ActivityEntry] = []
            for _ in 0..<100 where entries.count < 2 {
                entries = try await server.directory.recentActivity(in: server.acme.id, limit: 10)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(entries.count == 2, "a successful GET is not logged; the create and the failure are: \(entries)")
            let failure = try #require(entries.first)
            #expect(failure.method == "POST" && failure.status == 400)
            #expect(failure.detail?.isEmpty == false)
            let create = try #require(entries.last)
            #expect(create.status == 201 && create.resourceID == id)
            for entry in entries {
                #expect(!(entry.detail ?? "").contains("7911"), "no phone number in the activity log")
            }
            #expect(try await server.directory.recentActivity(in: server.globex.id, limit: 10).isEmpty)
        }
    }
}
