import SCIM

/// Why a mapping file could not be loaded, or a record could not be mapped.
///
/// ```swift
/// do {
///     let mapped = try engine.map(record: record)
/// } catch {
///     error.kind          // .invalidRecord
///     error.target        // "active"
///     error.scimError     // 400 invalidValue, for a server answering a client
/// }
/// ```
public struct MappingError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that branch on it.
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or read.
        case unreadable
        /// The file has errors; ``MappingError/diagnostics`` lists them.
        case invalidFile
        /// A request the file cannot serve, such as an object mapping it does not have.
        case invalidRequest
        /// One record could not be mapped: a value that does not fit its target, a transformer or
        /// expression that failed.
        case invalidRecord
    }

    public var kind: Kind
    public var message: String
    /// For ``Kind/invalidRecord``: the target attribute being written.
    public var target: String?
    /// For ``Kind/invalidFile``: the errors found.
    public var diagnostics: [Diagnostic]

    public init(_ kind: Kind, _ message: String, target: String? = nil, diagnostics: [Diagnostic] = []) {
        self.kind = kind
        self.message = message
        self.target = target
        self.diagnostics = diagnostics
    }

    /// The error as a SCIM error: a record that cannot be mapped is the client's 400 `invalidValue`; a file
    /// or request the service cannot use is its own 500.
    public var scimError: SCIMError {
        switch kind {
        case .invalidRecord: return .invalidValue(description)
        case .unreadable, .invalidFile, .invalidRequest: return SCIMError(.internalServerError, nil, description)
        }
    }

    public var description: String {
        var text = target.map { "\($0): \(message)" } ?? message
        if let first = diagnostics.first {
            text += " — \(first.file):\(first.location): \(first.message)"
            if diagnostics.count > 1 { text += " (and \(diagnostics.count - 1) more)" }
        }
        return text
    }
}

/// Whether a record creates a target object or updates an existing one: `apply: on-create` mappings and
/// short-form defaults apply only on create.
public enum MappingMode: String, Sendable, Hashable, CaseIterable {
    case create, update
}
