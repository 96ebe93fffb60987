import Foundation
import KlaxonMapping
import NIOHTTP1
import SCIM

/// Synchronises a source into a SCIM 2.0 endpoint through a mapping file: each record is scoped and mapped,
/// matched against the target (the last run's id from the state, else a filtered GET per matching attribute
/// in precedence order), created if missing (unless it fails the target's checks, such as a user without a
/// `userName`: then it is not sent), and otherwise sent only its differences as one PATCH.
/// Out-of-scope users are deactivated (deleted if the object mapping's actions say `delete`). Groups are
/// synchronised after the users, their members translated from source ids to the target's user ids and
/// brought in line with one `add` and a `remove` per extra member. A failing record is reported and the
/// others go on.
///
/// ```swift
/// let client = SCIMClient(baseURL: url, token: token)
/// let engine = try SyncEngine(mappingFile: "Mappings/entra-id.yaml", client: client)
/// var reader = try SourceFormat.json.reader(path: "export.json")
/// var state = try SyncState.load(path: "state.json")
/// let report = await engine.run(&reader, state: &state)
/// ```
public struct SyncEngine: Sendable {
    /// The object mapping whose target is `User`, if the file has one enabled.
    public let users: MappingEngine?
    /// The object mapping whose target is `Group`, if the file has one enabled.
    public let groups: MappingEngine?
    public let client: SCIMClient
    /// Read the target but send nothing; the report lists what would have been sent.
    public var dryRun: Bool
    /// Records in flight at once.
    public var concurrency: Int

    public init(
        mappingFile: String, client: SCIMClient, dryRun: Bool = false, concurrency: Int = 8,
        transformers: TransformerRegistry = .standard, schemas: SchemaRegistry = .standard
    ) throws(SyncFailure) {
        let contents: MappingFileContents
        do {
            contents = try MappingFileReader.read(contentsOf: mappingFile)
        } catch {
            throw SyncFailure(error.message)
        }
        guard let set = contents.mappingSet else {
            throw SyncFailure("\(mappingFile) has errors: \(contents.diagnostics.map(\.message).joined(separator: "; "))")
        }
        func engine(for resource: String) throws(SyncFailure) -> MappingEngine? {
            guard let mapping = set.objectMappings.first(where: { $0.enabled && $0.targetResource.value == resource }) else { return nil }
            do {
                return try MappingEngine(mappingSet: set, object: mapping.name.value, transformers: transformers, schemas: schemas)
            } catch {
                let details = error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
                throw SyncFailure(([error.message] + details).joined(separator: "\n"))
            }
        }
        self.users = try engine(for: "User")
        self.groups = try engine(for: "Group")
        guard users != nil || groups != nil else { throw SyncFailure("\(mappingFile) maps neither users nor groups") }
        self.client = client
        self.dryRun = dryRun
        self.concurrency = max(1, concurrency)
    }

    /// Runs one synchronisation: users as they are read, then groups. `state` is read for what the last run
    /// sent and updated with this run's results (a dry run leaves it as it was). `progress` is called, on the
    /// caller's task, after every record read and every outcome; it should return quickly.
    ///
    /// A source that breaks off (the reader throws) or holds records it cannot read is reported with failures;
    /// what was read is synchronised, but nothing is deactivated or deleted for being absent, no group loses
    /// members (an unread record may be one of them), and the state keeps what it knew of the rest.
    public func run(
        _ reader: inout some SourceReader, state: inout SyncState, progress: ((SyncProgress) -> Void)? = nil
    ) async -> SyncReport {
        let previous = state
        let clock = ContinuousClock()
        let start = clock.now
        var report = SyncReport()
        var next = SyncState()
        var userIDs: [String: String] = [:]
        /// Users that failed this run and whose target id no run has recorded.
        var unresolvedUsers = Set<String>()
        var groupItems: [SourceItem] = []
        var seen = Set<String>()
        /// `kind:targetID` of every target object a record of this run resolved to: never retired.
        var claimedTargets = Set<String>()
        /// Kinds with a record keyed by a matching value (a source without ids) that failed before its target was
        /// looked up (in mapping or in the lookup): it may be a renamed one, whose old key would look gone, so
        /// nothing of that kind is retired this run.
        var failedUnresolved = Set<SourceObjectKind>()
        /// The line of the first record with each state key.
        var firstLines: [String: Int] = [:]
        var records: [SourceObjectKind: Int] = [:]
        var status = SyncProgress()
        func tell() {
            guard let progress else { return }
            status.failed = report.failures.count
            status.elapsed = clock.now - start
            progress(status)
        }
        func absorb(_ outcome: Outcome) {
            defer {
                status.processed += 1
                tell()
            }
            seen.insert(outcome.key)
            report.planned += outcome.planned
            switch outcome.result {
            case .created: report.created += 1
            case .updated: report.updated += 1
            case .disabled: report.disabled += 1
            case .deleted: report.deleted += 1
            case .skipped: report.skipped += 1
            case .failed(let reason): report.failures.append(.init(object: outcome.key, line: outcome.line, reason: reason))
            }
            report.notes += outcome.note.map { [$0] } ?? []
            var targetID = outcome.entry?.targetID
            if case .failed = outcome.result {
                // What failed is tried again next run: the state keeps what the last run recorded, never this
                // run's fingerprint. A user keeps its place in its groups by the target id this run found or the
                // last run recorded, or, with neither, by its groups not losing members this run.
                let kept = previous.entries[outcome.key]
                next.entries[outcome.key] = kept
                targetID = targetID ?? kept?.targetID
                if targetID == nil, outcome.mayBeRenamed { failedUnresolved.insert(outcome.kind) }
                if outcome.kind == .user {
                    if let targetID {
                        userIDs[outcome.sourceID] = targetID
                    } else {
                        unresolvedUsers.insert(outcome.sourceID)
                    }
                }
            } else if let entry = outcome.entry {
                next.entries[outcome.key] = entry
                if outcome.kind == .user { userIDs[outcome.sourceID] = entry.targetID }
            }
            if let targetID { claimedTargets.insert("\(outcome.kind.rawValue):\(targetID)") }
        }
        /// Claims a record's state key. A second record with the same key is reported and not synchronised, so
        /// that the first one alone is, run after run (both would write the same target object, in any order).
        func claim(_ item: SourceItem, engine: MappingEngine) -> Bool {
            guard let key = Self.stateKey(of: item, engine: engine) else { return true }
            if let first = firstLines[key] {
                report.failures.append(
                    .init(object: key, line: item.line, reason: "line \(first) has the same \(item.kind.rawValue); only that one is synchronised"))
                tell()
                return false
            }
            firstLines[key] = item.line
            return true
        }
        var sourceBrokeOff = false
        var sawUnreadable = false
        await withTaskGroup(of: Outcome.self) { group in
            var running = 0
            while true {
                let entry: SourceEntry?
                do throws(SyncFailure) {
                    entry = try await reader.next()
                } catch {
                    report.failures.append(.init(object: "source", line: error.line ?? 0, reason: error.message))
                    sourceBrokeOff = true
                    tell()
                    break
                }
                guard let entry else { break }
                status.read += 1
                status.fractionRead = reader.fractionRead
                tell()
                switch entry {
                case .malformed(let line, let reason):
                    sawUnreadable = true
                    report.failures.append(.init(object: "line", line: line, reason: reason))
                case .item(let item) where item.kind == .group:
                    records[.group, default: 0] += 1
                    if let groups, !claim(item, engine: groups) { continue }
                    groupItems.append(item)
                case .item(let item):
                    records[.user, default: 0] += 1
                    guard let users else {
                        report.skipped += 1
                        continue
                    }
                    guard claim(item, engine: users) else { continue }
                    if running >= concurrency, let outcome = await group.next() {
                        absorb(outcome)
                        running -= 1
                    }
                    group.addTask { await self.sync(item, engine: users, previous: previous, userIDs: nil) }
                    running += 1
                }
            }
            for await outcome in group { absorb(outcome) }
        }
        let incomplete = sourceBrokeOff || sawUnreadable
        /// Kinds whose objects in the state stay there untouched: not synchronised this run (no mapping for
        /// them), or absent from the source altogether, which an export that lost them is far likelier to be
        /// than a directory that did.
        var untouched = Set<SourceObjectKind>()
        /// Whether the objects of `kind` the source no longer has may be retired; if not, notes why and keeps them.
        func mayRetire(_ kind: SourceObjectKind, engine: MappingEngine?) -> Bool {
            let known = previous.entries.keys.filter { $0.hasPrefix("\(kind.rawValue):") }.count
            guard known > 0, !incomplete else { return !incomplete }
            if engine == nil || records[kind, default: 0] == 0 {
                untouched.insert(kind)
                if engine != nil {
                    report.notes.append(
                        "the source has no \(kind.rawValue)s: the \(known) the last run synchronised are left as they are (taken to be missing from the export)")
                }
                return false
            }
            if failedUnresolved.contains(kind) {
                untouched.insert(kind)
                report.notes.append(
                    "a \(kind.rawValue) failed before its target was found, and may be one renamed in the source: no \(kind.rawValue) is retired this run")
                return false
            }
            return true
        }
        // Every user record has run by now.
        let retiringUsers = mayRetire(.user, engine: users)
        if let users, retiringUsers {
            await retire(.user, engine: users, previous: previous, seen: seen, claimed: claimedTargets, absorb: absorb)
        }
        if let groups {
            // Without this run's users, members are translated by the ids the last run recorded, and a group
            // loses no member it cannot translate.
            let userIDsComplete = users != nil && records[.user, default: 0] > 0
            var recorded = userIDs
            if !userIDsComplete {
                for (key, entry) in previous.entries where key.hasPrefix("\(SourceObjectKind.user.rawValue):") {
                    recorded[String(key.dropFirst(SourceObjectKind.user.rawValue.count + 1))] = entry.targetID
                }
            }
            let ids = recorded
            let unresolved = unresolvedUsers
            await withTaskGroup(of: Outcome.self) { group in
                var running = 0
                for item in groupItems {
                    if running >= concurrency, let outcome = await group.next() {
                        absorb(outcome)
                        running -= 1
                    }
                    group.addTask {
                        await self.sync(
                            item, engine: groups, previous: previous, userIDs: ids, unresolved: unresolved, userIDsComplete: userIDsComplete,
                            keepingMembers: incomplete)
                    }
                    running += 1
                }
                for await outcome in group { absorb(outcome) }
            }
            // Decided once every group has run: a group's failure may be a rename.
            if mayRetire(.group, engine: groups) {
                await retire(.group, engine: groups, previous: previous, seen: seen, claimed: claimedTargets, absorb: absorb)
            }
        } else {
            report.skipped += groupItems.count
            _ = mayRetire(.group, engine: nil)
        }
        // What this run did not settle stays in the state: everything after an incomplete read, the kinds left
        // untouched, and an object a failed record claimed (its old key is then all that knows it).
        let settled = Set(next.entries.map { key, entry in "\(key.prefix { $0 != ":" }):\(entry.targetID)" })
        for (key, entry) in previous.entries where next.entries[key] == nil && !seen.contains(key) {
            let kind = String(key.prefix { $0 != ":" })
            let claimedByAFailure = claimedTargets.contains("\(kind):\(entry.targetID)") && !settled.contains("\(kind):\(entry.targetID)")
            if incomplete || untouched.contains(where: { $0.rawValue == kind }) || claimedByAFailure { next.entries[key] = entry }
        }
        if !dryRun { state = next }
        return report
    }

    /// Objects the last run synchronised that the source no longer has: users are deactivated (deleted if
    /// the actions say `delete`), groups deleted if the actions say so. Either way they leave the state.
    /// An object that a record of this run resolved to (`claimed`: renamed in a source without ids, so its
    /// key changed) is only forgotten.
    private func retire(
        _ kind: SourceObjectKind, engine: MappingEngine, previous: SyncState, seen: Set<String>, claimed: Set<String>,
        absorb: (Outcome) -> Void
    ) async {
        let actions = Set(engine.objectMapping.actions)
        let gone = previous.entries.filter {
            $0.key.hasPrefix("\(kind.rawValue):") && !seen.contains($0.key) && !claimed.contains("\(kind.rawValue):\($0.value.targetID)")
        }
        guard !gone.isEmpty else { return }
        let endpoint = kind == .user ? "/Users" : "/Groups"
        await withTaskGroup(of: Outcome.self) { group in
            var running = 0
            for (key, entry) in gone {
                if running >= concurrency, let outcome = await group.next() {
                    absorb(outcome)
                    running -= 1
                }
                group.addTask {
                    var outcome = Outcome(kind: kind, key: key, sourceID: String(key.dropFirst(kind.rawValue.count + 1)), line: 0, result: .skipped)
                    let path = "\(endpoint)/\(Self.percentEncoded(entry.targetID))"
                    do {
                        if actions.contains(.delete) {
                            _ = try await write(.DELETE, path, nil, &outcome)
                            outcome.result = .deleted
                        } else if kind == .user, actions.contains(.disable) {
                            let patch: JSONValue = [
                                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                "Operations": [ResourceDiff.replace("active", false)],
                            ]
                            _ = try await write(.PATCH, path, patch, &outcome)
                            outcome.result = .disabled
                        }
                    } catch {
                        outcome.result = .failed("no longer in the source: \(error)")
                    }
                    return outcome
                }
                running += 1
            }
            for await outcome in group { absorb(outcome) }
        }
    }

    // MARK: - One record

    struct Outcome: Sendable {
        enum Result: Sendable {
            case created, updated, disabled, deleted, skipped
            case failed(String)
        }

        var kind: SourceObjectKind
        var key: String
        var sourceID: String
        var line: Int
        var result: Result
        /// The state to keep for the object; nil to forget it.
        var entry: SyncState.Entry?
        var planned: [String] = []
        /// For the report's notes.
        var note: String?
        /// Keyed by a matching value and not yet looked up in the target: a failure may hide a rename.
        var mayBeRenamed = false
    }

    /// Synchronises one user or (with `userIDs`) one group. A group gains members but loses none when
    /// `keepingMembers` is set, when the export gives only the first page of its members, or when it has a member
    /// among `unresolved` (users that failed and have no known target id) or, unless `userIDsComplete`, a member
    /// `userIDs` does not know.
    private func sync(
        _ item: SourceItem, engine: MappingEngine, previous: SyncState, userIDs: [String: String]?, unresolved: Set<String> = [],
        userIDsComplete: Bool = true, keepingMembers: Bool = false
    ) async -> Outcome {
        let kind = item.kind
        let endpoint = kind == .user ? "/Users" : "/Groups"
        let ownID = Self.sourceID(of: item.record)
        var outcome = Outcome(kind: kind, key: "\(kind.rawValue):\(ownID ?? "?")", sourceID: ownID ?? "", line: item.line, result: .skipped)
        // Without a source id the key is a matching value: until the target is looked up, a failure may hide a rename.
        outcome.mayBeRenamed = ownID == nil
        do {
            var mapped = try mapping(item.record, engine: engine, mode: .create, userIDs: userIDs)
            guard let sourceID = ownID ?? mapped.matchingValues.lazy.compactMap({ $0?.stringValue }).first
            else { throw SyncFailure("the record has no id and no matching value") }
            outcome.sourceID = sourceID
            outcome.key = "\(kind.rawValue):\(sourceID)"
            let fingerprint = SyncState.fingerprint(.array([.object(mapped.resource), .bool(mapped.isInScope)]))
            let known = previous.entries[outcome.key]
            if let known, known.fingerprint == fingerprint {
                outcome.entry = known
                return outcome
            }
            let actions = Set(engine.objectMapping.actions)
            var found = try await find(endpoint, id: known?.targetID, engine: engine, values: mapped.matchingValues)
            outcome.mayBeRenamed = false
            if found == nil {
                guard mapped.isInScope, actions.contains(.create) else { return outcome }
                let body = JSONValue.object(mapped.resource)
                // The target's own check, so that a dry run does not count as created what the target would refuse.
                do {
                    _ = try ResourceValidator(engine.resourceSchema).validate(body, mode: .create)
                } catch {
                    throw SyncFailure(error.detail)
                }
                do {
                    let created = try await write(.POST, endpoint, body, &outcome, redacting: engine.redactedTargets)
                    guard let id = created?["id"]?.stringValue ?? (dryRun ? "dry-run" : nil) else {
                        throw SyncFailure("POST \(endpoint) answered without an id")
                    }
                    outcome.result = .created
                    outcome.entry = SyncState.Entry(fingerprint: fingerprint, targetID: id)
                    return outcome
                } catch let failure as SyncFailure where failure.status == 409 {
                    // A retried POST whose first answer was lost, or an object created meanwhile: update it instead.
                    found = try await find(endpoint, id: nil, engine: engine, values: mapped.matchingValues)
                    if found == nil { throw failure }
                }
            }
            guard let existing = found else { return outcome }
            guard let id = existing["id"]?.stringValue else { throw SyncFailure("the target's \(endpoint) resource has no id") }
            outcome.entry = SyncState.Entry(fingerprint: fingerprint, targetID: id)
            let wasActive = existing["active"]?.boolValue != false
            var operations: [JSONValue] = []
            if !mapped.isInScope {
                if actions.contains(.delete) {
                    _ = try await write(.DELETE, "\(endpoint)/\(id)", nil, &outcome)
                    outcome.result = .deleted
                    outcome.entry = nil
                    return outcome
                }
                guard kind == .user, actions.contains(.disable), wasActive else { return outcome }
                operations = [ResourceDiff.replace("active", false)]
            } else {
                guard actions.contains(.update) else { return outcome }
                mapped = try mapping(item.record, engine: engine, mode: .update, userIDs: userIDs)
                operations = ResourceDiff.operations(
                    desired: mapped.resource, existing: existing, cleared: mapped.clearedAttributes, filledIfEmpty: mapped.filledIfEmpty,
                    schema: engine.resourceSchema)
                // Membership is brought in line only when the mapping writes members and the record carries
                // them: an export made without members leaves the target's alone.
                let mapsMembers = engine.objectMapping.mappings.contains { $0.target.value.equalsIgnoringASCIICase("members") }
                if kind == .group, mapsMembers, item.record.members.contains(where: { $0.key.equalsIgnoringASCIICase("members") }) {
                    let desired = (mapped.resource["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
                    let current = (existing["members"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
                    var keeps = keepingMembers
                    if !keeps, item.record.members.contains(where: { $0.key.equalsIgnoringASCIICase("members@odata.nextLink") }) {
                        keeps = true
                        outcome.note = "\(outcome.key): the export gives only the first page of its members (members@odata.nextLink), so none is removed"
                    }
                    if !keeps, !unresolved.isEmpty || !userIDsComplete {
                        // The source's own member ids, before they became the target's.
                        let sourceMembers = try engine.map(record: item.record, mode: .update).resource["members"]?.arrayValue ?? []
                        let unknown = sourceMembers.filter { member in
                            guard let id = member["value"]?.stringValue else { return false }
                            return unresolved.contains(id) || (!userIDsComplete && userIDs?[id] == nil)
                        }
                        keeps = !unknown.isEmpty
                        if !userIDsComplete, keeps {
                            outcome.note = "\(outcome.key): \(unknown.count) of its members are users no run has synchronised, so none is removed"
                        }
                    }
                    operations += ResourceDiff.membershipOperations(desired: desired, existing: current, removing: !keeps)
                    // Members held back are looked at again next run, even if the record does not change.
                    if keeps { outcome.entry = SyncState.Entry(fingerprint: SyncState.unsettled, targetID: id) }
                }
            }
            guard !operations.isEmpty else { return outcome }
            let patch: JSONValue = ["schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": .array(operations)]
            _ = try await write(.PATCH, "\(endpoint)/\(id)", patch, &outcome, redacting: engine.redactedTargets)
            let disables = wasActive && (mapped.resource["active"]?.boolValue == false || !mapped.isInScope)
            outcome.result = kind == .user && disables ? .disabled : .updated
            return outcome
        } catch let failure as SyncFailure {
            outcome.result = .failed(failure.message)
        } catch let error as MappingError {
            outcome.result = .failed(error.target.map { "\($0): \(error.message)" } ?? error.message)
        } catch {
            outcome.result = .failed("\(error)")
        }
        return outcome
    }

    /// Maps a record; for a group, its members' source ids become the target's user ids (members the
    /// target does not have are left out).
    private func mapping(_ record: JSONObject, engine: MappingEngine, mode: MappingMode, userIDs: [String: String]?) throws -> MappedResource {
        var mapped = try engine.map(record: record, mode: mode)
        if let userIDs, let members = mapped.resource["members"]?.arrayValue {
            let translated: [JSONValue] = members.compactMap { member in
                guard let source = member["value"]?.stringValue, let id = userIDs[source] else { return nil }
                return ["value": .string(id)]
            }
            mapped.resource["members"] = .array(translated)
        }
        return mapped
    }

    /// The key the state knows a record by: `user:` or `group:` and its source id, else its first matching
    /// value. Nil if it has neither (its synchronisation reports that).
    static func stateKey(of item: SourceItem, engine: MappingEngine) -> String? {
        if let id = sourceID(of: item.record) { return "\(item.kind.rawValue):\(id)" }
        guard let mapped = try? engine.map(record: item.record, mode: .create),
            let value = mapped.matchingValues.lazy.compactMap({ $0?.stringValue }).first
        else { return nil }
        return "\(item.kind.rawValue):\(value)"
    }

    /// The source's own id for a record: Graph's `id`/`objectId`, an LDIF `dn`.
    static func sourceID(of record: JSONObject) -> String? {
        for key in ["id", "objectId", "dn"] {
            if let value = record[key]?.stringValue, !value.isEmpty { return value }
        }
        return nil
    }

    /// The target object: by the id the last run recorded, else by each matching attribute with a value, in
    /// precedence order. More than one match is a failure (the record is ambiguous).
    private func find(_ endpoint: String, id: String?, engine: MappingEngine, values: [JSONValue?]) async throws(SyncFailure) -> JSONObject? {
        if let id {
            let reply = try await client.send(.GET, "\(endpoint)/\(Self.percentEncoded(id))")
            if reply.status == 200, let object = reply.body?.objectValue { return object }
            if reply.status != 404 { throw Self.failure("GET \(endpoint)/\(id)", reply) }
        }
        for (attribute, value) in zip(engine.matchingAttributes, values) {
            guard let value, !value.isNull else { continue }
            let filter = Self.filter(attribute.path, value)
            let reply = try await client.send(.GET, "\(endpoint)?filter=\(Self.percentEncoded(filter))")
            guard reply.status == 200 else { throw Self.failure("GET \(endpoint)?filter=\(filter)", reply) }
            let found = reply.body?["Resources"]?.arrayValue ?? []
            if found.count > 1 { throw SyncFailure("\(found.count) target objects match \(filter)") }
            if let object = found.first?.objectValue { return object }
        }
        return nil
    }

    /// `userName eq "zoe"`, or `emails[type eq "work" and value eq "zoe@…"]` for a value path.
    static func filter(_ path: PatchPath, _ value: JSONValue) -> String {
        let literal = JSONWriter.string(from: value)
        if let valueFilter = path.valueFilter, let attribute = path.attribute, let sub = path.subAttribute {
            return "\(attribute)[(\(valueFilter)) and \(sub) eq \(literal)]"
        }
        return "\(path) eq \(literal)"
    }

    /// Sends a write, or notes it for a dry run with the values of `redacting` targets hidden. Returns the
    /// answer's body.
    private func write(
        _ method: HTTPMethod, _ path: String, _ body: JSONValue?, _ outcome: inout Outcome, redacting: [String] = []
    ) async throws(SyncFailure) -> JSONValue? {
        if dryRun {
            let shown = body.map { " " + JSONWriter.string(from: Self.redacted($0, redacting)) } ?? ""
            outcome.planned.append("\(method.rawValue) \(path)\(shown)")
            return nil
        }
        let reply = try await client.send(method, path, body: body)
        guard (200..<300).contains(reply.status) else { throw Self.failure("\(method.rawValue) \(path)", reply) }
        return reply.body
    }

    /// A request body with the values of `targets` (simple or extension attribute paths) replaced by
    /// `"[redacted]"`, in a resource or in PATCH operations.
    static func redacted(_ body: JSONValue, _ targets: [String]) -> JSONValue {
        guard !targets.isEmpty, case .object(var object) = body else { return body }
        if case .array(let operations)? = object["Operations"] {
            object["Operations"] = .array(operations.map { operation in
                guard let path = operation["path"]?.stringValue, targets.contains(where: path.equalsIgnoringASCIICase) else { return operation }
                var hidden = operation
                hidden["value"] = "[redacted]"
                return hidden
            })
            return .object(object)
        }
        for target in targets {
            if target.hasPrefixIgnoringASCIICase("urn:"), let colon = target.lastIndex(of: ":") {
                let urn = String(target[..<colon])
                let name = String(target[target.index(after: colon)...])
                if case .object(var container)? = object[urn], container[name] != nil {
                    container[name] = "[redacted]"
                    object[urn] = .object(container)
                }
            } else if !target.contains("["), !target.contains("."), object[target] != nil {
                object[target] = "[redacted]"
            }
        }
        return .object(object)
    }

    static func failure(_ request: String, _ reply: SCIMClient.Reply) -> SyncFailure {
        let detail = reply.body?["detail"]?.stringValue.map { ": \($0)" } ?? ""
        let scimType = reply.body?["scimType"]?.stringValue.map { " (\($0))" } ?? ""
        return SyncFailure("\(request) answered \(reply.status)\(scimType)\(detail)", status: reply.status)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
