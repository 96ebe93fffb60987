import KlaxonTestSupport
import Synchronization
import Testing
@testable import KlaxonDirectory

/// Scans of a whole organisation run on threads of their own, two at a time (a review stalled every request with
/// two of them on the cooperative pool, and held every reader connection with eight).
@Suite struct ScanExecutorTests {
    final class Tally: Sendable {
        let state = Mutex((now: 0, most: 0, lanes: [[Int?]]()))
    }

    @Test func scansRunOnTheirOwnLanesAtMostTheLimitAtATime() async throws {
        let executor = ScanExecutor(limit: 2)
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await executor.run {
                        tally.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        // A scan keeps its lane across suspensions, so two scans never share one lane.
                        var lanes = [ScanExecutor.currentLane]
                        for _ in 0..<3 {
                            try await Task.sleep(for: .milliseconds(10))
                            lanes.append(ScanExecutor.currentLane)
                        }
                        tally.state.withLock { $0.now -= 1; $0.lanes.append(lanes) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let state = tally.state.withLock { $0 }
        #expect(state.most == 2)
        #expect(state.lanes.count == 6)
        for lanes in state.lanes {
            #expect(lanes.first != nil && Set(lanes).count == 1, "one lane from start to end: \(lanes)")
        }
        #expect(ScanExecutor.currentLane == nil)
    }

    /// A scan's rows reach it on its lane, on either backend: on PostgreSQL they once arrived on the event loop that
    /// also serves every HTTP and PostgreSQL connection (a review saw get-by-id p90 triple beside two scans).
    @Test(arguments: TestBackend.available)
    func aScansRowsAreReadOnItsLane(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let executor = ScanExecutor(limit: 1)
            let lanes = Mutex<[Int?]>([])
            try await executor.run {
                try await directory.database.read { db in
                    try await db.forEachRow(SQLFragment("SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3")) { _ in
                        lanes.withLock { $0.append(ScanExecutor.currentLane) }
                    }
                }
            }
            #expect(lanes.withLock { $0 } == [0, 0, 0])
        }
    }
}
