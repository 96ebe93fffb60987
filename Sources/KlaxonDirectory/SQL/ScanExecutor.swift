import Dispatch
import Synchronization

/// Where listings that read every resource of an organisation run: threads of their own, not Swift's cooperative
/// pool, and at most two at a time.
///
/// A filter the SQL cannot answer whole (`name.givenName co "q"`, or a long `or` of them) reads and evaluates
/// every resource of the organisation, seconds at 100k users. The cooperative pool has one thread per core, so
/// two such listings at once held it all and stalled every other request, other organisations' and `/healthz`
/// included (a review measured 9.6 s for a 1 ms read); and eight of them held every SQLite reader connection. On
/// these threads (libdispatch's, one per queue with work) the kernel shares the cores between the scans and
/// everything else, and the scans past the limit wait for a turn, not the reads behind them. Indexed reads stay
/// where they are: a thread hop would cost them more than they cost.
///
/// ```swift
/// let page = try await ScanExecutor.shared.run { try await scan() }
/// ```
final class ScanExecutor: TaskExecutor {
    static let shared = ScanExecutor(limit: 2)

    /// Serial queues, taken in turn: a serial queue gets a thread of its own when it has work, while a concurrent
    /// one would share the cooperative pool's few threads.
    private let queues: [DispatchQueue]
    private let next = Atomic(0)
    private let slots: Mutex<Slots>

    private struct Slots {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    /// Marks the scan queues, so that code can tell where it runs.
    private static let marker = DispatchSpecificKey<Bool>()

    init(limit: Int) {
        queues = (0..<limit).map { DispatchQueue(label: "klaxon.directory.scan-\($0)") }
        for queue in queues { queue.setSpecific(key: Self.marker, value: true) }
        slots = Mutex(Slots(free: limit))
    }

    /// True on a scan thread.
    static var isCurrent: Bool { DispatchQueue.getSpecific(key: marker) == true }

    /// Runs `body` on these threads once one of the scan slots is free.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await withTaskExecutorPreference(self) { try await body() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let queue = queues[next.add(1, ordering: .relaxed).oldValue % queues.count]
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    private func acquire() async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = slots.withLock { slots in
                guard slots.free > 0 else {
                    slots.waiting.append(turn)
                    return false
                }
                slots.free -= 1
                return true
            }
            if now { turn.resume() }
        }
    }

    private func release() {
        let next = slots.withLock { slots -> CheckedContinuation<Void, Never>? in
            guard !slots.waiting.isEmpty else {
                slots.free += 1
                return nil
            }
            return slots.waiting.removeFirst()
        }
        next?.resume()
    }
}
