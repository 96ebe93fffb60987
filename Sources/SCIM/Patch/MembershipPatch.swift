/// A group's member changes as deltas by member id, so that a directory can apply a PATCH to a large group
/// without loading or rewriting its member list.
///
/// A directory applies it in this order: `clearAll` removes every member, or `replaceAll` sets the list;
/// then the ids in `remove` go; then each member in `add` whose `value` is not yet present joins.
/// At most one of `clearAll` and `replaceAll` is set, and when `replaceAll` is set `add` and `remove` are empty.
/// An id may be in both `remove` and `add` (a remove followed by an add): it leaves and re-joins.
///
/// ```swift
/// let groups = SchemaRegistry.standard.resourceSchema(for: "Group")!
/// let request = try PatchRequest(json: body, for: groups)
/// if let split = request.splitMembership() {
///     let group = try PatchApplier.apply(split.others, to: groupWithoutMembers, for: groups)
///     // in one transaction: store `group`, delete `split.membership.remove`, insert `split.membership.add`
/// }
/// ```
public struct MembershipPatch: Sendable, Equatable {
    /// Members to add, each with a `value` (the member's id); ids already present are ignored.
    public var add: [JSONObject]
    /// Ids of members to remove; ids that are not members are ignored.
    public var remove: Set<String>
    /// The complete new member list, when an operation replaced it.
    public var replaceAll: [JSONObject]?
    /// True when an operation removed every member.
    public var clearAll: Bool

    public init(add: [JSONObject] = [], remove: Set<String> = [], replaceAll: [JSONObject]? = nil, clearAll: Bool = false) {
        self.add = add
        self.remove = remove
        self.replaceAll = replaceAll
        self.clearAll = clearAll
    }

    /// True when it changes nothing.
    public var isEmpty: Bool { add.isEmpty && remove.isEmpty && replaceAll == nil && !clearAll }

    /// The member list after the changes: the semantics a directory must reproduce.
    public func applied(to members: [JSONObject]) -> [JSONObject] {
        var result = replaceAll ?? (clearAll ? [] : members)
        result.removeAll { member in member["value"]?.stringValue.map(remove.contains) ?? false }
        var present = Set(result.compactMap { $0["value"]?.stringValue })
        for member in add {
            guard let id = member["value"]?.stringValue, present.insert(id).inserted else { continue }
            result.append(member)
        }
        return result
    }

    // MARK: Folding operations in order

    mutating func clearMembers() {
        self = MembershipPatch(clearAll: true)
    }

    mutating func replaceMembers(with members: [JSONObject]) {
        guard !members.isEmpty else { return clearMembers() }
        self = MembershipPatch(replaceAll: members)
    }

    mutating func addMembers(_ members: [JSONObject]) {
        if var list = replaceAll {
            var present = Set(list.compactMap { $0["value"]?.stringValue })
            list += members.filter { $0["value"]?.stringValue.map { present.insert($0).inserted } ?? false }
            replaceAll = list
            return
        }
        var queued = Set(add.compactMap { $0["value"]?.stringValue })
        add += members.filter { $0["value"]?.stringValue.map { queued.insert($0).inserted } ?? false }
    }

    mutating func removeMembers(_ ids: Set<String>) {
        let isRemoved: (JSONObject) -> Bool = { member in member["value"]?.stringValue.map(ids.contains) ?? false }
        if replaceAll != nil {
            replaceAll?.removeAll(where: isRemoved)
            if replaceAll?.isEmpty == true { clearMembers() }
            return
        }
        add.removeAll(where: isRemoved)
        if !clearAll { remove.formUnion(ids) }
    }
}

extension PatchRequest {
    /// Splits a Group PATCH into member changes expressible as deltas by member id, and the remaining operations
    /// (to apply to the group without its members). Returns nil if some member operation needs the full list
    /// (a filter other than `value eq "id"`, a member sub-attribute path, an invalid member value); the caller
    /// then applies the whole request to the full group with ``PatchApplier``, which also reports any error.
    ///
    /// Understood: `add`/`replace` of `members` with a value array (Entra, Okta, the RFC), `remove` of
    /// `members` with a value array (Entra's default) or without one (clears), `remove` of
    /// `members[value eq "id"]` (Okta, Entra with `aadOptscim062020`), and `members` in a path-less value (Okta).
    public func splitMembership() -> (membership: MembershipPatch, others: PatchRequest)? {
        guard let members = Schema.group.attribute(named: "members") else { return nil }
        var membership = MembershipPatch()
        var others: [PatchOperation] = []
        for operation in operations {
            guard let path = operation.path else {
                guard operation.op != .remove, case .object(let attributes)? = operation.value else {
                    others.append(operation)
                    continue
                }
                var rest = JSONObject()
                for member in attributes.members {
                    switch Self.membersReference(member.key) {
                    case .none: rest[member.key] = member.value
                    case .members: guard membership.fold(operation.op, member.value, of: members) else { return nil }
                    case .other: return nil
                    }
                }
                if !rest.isEmpty || attributes.isEmpty { others.append(PatchOperation(operation.op, value: .object(rest))) }
                continue
            }
            switch Self.membersReference(path) {
            case .none:
                others.append(operation)
            case .other:
                return nil
            case .members:
                if let filter = path.valueFilter {
                    guard operation.op == .remove, let ids = Self.memberIDs(in: filter) else { return nil }
                    membership.removeMembers(ids)
                } else if let value = operation.value {
                    guard membership.fold(operation.op, value, of: members) else { return nil }
                } else {
                    // Without a value only remove is valid (it clears); the applier reports the others.
                    guard operation.op == .remove else { return nil }
                    membership.clearMembers()
                }
            }
        }
        return (membership, PatchRequest(operations: others))
    }

    private enum MembersReference { case none, members, other }

    /// Whether a path names `members` alone (possibly with a filter), something inside it, or neither.
    private static func membersReference(_ path: PatchPath) -> MembersReference {
        guard let attribute = path.attribute else {
            return path.extensionSchema?.equalsIgnoringASCIICase(SchemaURN.group) == true ? .other : .none
        }
        guard attribute.name.equalsIgnoringASCIICase("members"),
            attribute.schema.map({ $0.equalsIgnoringASCIICase(SchemaURN.group) }) ?? true
        else { return .none }
        return attribute.subAttribute == nil && path.subAttribute == nil ? .members : .other
    }

    /// The same for a key of a path-less value; the core URN as a key may hide members, so it counts as other.
    private static func membersReference(_ key: String) -> MembersReference {
        if key.equalsIgnoringASCIICase(SchemaURN.group) { return .other }
        guard let path = AttributePath.parse(Substring(key), in: nil) else { return .none }
        return membersReference(PatchPath(attribute: path))
    }

    /// The ids of `value eq "id"` comparisons joined by `or`; nil for any other filter.
    private static func memberIDs(in filter: Filter) -> Set<String>? {
        switch filter {
        case .compare(let path, .eq, .string(let id)) where path.name.equalsIgnoringASCIICase("value"):
            return [id]
        case .or(let lhs, let rhs):
            guard let left = memberIDs(in: lhs), let right = memberIDs(in: rhs) else { return nil }
            return left.union(right)
        default:
            return nil
        }
    }
}

extension MembershipPatch {
    /// Folds one operation on `members` (no filter) into the deltas; false if its value is not a valid member
    /// list, so that the full applier reports the error.
    fileprivate mutating func fold(_ op: PatchOperation.Op, _ value: JSONValue, of members: SchemaAttribute) -> Bool {
        if value.isNull {
            if op != .add { clearMembers() }
            return true
        }
        guard let list = try? PatchValue.list(value, of: members, label: "members") else { return false }
        let objects = list.compactMap(\.objectValue)
        switch op {
        case .add: addMembers(objects)
        case .replace: replaceMembers(with: objects)
        case .remove: removeMembers(Set(objects.compactMap { $0["value"]?.stringValue }))
        }
        return true
    }
}
