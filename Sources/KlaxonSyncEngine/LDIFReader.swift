import Foundation
import SCIM

/// Reads LDIF content records (RFC 2849): `dn:` starts a record, a blank line ends it, a line starting with
/// one space continues the previous one, `#` lines are comments (folded ones too), `attr:: ` values are base64
/// (decoded when UTF-8 text; a binary value such as `objectGUID` or `objectSid` keeps its base64 text), and an
/// attribute given more than once becomes an array. The record's `dn` is kept as `dn`. Entries whose
/// `objectClass` is `group`, `groupOfNames` or `groupOfUniqueNames` are groups, their `member` / `uniqueMember`
/// DNs gathered in `members`. Records stream from the file; one that cannot be read (no `dn`, bad base64, a line
/// that is not UTF-8 or has no colon, a URL value) is reported with its line and skipped.
public struct LDIFReader: SourceReader {
    private var lines: LineReader

    public init(path: String) throws(SyncFailure) {
        lines = try LineReader(path: path)
    }

    public var fractionRead: Double? { lines.fractionRead }

    public mutating func next() async throws(SyncFailure) -> SourceEntry? {
        var logical: [(text: String, line: Int)] = []
        var inComment = false
        /// The first line of the record whose bytes are not UTF-8: the whole record is then malformed.
        var notUTF8: Int?
        // Gathers the logical lines (continuations unfolded, comments dropped with theirs) of the next record.
        while true {
            guard let bytes = lines.nextLine() else { break }
            let number = lines.lineNumber
            let text = String(validating: bytes, as: UTF8.self) ?? {
                notUTF8 = notUTF8 ?? number
                return String(decoding: bytes, as: UTF8.self)
            }()
            if text.hasPrefix(" ") {
                if inComment { continue }
                if logical.isEmpty { return .malformed(line: number, reason: "a continuation line with nothing to continue") }
                logical[logical.count - 1].text += text.dropFirst()
                continue
            }
            inComment = text.hasPrefix("#")
            if inComment { continue }
            if text.isEmpty {
                if logical.isEmpty { continue }
                break
            }
            logical.append((text, number))
        }
        if let notUTF8 {
            // RFC 2849: a value that is not UTF-8 text is written base64, as `name:: …`.
            return .malformed(line: notUTF8, reason: "the line is not UTF-8; the file must be UTF-8, with binary values in base64 (name:: …)")
        }
        guard let first = logical.first else { return nil }
        if first.text.lowercased().hasPrefix("version:") {
            logical.removeFirst()
            if logical.isEmpty { return try await next() }
        }
        return parse(logical)
    }

    /// A control character other than tab and line breaks: no text value holds one.
    private static func isBinary(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && !["\t", "\n", "\r"].contains(scalar)
    }

    private func parse(_ logical: [(text: String, line: Int)]) -> SourceEntry {
        let start = logical[0].line
        var record = JSONObject()
        for (text, number) in logical {
            guard let colon = text.firstIndex(of: ":") else {
                return .malformed(line: number, reason: "'\(text.prefix(40))' has no ':'")
            }
            let name = String(text[..<colon])
            let rest = text[text.index(after: colon)...]
            let value: String
            if rest.hasPrefix(":") {
                let encoded = String(rest.dropFirst().trimmingPrefix(while: { $0 == " " }))
                guard let data = Data(base64Encoded: encoded) else {
                    return .malformed(line: number, reason: "\(name) has a value that is not base64")
                }
                // Bytes that are not text (objectGUID, objectSid, even when they happen to be valid UTF-8, as a
                // well-known SID's are) stay base64, as Entra ID's immutableId does.
                let text = String(data: data, encoding: .utf8)
                value = text.flatMap { $0.unicodeScalars.contains(where: Self.isBinary) ? nil : $0 } ?? encoded
            } else if rest.hasPrefix("<") {
                return .malformed(line: number, reason: "\(name) refers to a URL; only inline values are read")
            } else {
                value = String(rest.trimmingPrefix(while: { $0 == " " }))
            }
            if name.lowercased() == "changetype" {
                return .malformed(line: number, reason: "change records are not read, only content records")
            }
            switch record[name] {
            case nil: record[name] = .string(value)
            case .array(let items)?: record[name] = .array(items + [.string(value)])
            case let single?: record[name] = .array([single, .string(value)])
            }
        }
        guard record["dn"] != nil, record.members.first?.key.lowercased() == "dn" else {
            return .malformed(line: start, reason: "a record must start with dn:")
        }
        let classes = (record["objectClass"].map { $0.arrayValue ?? [$0] } ?? []).compactMap { $0.stringValue?.lowercased() }
        let isGroup = classes.contains { ["group", "groupofnames", "groupofuniquenames"].contains($0) }
        if isGroup {
            var members: [JSONValue] = []
            for key in ["member", "uniqueMember"] {
                if let value = record[key] { members += value.arrayValue ?? [value] }
            }
            record["members"] = .array(members)
        }
        return .item(SourceItem(kind: isGroup ? .group : .user, record: record, line: start))
    }
}
