import Foundation
import SCIM

/// What a run did: counts by outcome, each failure and malformed row with its reason, and (for a dry run)
/// the requests that would have been sent.
public struct SyncReport: Sendable, Equatable {
    /// A record that could not be synchronised, or a source row that could not be read.
    public struct Failure: Sendable, Equatable {
        /// `user:<source id>`, `group:<source id>`, or `line` for a malformed row.
        public var object: String
        /// The source line (JSON, CSV, LDIF) or position (a SCIM source); 0 when there is none.
        public var line: Int
        public var reason: String

        public init(object: String, line: Int, reason: String) {
            self.object = object
            self.line = line
            self.reason = reason
        }
    }

    public var created = 0
    public var updated = 0
    public var disabled = 0
    public var deleted = 0
    /// Records that needed nothing: unchanged since the last run, already as wanted, or out of scope and absent.
    public var skipped = 0
    public var failures: [Failure] = []
    /// For `--dry-run`: `POST /Users {…}`, one line per request that would have been sent.
    public var planned: [String] = []
    /// What the run chose not to do, and why: users not deactivated because the source held none, a group
    /// whose members the export gave only in part.
    public var notes: [String] = []

    public init() {}

    public var failed: Int { failures.count }

    /// `created 3, updated 1, disabled 1, deleted 0, skipped 7, failed 1`, then a line per failure and per note.
    public var summary: String {
        var text = "created \(created), updated \(updated), disabled \(disabled), deleted \(deleted), skipped \(skipped), failed \(failed)"
        for failure in failures {
            text += "\n  failed \(failure.object) (line \(failure.line)): \(failure.reason)"
        }
        for note in notes {
            text += "\n  note: \(note)"
        }
        return text
    }

    /// The report as JSON, for `--report FILE`.
    public var json: JSONValue {
        let failureList: [JSONValue] = failures.map {
            ["object": .string($0.object), "line": .integer($0.line), "reason": .string($0.reason)]
        }
        var object: JSONObject = [
            "created": .integer(created), "updated": .integer(updated), "disabled": .integer(disabled),
            "deleted": .integer(deleted), "skipped": .integer(skipped), "failed": .integer(failed),
            "failures": .array(failureList),
        ]
        if !planned.isEmpty { object["planned"] = .array(planned.map(JSONValue.string)) }
        if !notes.isEmpty { object["notes"] = .array(notes.map(JSONValue.string)) }
        return .object(object)
    }
}
