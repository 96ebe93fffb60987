import Foundation
import SCIM

/// Whether a source record is a user or a group.
public enum SourceObjectKind: String, Sendable, Hashable {
    case user, group
}

/// One record read from a source, with the line it starts on (a position for a SCIM source).
public struct SourceItem: Sendable {
    public var kind: SourceObjectKind
    public var record: JSONObject
    /// The line the record starts on (JSON, CSV, LDIF), or its 1-based position in a SCIM source's listing.
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

/// Reads source records one at a time, users before groups, holding only what it must: `next()` returns nil
/// at the end; a source that cannot be read on (a file that is not JSON past some line, a SCIM page that
/// fails) throws ``SyncFailure``.
public protocol SourceReader {
    mutating func next() async throws(SyncFailure) -> SourceEntry?
    /// How much of the source has been read, from 0 to 1, when the reader can tell (files: bytes read of
    /// the file's size); nil otherwise.
    var fractionRead: Double? { get }
}

extension SourceReader {
    public var fractionRead: Double? { nil }
}

/// The source formats `klaxon-sync sync` reads: three file formats and another SCIM 2.0 endpoint.
public enum SourceFormat: String, Sendable, CaseIterable {
    case json, csv, ldif, scim

    /// The format a source implies: `scim` for an http(s) URL, else the file's extension; nil if neither says.
    public init?(path: String) {
        if Self.isURL(path) {
            self = .scim
            return
        }
        let lower = path.lowercased()
        guard let ext = lower.split(separator: ".").last.map(String.init) else { return nil }
        switch ext {
        case "json": self = .json
        case "csv": self = .csv
        case "ldif", "ldf": self = .ldif
        default: return nil
        }
    }

    /// The format of `source`: `format` (e.g. `--source-format`) if given, checked against the source
    /// (`scim` needs an http(s) URL, the file formats a file), else what the source implies.
    public static func resolve(source: String, format: String?) throws(SyncFailure) -> SourceFormat {
        guard let format else {
            guard let implied = SourceFormat(path: source) else {
                throw SyncFailure("cannot tell the format of \(source) from its extension; give --source-format")
            }
            return implied
        }
        guard let named = SourceFormat(rawValue: format.lowercased()) else {
            throw SyncFailure("the source format must be one of \(allCases.map(\.rawValue).joined(separator: ", ")), not \(format)")
        }
        if named == .scim, !isURL(source) { throw SyncFailure("a scim source is an http(s) URL, not \(source)") }
        if named != .scim, isURL(source) { throw SyncFailure("a \(named.rawValue) source is a file; an http(s) URL is read as scim") }
        return named
    }

    /// Opens a file reader for this format; `kind` is what a CSV row is (CSV has no object classes). A SCIM
    /// endpoint is read with ``SCIMSourceReader`` instead.
    public func reader(path: String, kind: SourceObjectKind = .user) throws(SyncFailure) -> any SourceReader {
        switch self {
        case .json: return try GraphExportReader(path: path)
        case .csv: return try CSVReader(path: path, kind: kind)
        case .ldif: return try LDIFReader(path: path)
        case .scim: throw SyncFailure("\(path) is a SCIM endpoint: read it with SCIMSourceReader")
        }
    }

    static func isURL(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}

/// A file read a chunk at a time into a buffer that keeps only the bytes its reader still needs, so memory
/// stays flat however big the file. Readers scan `buffer` from `position` and call ``refill(keepingFrom:)``
/// when they reach its end.
struct ChunkedFile {
    private let handle: FileHandle?
    private let chunkSize: Int
    /// The file's size in bytes, when known.
    let size: Int?
    private(set) var buffer: [UInt8]
    /// The next byte to read in `buffer`.
    var position = 0
    private(set) var atEnd: Bool
    /// Bytes dropped from the front of `buffer` so far.
    private var dropped = 0

    init(path: String, chunkSize: Int = 1 << 16) throws(SyncFailure) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SyncFailure("cannot open \(path)") }
        self.handle = handle
        self.chunkSize = max(1, chunkSize)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        size = (attributes?[.size] as? NSNumber)?.intValue
        buffer = []
        atEnd = false
    }

    /// Bytes already in memory, handed out `chunkSize` at a time as if read from a file (tests use small
    /// chunks to put records across chunk boundaries).
    init(bytes: [UInt8], chunkSize: Int = 1 << 16) {
        handle = nil
        self.chunkSize = max(1, chunkSize)
        size = bytes.count
        pending = bytes[...]
        buffer = []
        atEnd = false
    }

    private var pending: ArraySlice<UInt8> = []

    /// Bytes of the file consumed so far (up to `position`).
    var bytesRead: Int { dropped + position }

    /// Reads the next chunk, drops the bytes before `keep` (default: `position`), and returns how many bytes
    /// moved out of the front (subtract it from any index kept into `buffer`). At the end of the file it returns
    /// nil and moves nothing, so indexes into `buffer` stay valid.
    mutating func refill(keepingFrom keep: Int? = nil) -> Int? {
        guard !atEnd else { return nil }
        let chunk: [UInt8]
        if let handle {
            chunk = Array(handle.readData(ofLength: chunkSize))
        } else {
            chunk = Array(pending.prefix(chunkSize))
            pending = pending.dropFirst(chunk.count)
        }
        guard !chunk.isEmpty else {
            atEnd = true
            return nil
        }
        let shift = min(keep ?? position, position)
        buffer.removeFirst(shift)
        position -= shift
        dropped += shift
        buffer.append(contentsOf: chunk)
        return shift
    }
}

/// Reads a file in chunks, one line at a time (LF or CRLF).
struct LineReader {
    private var file: ChunkedFile
    /// The number of the line `nextLine()` returned last.
    private(set) var lineNumber = 0

    init(path: String) throws(SyncFailure) {
        file = try ChunkedFile(path: path)
    }

    /// The share of the file read so far, when its size is known.
    var fractionRead: Double? {
        guard let size = file.size, size > 0 else { return nil }
        return min(1, Double(file.bytesRead) / Double(size))
    }

    /// The next line's bytes without its terminator, nor the UTF-8 byte-order mark Windows tools put before
    /// the first; nil at the end of the file.
    mutating func nextLine() -> [UInt8]? {
        guard var line = nextRawLine() else { return nil }
        if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        return line
    }

    /// The next line's bytes without its terminator, as they are in the file.
    private mutating func nextRawLine() -> [UInt8]? {
        while true {
            let position = file.position
            if let newline = file.buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position, file.buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(file.buffer[position..<end])
                file.position = newline + 1
                lineNumber += 1
                return line
            }
            if file.refill() == nil {
                guard file.position < file.buffer.count else { return nil }
                var line = Array(file.buffer[file.position...])
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                file.position = file.buffer.count
                lineNumber += 1
                return line
            }
        }
    }
}
