import KlaxonDirectory
import Testing

@Suite struct AwaitAtMostTests {
    @Test func workInTimeGivesItsValue() async {
        #expect(await awaitAtMost(.seconds(5), otherwise: 0) { 42 } == 42)
    }

    /// Work that is late, and ignores cancellation (as a read from a silent database host does), is not waited for.
    @Test func lateWorkGivesTheFallbackAtTheLimit() async {
        let start = ContinuousClock.now
        let value = await awaitAtMost(.milliseconds(200), otherwise: "late") {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Task.detached {
                    try? await Task.sleep(for: .seconds(30))
                    continuation.resume()
                }
            }
            return "done"
        }
        #expect(value == "late")
        #expect(ContinuousClock.now - start < .seconds(20), "not the work's 30 s (a busy test run delays timers)")
    }
}
