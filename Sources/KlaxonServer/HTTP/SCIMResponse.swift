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
        let buffer = ByteBuffer(bytes: JSONWriter.bytes(from: body))
        return Response(status: .init(code: status), headers: headers, body: chunked(buffer))
    }

    /// The most bytes handed to the connection at once.
    static let chunkSize = 64 * 1024

    /// A large body goes out in chunks, each written once the connection can take more: so a client that reads
    /// makes the connection writable again after every few tens of kilobytes, which is how ``ConnectionGuard`` tells
    /// it from one that has stopped reading. Written whole, a list page of megabytes left NIO holding most of it,
    /// unwritable until nearly all of it had gone, and a steady reader of a large page was cut off as stalled.
    static func chunked(_ buffer: ByteBuffer) -> ResponseBody {
        guard buffer.readableBytes > chunkSize else { return ResponseBody(byteBuffer: buffer) }
        return ResponseBody(contentLength: buffer.readableBytes) { writer in
            var rest = buffer
            while let chunk = rest.readSlice(length: min(chunkSize, rest.readableBytes)), chunk.readableBytes > 0 {
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        }
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
