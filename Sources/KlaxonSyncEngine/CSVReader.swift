import SCIM

/// Reads an RFC 4180 CSV file: a header row names the columns; fields may be quoted (`""` for a quote,
/// line breaks inside quotes). Rows stream from the file; a row with the wrong number of fields, an
/// unterminated quote or bytes that are not UTF-8 is reported as malformed with its line (a header that is not
/// UTF-8 fails the read). Empty fields are left out of the record.
public struct CSVReader: SourceReader {
    private var lines: LineReader
    private let kind: SourceObjectKind
    private var header: [String] = []

    public init(path: String, kind: SourceObjectKind = .user) throws(SyncFailure) {
        lines = try LineReader(path: path)
        self.kind = kind
        switch readRow() {
        case .fields(let names, _)?: header = names.map { $0.trimming(" ") }
        case .notUTF8?: throw SyncFailure("\(path): the header row \(Self.notUTF8)")
        case .malformed?, nil: throw SyncFailure("\(path) has no header row")
        }
    }

    /// What a row, or the header, whose bytes are not UTF-8 is told.
    private static let notUTF8 =
        "is not UTF-8: the file must be UTF-8 (convert it with e.g. iconv -f latin1 -t utf-8 in.csv > out.csv)"

    public var fractionRead: Double? { lines.fractionRead }

    public mutating func next() async throws(SyncFailure) -> SourceEntry? {
        while let row = readRow() {
            switch row {
            case .malformed(let line, let reason):
                return .malformed(line: line, reason: reason)
            case .notUTF8(let line):
                return .malformed(line: line, reason: "the row \(Self.notUTF8)")
            case .fields(let fields, let line):
                if fields.count == 1, fields[0].isEmpty { continue }
                guard fields.count == header.count else {
                    return .malformed(line: line, reason: "\(fields.count) fields where the header has \(header.count)")
                }
                var members: [JSONObject.Member] = []
                for (name, value) in zip(header, fields) where !value.isEmpty {
                    members.append(JSONObject.Member(key: name, value: .string(value)))
                }
                return .item(SourceItem(kind: kind, record: JSONObject(members), line: line))
            }
        }
        return nil
    }

    private enum Row {
        case fields([String], line: Int)
        case malformed(line: Int, reason: String)
        case notUTF8(line: Int)
    }

    /// One record, which may span lines when a quoted field holds a line break.
    private mutating func readRow() -> Row? {
        guard var line = lines.nextLine() else { return nil }
        let start = lines.lineNumber
        var fields: [String?] = []
        var field: [UInt8] = []
        var inQuotes = false
        var index = 0
        while true {
            if index == line.count {
                if inQuotes {
                    guard let more = lines.nextLine() else {
                        return .malformed(line: start, reason: "a quoted field is not closed")
                    }
                    field.append(UInt8(ascii: "\n"))
                    line = more
                    index = 0
                    continue
                }
                fields.append(String(validating: field, as: UTF8.self))
                let text = fields.compactMap { $0 }
                return text.count == fields.count ? .fields(text, line: start) : .notUTF8(line: start)
            }
            let byte = line[index]
            index += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index < line.count, line[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(validating: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else if byte == UInt8(ascii: "\""), field.isEmpty {
                inQuotes = true
            } else if byte == UInt8(ascii: "\"") {
                return .malformed(line: start, reason: "a quote inside an unquoted field (column \(index))")
            } else {
                field.append(byte)
            }
        }
    }
}

extension String {
    func trimming(_ set: String) -> String {
        let drop: (Character) -> Bool = { set.contains($0) }
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}
