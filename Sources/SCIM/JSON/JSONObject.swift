/// A JSON object whose members keep their order and spelling, and whose keys are looked up
/// case-insensitively, as SCIM attribute names are (RFC 7643 §2.1).
///
/// When two keys differ only by case, lookup finds the first. ``JSONParser`` rejects such objects so that
/// stored resources never hold both.
public struct JSONObject: Sendable {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in the order they were received or added.
    public private(set) var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    /// The index of the member with this name, ignoring case.
    public func index(of key: String) -> Int? {
        members.firstIndex { $0.key.equalsIgnoringASCIICase(key) }
    }

    /// Reads a member by name, ignoring case. Setting `nil` removes the member; setting a value replaces an
    /// existing member in place (keeping its spelling) or appends a new one.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(of: key) else { return nil }
            return members[index].value
        }
        set {
            if let index = index(of: key) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Removes the member with this name and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(of: key) else { return nil }
        return members.remove(at: index).value
    }

    /// Keeps only the members for which `isIncluded` returns true.
    public mutating func removeAll(where shouldBeRemoved: (Member) throws -> Bool) rethrows {
        try members.removeAll(where: shouldBeRemoved)
    }

    /// Appends a member without checking for an existing one of the same name. For parsers and builders
    /// that have already checked.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
    }
}

extension JSONObject: Equatable {
    /// Objects are equal when they have the same member names (ignoring case) with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with `==`.
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key.lowercased())
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { Member(key: $0.0, value: $0.1) })
    }
}

extension String {
    /// Compares two strings, folding ASCII letters to one case: the comparison SCIM uses for attribute names,
    /// URNs and keywords. Non-ASCII characters must match exactly.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        var lhs = utf8.makeIterator()
        var rhs = other.utf8.makeIterator()
        while true {
            switch (lhs.next(), rhs.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a == b { continue }
                guard a | 0x20 == b | 0x20, (a | 0x20) >= UInt8(ascii: "a"), (a | 0x20) <= UInt8(ascii: "z") else {
                    return false
                }
            default: return false
            }
        }
    }

    /// True when the string starts with `prefix`, ignoring ASCII case.
    public func hasPrefixIgnoringASCIICase(_ prefix: String) -> Bool {
        guard utf8.count >= prefix.utf8.count else { return false }
        return String(decoding: utf8.prefix(prefix.utf8.count), as: UTF8.self).equalsIgnoringASCIICase(prefix)
    }
}
