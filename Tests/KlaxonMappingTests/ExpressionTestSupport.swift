import SCIM
@testable import KlaxonMapping

extension ExpressionContext {
    /// Now() is 7/2/2021 3:33:38 PM UTC (the documentation's example), randomness is seeded, and no uniqueness
    /// check is set.
    static let fixed = ExpressionContext(now: { 1_625_240_018 }, randomSeed: 7)
}

/// Parses and evaluates in one step.
func evaluate(_ text: String, _ record: SourceRecord = [:], context: ExpressionContext = .fixed) throws -> ExpressionResult {
    try MappingExpression(parsing: text).evaluate(record, context: context)
}

/// The error parsing `text` throws, or nil if it parses.
func parseError(_ text: String, limits: MappingExpression.Limits = .default) -> ExpressionError? {
    do {
        _ = try MappingExpression(parsing: text, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The error evaluating `text` throws, or nil if it evaluates.
func evaluationError(_ text: String, _ record: SourceRecord = [:], context: ExpressionContext = .fixed) throws -> ExpressionError? {
    let expression = try MappingExpression(parsing: text)
    do {
        _ = try expression.evaluate(record, context: context)
        return nil
    } catch {
        return error
    }
}
