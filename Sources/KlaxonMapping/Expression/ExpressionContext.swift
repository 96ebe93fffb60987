import Foundation
import SCIM

/// What an evaluation may take from outside the record: the clock, randomness and the uniqueness check, so
/// tests can fix them and the sync engine can supply its own.
///
/// ```swift
/// let context = ExpressionContext(now: { 1_625_240_018 }, randomSeed: 42) { candidate in
///     !takenUserNames.contains(candidate)
/// }
/// ```
public struct ExpressionContext: Sendable {
    /// The current time in seconds since 1970-01-01T00:00:00Z, read by Now() once per evaluation.
    public var now: @Sendable () -> Double
    /// With a seed, Guid() and RandomString() give the same values on every evaluation; without one they use
    /// the system's secure generator.
    public var randomSeed: UInt64?
    /// Whether a SelectUniqueValue candidate is free in the target. Without a check the first candidate that
    /// is not null or empty is taken.
    public var isUnique: (@Sendable (JSONValue) -> Bool)?

    public init(
        now: @escaping @Sendable () -> Double = ExpressionContext.systemClock, randomSeed: UInt64? = nil,
        isUnique: (@Sendable (JSONValue) -> Bool)? = nil
    ) {
        self.now = now
        self.randomSeed = randomSeed
        self.isUnique = isUnique
    }

    /// The system's wall clock.
    public static let systemClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
}

/// The outcome of evaluating an expression for one record.
public enum ExpressionResult: Sendable, Equatable {
    /// The value to write; `.null` when there is none.
    case value(JSONValue)
    /// IgnoreFlowIfNullOrEmpty found nothing: leave the target attribute out of this flow altogether.
    case ignoreFlow

    /// The value, or nil when the flow is ignored.
    public var value: JSONValue? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// The random source of one evaluation: SplitMix64 from the context's seed, or the system generator.
struct ExpressionRandom: RandomNumberGenerator {
    private var state: UInt64?
    private var system = SystemRandomNumberGenerator()

    init(seed: UInt64?) {
        state = seed
    }

    mutating func next() -> UInt64 {
        guard var seeded = state else { return system.next() }
        seeded &+= 0x9E37_79B9_7F4A_7C15
        state = seeded
        var mixed = seeded
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
