/// An RFC 7644 §3.12 error: an HTTP status, an optional `scimType` and a human-readable detail.
///
/// Every function of this module that rejects input throws a `SCIMError`, so the server can answer with the
/// right status and body without knowing where the problem was found.
///
/// ```swift
/// throw SCIMError(.badRequest, .invalidFilter, "expected an operator after 'userName' at column 10")
/// ```
public struct SCIMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `scimType` values of RFC 7644 Table 9.
    public enum ScimType: String, Sendable, Hashable {
        case invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue,
            invalidVers, sensitive
    }

    /// The HTTP statuses SCIM errors use.
    public struct Status: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let badRequest = Status(rawValue: 400)
        public static let unauthorized = Status(rawValue: 401)
        public static let forbidden = Status(rawValue: 403)
        public static let notFound = Status(rawValue: 404)
        public static let methodNotAllowed = Status(rawValue: 405)
        public static let conflict = Status(rawValue: 409)
        public static let preconditionFailed = Status(rawValue: 412)
        public static let payloadTooLarge = Status(rawValue: 413)
        public static let unsupportedMediaType = Status(rawValue: 415)
        public static let internalServerError = Status(rawValue: 500)
        public static let notImplemented = Status(rawValue: 501)
        public static let serviceUnavailable = Status(rawValue: 503)
    }

    public var status: Status
    public var scimType: ScimType?
    public var detail: String

    public init(_ status: Status, _ scimType: ScimType? = nil, _ detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// A 400 with `invalidValue`.
    public static func invalidValue(_ detail: String) -> SCIMError { SCIMError(.badRequest, .invalidValue, detail) }
    /// A 400 with `invalidSyntax`.
    public static func invalidSyntax(_ detail: String) -> SCIMError { SCIMError(.badRequest, .invalidSyntax, detail) }
    /// A 400 with `invalidFilter`.
    public static func invalidFilter(_ detail: String) -> SCIMError { SCIMError(.badRequest, .invalidFilter, detail) }
    /// A 400 with `invalidPath`.
    public static func invalidPath(_ detail: String) -> SCIMError { SCIMError(.badRequest, .invalidPath, detail) }
    /// A 400 with `mutability`.
    public static func mutability(_ detail: String) -> SCIMError { SCIMError(.badRequest, .mutability, detail) }
    /// A 400 with `noTarget`.
    public static func noTarget(_ detail: String) -> SCIMError { SCIMError(.badRequest, .noTarget, detail) }
    /// A 409 with `uniqueness`.
    public static func uniqueness(_ detail: String) -> SCIMError { SCIMError(.conflict, .uniqueness, detail) }
    /// A 404.
    public static func notFound(_ detail: String) -> SCIMError { SCIMError(.notFound, nil, detail) }

    public static let errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

    /// The RFC 7644 error body. `status` is a string, as the RFC's examples and Entra's documentation show it.
    public var body: JSONValue {
        var object: JSONObject = ["schemas": [.string(Self.errorSchema)], "status": .string(String(status.rawValue))]
        if let scimType { object["scimType"] = .string(scimType.rawValue) }
        object["detail"] = .string(detail)
        return .object(object)
    }

    public var description: String {
        "\(status.rawValue)\(scimType.map { " \($0.rawValue)" } ?? ""): \(detail)"
    }
}
