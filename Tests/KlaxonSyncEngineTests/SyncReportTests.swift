import Foundation
@testable import KlaxonSyncEngine
import SCIM
import Testing

/// The run report and the state file.
@Suite struct SyncReportTests {
    @Test func summaryAndJSON() {
        var report = SyncReport()
        report.created = 2
        report.skipped = 1
        report.failures = [SyncReport.Failure(object: "line", line: 4, reason: "3 fields where the header has 14")]
        #expect(report.summary == "created 2, updated 0, disabled 0, deleted 0, skipped 1, failed 1\n  failed line (line 4): 3 fields where the header has 14")
        #expect(report.json == [
            "created": 2, "updated": 0, "disabled": 0, "deleted": 0, "skipped": 1, "failed": 1,
            "failures": [["object": "line", "line": 4, "reason": "3 fields where the header has 14"]],
        ])
    }

    @Test func stateRoundTrips() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SyncState.load(path: path) == SyncState(), "a missing file is an empty state")
        let state = SyncState(entries: ["user:u-1": .init(fingerprint: "abc", targetID: "t-1")])
        try state.save(path: path)
        #expect(try SyncState.load(path: path) == state)
        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SyncFailure("\(path) is not a state file written by klaxon-sync")) { try SyncState.load(path: path) }
    }

    @Test func fingerprintFollowsTheValue() {
        #expect(SyncState.fingerprint(["a": 1]) == SyncState.fingerprint(["a": 1]))
        #expect(SyncState.fingerprint(["a": 1]) != SyncState.fingerprint(["a": 2]))
    }
}
