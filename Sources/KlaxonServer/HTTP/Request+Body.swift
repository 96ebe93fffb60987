import Hummingbird
import NIOCore

/// A request body that did not arrive whole: the client closed or reset the connection, sent a malformed body, or
/// took longer than the request timeout. The client's doing, not the server's, and usually nobody is left to read
/// the answer.
struct UnreadableRequestBody: Error, CustomStringConvertible {
    var reason: String

    var description: String { "the request could not be read: \(reason)" }
}

extension Request {
    /// The whole body, at most `limit` bytes: past that `NIOTooManyBytesError` (413); a body that breaks off throws
    /// ``UnreadableRequestBody``.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch let error as NIOTooManyBytesError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UnreadableRequestBody(reason: "\(error)")
        }
    }
}
