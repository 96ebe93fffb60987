import HTTPTypes
import Hummingbird
import SCIM

/// Builds `application/scim+json` responses.
enum SCIMResponse {
    static let contentType = "application/scim+json; charset=utf-8"
    /// The seconds a 503 (the database cannot be reached) asks clients to wait before trying again.
    static let retryAfterUnavailable = 10

    static func json(_ status: Int, _ body: JSONValue?, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        guard let body else {
            return Response(status: .init(code: status), headers: headers)
        }
        headers[.contentType] = contentType
        let bytes = JSONWriter.bytes(from: body)
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func error(_ error: SCIMError) -> Response {
        var headers: HTTPFields = [:]
        if error.status == .unauthorized {
            headers[.wwwAuthenticate] = #"Bearer realm="Klaxon SCIM", error="invalid_token""#
        }
        if error.status == .serviceUnavailable {
            headers[.retryAfter] = String(retryAfterUnavailable)
        }
        return json(error.status.rawValue, error.body, headers: headers)
    }
}
