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
final class ScanExecutor: Sendable {
    static let shared = ScanExecutor(limit: 2)

    /// One lane per slot, each a serial queue: a serial queue gets a thread of its own when it has work, while a
    /// concurrent one would share the cooperative pool's few threads. A scan keeps its lane from start to end, so
    /// two scans never queue behind each other on one lane while the other stands idle.
    private let lanes: [Lane]
    private let slots: Mutex<Slots>

    private struct Slots {
        var free: [Int]
        var waiting: [CheckedContinuation<Int, Never>] = []
    }

    /// Runs the jobs of the scan that holds it.
    private final class Lane: TaskExecutor {
        let queue: DispatchQueue

        init(_ queue: DispatchQueue) { self.queue = queue }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// Marks each lane's queue with its number, so that code can tell where it runs.
    private static let marker = DispatchSpecificKey<Int>()

    init(limit: Int) {
        lanes = (0..<limit).map { index in
            let queue = DispatchQueue(label: "klaxon.directory.scan-\(index)")
            queue.setSpecific(key: Self.marker, value: index)
            return Lane(queue)
        }
        slots = Mutex(Slots(free: Array(0..<limit)))
    }

    /// The lane this code runs on, nil off the lanes.
    static var currentLane: Int? { DispatchQueue.getSpecific(key: marker) }

    /// Runs `body` on a lane of its own once one is free.
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let lane = await acquire()
        defer { release(lane) }
        return try await withTaskExecutorPreference(lanes[lane]) { try await body() }
    }

    private func acquire() async -> Int {
        await withCheckedContinuation { (turn: CheckedContinuation<Int, Never>) in
            let lane = slots.withLock { slots -> Int? in
                guard let lane = slots.free.popLast() else {
                    slots.waiting.append(turn)
                    return nil
                }
                return lane
            }
            if let lane { turn.resume(returning: lane) }
        }
    }

    private func release(_ lane: Int) {
        let next = slots.withLock { slots -> CheckedContinuation<Int, Never>? in
            guard !slots.waiting.isEmpty else {
                slots.free.append(lane)
                return nil
            }
            return slots.waiting.removeFirst()
        }
        next?.resume(returning: lane)
    }
}
