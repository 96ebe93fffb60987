/// Scans JSON text from a ``ChunkedFile`` a value at a time without parsing it: it finds where each value
/// ends (strings, escapes and nesting taken into account), hands out its bytes, and counts lines as it goes.
/// ``GraphExportReader`` walks an export's outer structure with it and parses each record on its own, so
/// only one record is in memory at a time.
struct JSONStreamScanner {
    /// A scanned value: its bytes (nil when it was larger than the caller would keep), its size in bytes and
    /// the line it starts on.
    struct Value {
        var bytes: ArraySlice<UInt8>?
        var size: Int
        var line: Int
    }

    /// The deepest nesting the scanner follows; deeper input is not an export.
    static let maxDepth = 512

    private var file: ChunkedFile
    /// The line the next byte is on (1-based).
    private(set) var line = 1
    /// The file's name, for messages.
    let name: String

    init(file: ChunkedFile, name: String) {
        self.file = file
        self.name = name
        // A UTF-8 byte order mark is tolerated.
        while self.file.buffer.count < 3, self.file.refill() != nil {}
        let buffer = self.file.buffer
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { self.file.position = 3 }
    }

    /// The share of the file scanned so far, when its size is known.
    var fractionRead: Double? {
        guard let size = file.size, size > 0 else { return nil }
        return min(1, Double(file.bytesRead) / Double(size))
    }

    /// Skips whitespace and returns the next byte without consuming it; nil at the end of the file.
    mutating func peek() -> UInt8? {
        while true {
            while file.position < file.buffer.count {
                switch file.buffer[file.position] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                    file.position += 1
                case UInt8(ascii: "\n"):
                    line += 1
                    file.position += 1
                case let byte:
                    return byte
                }
            }
            if file.refill() == nil { return nil }
        }
    }

    /// Consumes the byte ``peek()`` returned (never a line break).
    mutating func advance() {
        file.position += 1
    }

    /// Consumes `byte` as the next byte after whitespace, or fails saying what was expected.
    mutating func expect(_ byte: UInt8, _ what: String) throws(SyncFailure) {
        guard peek() == byte else { throw failure("expected \(what)") }
        advance()
    }

    /// A failure at the current line.
    func failure(_ message: String) -> SyncFailure {
        SyncFailure("\(name), line \(line): \(message)", line: line)
    }

    /// Scans the value that starts at the next byte after whitespace and consumes it. Its bytes are kept
    /// when it takes at most `limit` bytes; with no limit none are kept (the value is skipped). Input that is
    /// not JSON inside the value is left for the parser; a bracket closed by the wrong one, or the end of the
    /// file inside the value, fails.
    mutating func scanValue(keepingAtMost limit: Int?) throws(SyncFailure) -> Value {
        guard peek() != nil else { throw failure("the file ends where a value should be") }
        let startLine = line
        var start: Int? = limit == nil ? nil : file.position
        var index = file.position
        var scanned = 0
        var state = ScanState()
        while true {
            let step = file.buffer.withUnsafeBufferPointer { Self.advance(over: $0, from: index, &state) }
            switch step {
            case .ended(let end):
                scanned += end - index
                file.position = end
                line += state.lines
                let kept = limit.map { scanned <= $0 } == true ? start.map { file.buffer[$0..<end] } : nil
                return Value(bytes: kept, size: scanned, line: startLine)
            case .mismatch(let found, let expected):
                line += state.lines
                let closer = Character(Unicode.Scalar(found))
                throw failure(expected.map { "'\(closer)' where '\(Character(Unicode.Scalar($0)))' should close the value" } ?? "'\(closer)' closes nothing")
            case .tooDeep:
                line += state.lines
                throw failure("nesting is deeper than \(Self.maxDepth) levels")
            case .needsMore:
                scanned += file.buffer.count - index
                if let limit, scanned > limit { start = nil }
                file.position = file.buffer.count
                guard let shift = file.refill(keepingFrom: start ?? file.position) else {
                    line += state.lines
                    if state.scalar { return Value(bytes: start.map { file.buffer[$0...] }, size: scanned, line: startLine) }
                    throw failure("the file ends inside a value that starts on line \(startLine)")
                }
                start = start.map { $0 - shift }
                index = file.position
            }
        }
    }

    /// Where a scan is inside a value, kept across chunks.
    private struct ScanState {
        var closers: [UInt8] = []
        var started = false
        var inString = false
        var escaped = false
        var scalar = false
        /// Line breaks consumed.
        var lines = 0
    }

    private enum Step {
        /// The value ends just before this index.
        case ended(Int)
        /// The buffer ended first.
        case needsMore
        case mismatch(found: UInt8, expected: UInt8?)
        case tooDeep
    }

    private static func advance(over bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ state: inout ScanState) -> Step {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if state.scalar {
                // A number or literal ends at the first delimiter, which is not part of it.
                switch byte {
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: " "), UInt8(ascii: "\t"),
                    UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    return .ended(index)
                default:
                    index += 1
                    continue
                }
            }
            index += 1
            if byte == UInt8(ascii: "\n") { state.lines += 1 }
            if state.inString {
                if state.escaped {
                    state.escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    state.escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    state.inString = false
                    if state.closers.isEmpty { return .ended(index) }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                state.inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard state.closers.count < maxDepth else { return .tooDeep }
                state.closers.append(byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard state.closers.last == byte else { return .mismatch(found: byte, expected: state.closers.last) }
                state.closers.removeLast()
                if state.closers.isEmpty { return .ended(index) }
            default:
                if !state.started {
                    state.scalar = true
                    state.started = true
                    continue
                }
            }
            state.started = true
        }
        return .needsMore
    }
}
