/// How far a run has got, as ``SyncEngine/run(_:state:progress:)`` reports it while it runs.
///
/// ```swift
/// var throttle = ProgressThrottle(terminal: true)
/// let report = await engine.run(&reader, state: &state) { progress in
///     if throttle.shouldDraw(progress) { print("\r" + ProgressRenderer.bar(progress), terminator: "") }
/// }
/// ```
public struct SyncProgress: Sendable, Equatable {
    /// Records read from the source, malformed ones included.
    public var read: Int
    /// Records whose outcome is known, objects deactivated for having left the source included.
    public var processed: Int
    /// Records that failed, and source rows that could not be read.
    public var failed: Int
    /// The share of the source read (0 to 1), when the reader can tell.
    public var fractionRead: Double?
    /// Time since the run started.
    public var elapsed: Duration

    public init(read: Int = 0, processed: Int = 0, failed: Int = 0, fractionRead: Double? = nil, elapsed: Duration = .zero) {
        self.read = read
        self.processed = processed
        self.failed = failed
        self.fractionRead = fractionRead
        self.elapsed = elapsed
    }

    /// Records processed per second so far.
    public var rate: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(processed) / seconds : 0
    }
}

/// Renders ``SyncProgress`` as text: a bar to redraw in place on a terminal, or a plain line for a log. Pure
/// functions; when to draw is ``ProgressThrottle``'s to say and where to write the caller's.
public enum ProgressRenderer {
    /// One terminal line of at most `width` columns, without a line break:
    /// `[########------------]  40%  read 40,000  done 39,870  2,310/s  failed 2  0:17`. Without a known
    /// share of the source there is no bar and no percentage.
    public static func bar(_ progress: SyncProgress, width: Int = 80) -> String {
        let counts = "read \(grouped(progress.read))  done \(grouped(progress.processed))  \(grouped(Int(progress.rate)))/s"
            + "  failed \(grouped(progress.failed))  \(clock(progress.elapsed))"
        guard let fraction = progress.fractionRead.map({ min(1, max(0, $0)) }) else {
            return String(counts.prefix(max(0, width)))
        }
        let percent = "\(Int((fraction * 100).rounded(.down)))%"
        let text = String(repeating: " ", count: 4 - percent.count) + percent + "  " + counts
        let cells = min(30, width - text.count - 3)
        guard cells >= 10 else { return String(text.prefix(max(0, width))) }
        let filled = Int((fraction * Double(cells)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "] " + text
    }

    /// A line for a log: `sync: 40% of the source read, 40,000 records read, 39,870 done (2,310/s), 2 failed, 0:17`.
    public static func line(_ progress: SyncProgress) -> String {
        let share = progress.fractionRead.map { "\(Int((min(1, max(0, $0)) * 100).rounded(.down)))% of the source read, " } ?? ""
        return "sync: \(share)\(grouped(progress.read)) records read, \(grouped(progress.processed)) done "
            + "(\(grouped(Int(progress.rate)))/s), \(grouped(progress.failed)) failed, \(clock(progress.elapsed))"
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// `0:07`, `12:34`, `1:02:03`.
    static func clock(_ duration: Duration) -> String {
        let total = max(0, Int(duration.components.seconds))
        let (hours, minutes, seconds) = (total / 3_600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(seconds))" : "\(minutes):\(twoDigits(seconds))"
    }
}

/// When to draw progress next. On a terminal: at most once per `redraw` (100 ms, ten times a second). In a
/// log: each time another tenth of the source has been read, and otherwise every `logEvery` (10 s), so a
/// source that cannot tell its size, or the groups after the last user, still show progress.
public struct ProgressThrottle: Sendable {
    /// Drawing to a terminal (a bar redrawn in place) rather than a log.
    public let terminal: Bool
    /// The shortest time between two draws on a terminal.
    public let redraw: Duration
    /// The longest time between two log lines.
    public let logEvery: Duration
    private var lastDrawn: Duration?
    private var lastTenth = 0

    public init(terminal: Bool, redraw: Duration = .milliseconds(100), logEvery: Duration = .seconds(10)) {
        self.terminal = terminal
        self.redraw = redraw
        self.logEvery = logEvery
    }

    /// Whether to draw `progress` now (its `elapsed` is the time); if so, notes that it was drawn.
    public mutating func shouldDraw(_ progress: SyncProgress) -> Bool {
        let now = progress.elapsed
        if terminal {
            if let lastDrawn, now - lastDrawn < redraw { return false }
            lastDrawn = now
            return true
        }
        let tenth = progress.fractionRead.map { Int((min(1, max(0, $0)) * 10).rounded(.down)) } ?? 0
        let due = lastDrawn.map { now - $0 >= logEvery } ?? (now >= logEvery)
        guard tenth > lastTenth || due else { return false }
        lastTenth = max(lastTenth, tenth)
        lastDrawn = now
        return true
    }
}
