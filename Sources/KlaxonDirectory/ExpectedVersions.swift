/// The versions an `If-Match` header names: a write goes ahead only if the resource is at one of them
/// (RFC 7232 §3.1), else it fails with 412.
///
/// ```swift
/// let expected: ExpectedVersions = [2, 3]   // If-Match: W/"2", W/"3"
/// expected.admits(3)                        // true
/// ```
public struct ExpectedVersions: Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var versions: Set<Int>

    public init(_ versions: some Sequence<Int>) {
        self.versions = Set(versions)
    }

    public init(integerLiteral value: Int) {
        self.init([value])
    }

    public init(arrayLiteral elements: Int...) {
        self.init(elements)
    }

    public func admits(_ version: Int) -> Bool {
        versions.contains(version)
    }

    /// `2`, or `2 or 3`, for messages.
    public var description: String {
        versions.sorted().map(String.init).joined(separator: " or ")
    }
}
