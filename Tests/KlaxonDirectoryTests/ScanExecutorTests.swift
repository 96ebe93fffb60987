import Synchronization
import Testing
@testable import KlaxonDirectory

/// Scans of a whole organisation run on threads of their own, two at a time (a review stalled every request with
/// two of them on the cooperative pool, and held every reader connection with eight).
@Suite struct ScanExecutorTests {
    final class Tally: Sendable {
        let state = Mutex((now: 0, most: 0, onScanThreads: [Bool]()))
    }

    @Test func scansRunOnTheirOwnQueuesAtMostTheLimitAtATime() async throws {
        let executor = ScanExecutor(limit: 2)
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await executor.run {
                        tally.state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try await Task.sleep(for: .milliseconds(30))
                        let onScanThread = ScanExecutor.isCurrent
                        tally.state.withLock { $0.now -= 1; $0.onScanThreads.append(onScanThread) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let state = tally.state.withLock { $0 }
        #expect(state.most == 2)
        #expect(state.onScanThreads == Array(repeating: true, count: 6), "every scan ran on a scan queue")
        #expect(!ScanExecutor.isCurrent)
    }
}
