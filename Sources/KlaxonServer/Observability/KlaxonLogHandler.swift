import Foundation
import Logging
import SCIM

/// Writes each log message as one line to standard error: logfmt for people and `grep`, or JSON for log
/// shippers (Loki, Elasticsearch, CloudWatch).
///
/// ```text
/// at=2026-11-29T12:00:00.123Z level=info logger=klaxon-sync msg="request" method=POST route=/scim/v2/{org}/Users status=201
/// {"at":"2026-11-29T12:00:00.123Z","level":"info","logger":"klaxon-sync","msg":"request","method":"POST",…}
/// ```
///
/// Metadata is merged when a line is written, not when it is set: Hummingbird sets a request id on every request's
/// logger, and a handler that formats metadata eagerly pays for that on requests that log nothing.
///
/// ```swift
/// LoggingSystem.bootstrap { label in KlaxonLogHandler(label: label, format: .json) }
/// ```
public struct KlaxonLogHandler: LogHandler {
    /// How a line is written.
    public enum Format: String, Sendable, CaseIterable {
        /// `key=value` pairs (logfmt), values quoted when they need it.
        case text
        /// One JSON object per line.
        case json
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// A handler for `label` writing to standard error, or to `write` (one call per line, newline included).
    public init(
        label: String, format: Format, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.format = format
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, handler in handler }
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        write(Self.line(format: format, at: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// The line for one message, newline included; metadata in key order so lines are stable.
    static func line(format: Format, at date: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let fixed: [(String, JSONValue)] = [
            ("at", .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))),
            ("level", .string(level.rawValue)), ("logger", .string(label)), ("msg", .string(message)),
        ]
        let fields = fixed + metadata.sorted { $0.key < $1.key }.map { (key($0.key), json($0.value)) }
        switch format {
        case .json:
            return JSONWriter.string(from: .object(JSONObject(fields.map { JSONObject.Member(key: $0.0, value: $0.1) }))) + "\n"
        case .text:
            return fields.map { key, value in "\(key)=\(logfmt(value))" }.joined(separator: " ") + "\n"
        }
    }

    /// A metadata key as written: one that would repeat a fixed field gets a `meta.` prefix, and characters a
    /// logfmt key cannot hold become `_`.
    private static func key(_ name: String) -> String {
        let safe = String(decoding: name.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                return byte
            default:
                return UInt8(ascii: "_")
            }
        }, as: UTF8.self)
        return ["at", "level", "logger", "msg"].contains(safe) || safe.isEmpty ? "meta.\(safe)" : safe
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let values): return .object(JSONObject(values.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: json($0.value)) }))
        }
    }

    /// A logfmt value: bare when it is a simple word, else a JSON string (quotes, escapes); nested values as JSON.
    private static func logfmt(_ value: JSONValue) -> String {
        guard case .string(let text) = value else { return JSONWriter.string(from: value) }
        let bare = !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") }
        return bare ? text : JSONWriter.string(from: value)
    }
}
