import SCIM

/// Where the engine finds each source attribute an object mapping reads. Names are resolved to slots at
/// load; a record is read in one pass over its members (or, for stored SCIM resources, one path walk per
/// attribute), so the per-record path does no string hashing.
struct SourceResolver: Sendable {
    /// How a record's attributes are laid out.
    enum Layout: Sendable {
        /// A record of members matched ignoring ASCII case. A dotted name the record has no member of reads
        /// nested objects: `profile.login` is the `login` member of the `profile` object.
        case flat
        /// A stored SCIM resource: names are attribute paths (`name.givenName`, extension URNs, value filters).
        case scim(ResourceSchema)
    }

    let layout: Layout
    /// The attributes read, in slot order, as the file first spelt them.
    private(set) var names: [String] = []
    private var paths: [SCIMSourcePath] = []
    private var index = FoldedNameIndex()
    private var nested = NestedNameIndex()

    init(layout: Layout) {
        self.layout = layout
    }

    /// The slot of an attribute, adding it if it is new. For `scim`, `path` is its parsed form.
    mutating func slot(for name: String, path: SCIMSourcePath? = nil) -> Int {
        if let existing = names.firstIndex(where: { $0.equalsIgnoringASCIICase(name) }) { return existing }
        names.append(name)
        let slot = names.count - 1
        if let path { paths.append(path) }
        index.add(name, slot: slot)
        if case .flat = layout, name.contains(".") {
            nested.add(ArraySlice(name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)), slot: slot)
        }
        return slot
    }

    /// The value of every slot in a record; nil for an attribute the record does not have.
    func values(of record: JSONObject) -> [JSONValue?] {
        var values = [JSONValue?](repeating: nil, count: names.count)
        switch layout {
        case .flat:
            for member in record.members {
                if let slot = index.slot(of: member.key), values[slot] == nil { values[slot] = member.value }
            }
            if !nested.isEmpty { nested.fill(&values, from: record) }
        case .scim:
            for (slot, path) in paths.enumerated() { values[slot] = path.value(in: record) }
        }
        return values
    }
}

/// A source attribute of a stored SCIM resource, resolved against its schema once.
struct SCIMSourcePath: Sendable {
    /// The extension URN whose object holds the attribute; nil for the core schema.
    let container: String?
    let name: String
    let subAttribute: String?
    /// For `emails[type eq "work"].value`: which value of the multi-valued attribute to read.
    let filter: FilterEvaluator?

    func value(in record: JSONObject) -> JSONValue? {
        let holder: JSONObject?
        if let container { holder = record[container]?.objectValue } else { holder = record }
        guard let value = holder?[name] else { return nil }
        if let filter {
            guard case .array(let items) = value, let item = items.first(where: filter.matchesValue) else { return nil }
            guard let subAttribute else { return item }
            return item[subAttribute]
        }
        guard let subAttribute else { return value }
        return value[subAttribute]
    }
}

/// Dotted names by their first segment, each level a pass over one object's members: `profile.login` is read
/// as `login` while passing over the members of the record's `profile`.
struct NestedNameIndex: Sendable {
    /// Names read at this level (the last segment), to their slots.
    private var members = FoldedNameIndex()
    /// Objects to read further names in, to their index in `objects`.
    private var containers = FoldedNameIndex()
    private var objects: [NestedNameIndex] = []

    var isEmpty: Bool { objects.isEmpty }

    /// Adds the name whose segments after this level's are `path`.
    mutating func add(_ path: ArraySlice<String>, slot: Int) {
        guard let first = path.first else { return }
        guard path.count > 1 else {
            members.add(first, slot: slot)
            return
        }
        let object: Int
        if let existing = containers.slot(of: first) {
            object = existing
        } else {
            objects.append(NestedNameIndex())
            object = objects.count - 1
            containers.add(first, slot: object)
        }
        objects[object].add(path.dropFirst(), slot: slot)
    }

    /// Fills the slots still empty from `object`'s members and the objects nested in it, the first spelling
    /// of a name winning.
    func fill(_ values: inout [JSONValue?], from object: JSONObject) {
        for member in object.members {
            if let slot = members.slot(of: member.key), values[slot] == nil { values[slot] = member.value }
            if let index = containers.slot(of: member.key), case .object(let inner) = member.value {
                objects[index].fill(&values, from: inner)
            }
        }
    }
}

/// Looks names up ignoring ASCII case without building folded strings per lookup: candidates are bucketed by
/// UTF-8 length and compared byte by byte.
struct FoldedNameIndex: Sendable {
    private struct Entry: Sendable {
        let folded: [UInt8]
        let slot: Int
    }

    private var buckets: [[Entry]] = []

    mutating func add(_ name: String, slot: Int) {
        let folded = name.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
        if buckets.count <= folded.count { buckets += Array(repeating: [], count: folded.count + 1 - buckets.count) }
        buckets[folded.count].append(Entry(folded: folded, slot: slot))
    }

    func slot(of key: String) -> Int? {
        let count = key.utf8.count
        guard count < buckets.count, !buckets[count].isEmpty else { return nil }
        let candidates = buckets[count]
        if let found = key.utf8.withContiguousStorageIfAvailable({ bytes in Self.find(bytes, in: candidates) }) {
            return found
        }
        return Self.find(Array(key.utf8), in: candidates)
    }

    private static func find(_ bytes: some RandomAccessCollection<UInt8>, in candidates: [Entry]) -> Int? {
        candidateLoop: for candidate in candidates {
            var position = bytes.startIndex
            for wanted in candidate.folded {
                let byte = bytes[position]
                if byte != wanted {
                    guard byte | 0x20 == wanted, wanted >= UInt8(ascii: "a"), wanted <= UInt8(ascii: "z") else {
                        continue candidateLoop
                    }
                }
                position = bytes.index(after: position)
            }
            return candidate.slot
        }
        return nil
    }
}
