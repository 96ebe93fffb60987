import Synchronization

/// What `work` returns, or `fallback` once `limit` has passed, whichever comes first. `work` runs in a task of its
/// own that is not waited for past `limit`, nor cancelled: for work that may hang where cancelling does not reach
/// (a read from a database host that went silent waits in the network), so that the caller still answers in time.
///
/// ```swift
/// let problem = await awaitAtMost(.seconds(3), otherwise: "no answer") {
///     do { try await directory.ping(); return nil } catch { return "\(error)" }
/// }
/// ```
public func awaitAtMost<Value: Sendable>(
    _ limit: Duration, otherwise fallback: Value, _ work: @escaping @Sendable () async -> Value
) async -> Value {
    await withCheckedContinuation { continuation in
        let once = FirstAnswer(continuation)
        let timer = Task {
            try? await Task.sleep(for: limit)
            once.give(fallback)
        }
        Task {
            once.give(await work())
            timer.cancel()
        }
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: Value) {
        let waiting = continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
    }
}
