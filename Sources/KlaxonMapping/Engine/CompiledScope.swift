import SCIM

/// An object mapping's scoping filters with attributes resolved to slots, numbers parsed and patterns
/// compiled: a record is in scope if every clause of some filter holds (no filters: every record).
struct CompiledScope: Sendable {
    struct Clause: Sendable {
        enum Test: Sendable {
            case equals(String), notEquals(String), isTrue, isFalse, isNull, isNotNull
            case regex(SharedRegex, negated: Bool)
            case greaterThan(Int, orEqual: Bool)
            case endsWith(String), includes(String), existsIn(String, negated: Bool)
        }

        let slot: Int
        let test: Test

        /// Entra's rule: a null or empty attribute fails every clause but `IS_NULL`; so does a multi-valued one.
        func holds(_ sources: [JSONValue?]) -> Bool {
            let value = sources[slot] ?? .null
            let text: String
            switch value {
            case .string(let string) where !string.isEmpty: text = string
            case .bool(let flag): text = flag ? "true" : "false"
            case .integer, .decimal: text = value.scalarText ?? ""
            case .array(let items) where items.count == 1:
                return Clause(slot: 0, test: test).holds([items[0]])
            default:
                if case .isNull = test { return value.isUnassigned || value == .string("") }
                return false
            }
            switch test {
            case .equals(let wanted):
                return value.boolValue != nil ? text.equalsIgnoringASCIICase(wanted) : text == wanted
            case .notEquals(let unwanted):
                return value.boolValue != nil ? !text.equalsIgnoringASCIICase(unwanted) : text != unwanted
            case .isTrue: return text.equalsIgnoringASCIICase("true")
            case .isFalse: return text.equalsIgnoringASCIICase("false")
            case .isNull: return false
            case .isNotNull: return true
            case .regex(let pattern, let negated): return pattern.matches(text) != negated
            case .greaterThan(let bound, let orEqual):
                guard let number = value.intValue ?? Int(text) else { return false }
                return orEqual ? number >= bound : number > bound
            case .endsWith(let suffix): return text.hasSuffix(suffix)
            case .includes(let part): return text.contains(part)
            case .existsIn(let whole, let negated): return whole.contains(text) != negated
            }
        }
    }

    /// OR across filters, AND within each.
    let filters: [[Clause]]

    func matches(_ sources: [JSONValue?]) -> Bool {
        guard !filters.isEmpty else { return true }
        return filters.contains { clauses in clauses.allSatisfy { $0.holds(sources) } }
    }
}
