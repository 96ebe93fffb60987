import Foundation
import SCIM

/// Whether a source record is a user or a group.
public enum SourceObjectKind: String, Sendable, Hashable {
    case user, group
}

/// One record read from a source, with where it was (a line for CSV and LDIF, a position for JSON).
public struct SourceItem: Sendable {
    public var kind: SourceObjectKind
    public var record: JSONObject
    /// The line the record starts on (CSV, LDIF) or its 1-based position in the export (JSON).
    public var line: Int

    public init(kind: SourceObjectKind, record: JSONObject, line: Int) {
        self.kind = kind
        self.record = record
        self.line = line
    }
}

/// What a reader yields: a record, or a row it could not read (reported and skipped).
public enum SourceEntry: Sendable {
    case item(SourceItem)
    case malformed(line: Int, reason: String)
}

/// Reads source records one at a time. `next()` returns nil at the end; a file that cannot be read at all
/// throws ``SyncFailure``.
public protocol SourceReader {
    mutating func next() throws(SyncFailure) -> SourceEntry?
}

/// The source file formats `klaxon-sync sync` reads.
public enum SourceFormat: String, Sendable, CaseIterable {
    case json, csv, ldif

    /// The format a file's extension implies, nil if it implies none.
    public init?(path: String) {
        let lower = path.lowercased()
        guard let ext = lower.split(separator: ".").last.map(String.init) else { return nil }
        switch ext {
        case "json": self = .json
        case "csv": self = .csv
        case "ldif", "ldf": self = .ldif
        default: return nil
        }
    }

    /// Opens a file reader for this format; `kind` is what a CSV row is (CSV has no object classes).
    public func reader(path: String, kind: SourceObjectKind = .user) throws(SyncFailure) -> any SourceReader {
        switch self {
        case .json: return try GraphExportReader(path: path)
        case .csv: return try CSVReader(path: path, kind: kind)
        case .ldif: return try LDIFReader(path: path)
        }
    }
}

/// Reads a file in chunks, one line at a time (LF or CRLF), so memory stays flat however big the file.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// The number of the line `nextLine()` returned last.
    private(set) var lineNumber = 0

    init(path: String) throws(SyncFailure) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SyncFailure("cannot open \(path)") }
        self.handle = handle
    }

    /// The next line's bytes without its terminator; nil at the end of the file.
    mutating func nextLine() -> [UInt8]? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[position..<end])
                position = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                var line = Array(buffer[position...])
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                position = buffer.count
                lineNumber += 1
                return line
            }
            buffer.removeFirst(position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
