import Foundation

/// The `# klaxon-lint` comments of one mapping file, and what they suppress.
///
/// ```yaml
/// # klaxon-lint disable-next-line KSL012, KSL020 -- Okta sends these as they are
/// - { target: title, type: direct, source: jobTitle }
/// # klaxon-lint disable KSL034
/// …
/// # klaxon-lint enable KSL034
/// # klaxon-lint disable-file KSL005
/// ```
///
/// Without rule ids a directive covers every rule. `disable-next-line` covers the next line that is neither
/// blank nor only a comment; `disable` covers its own line up to the line before the `enable` that closes it
/// (or the end of the file); `disable-file` covers the whole file. Directives with an unknown action or rule
/// id, or naming a rule that cannot be suppressed, are ``LintRule/invalidSuppression`` warnings; a rule a
/// directive names (or a directive without ids) that suppresses nothing is a ``LintRule/unusedSuppression``
/// warning.
struct LintSuppressions {
    enum Action: String, CaseIterable {
        case disableNextLine = "disable-next-line"
        case disable
        case enable
        case disableFile = "disable-file"
    }

    /// One rule (nil: every rule) that one directive suppresses over some lines.
    private struct Slot {
        var rule: LintRule?
        var lines: ClosedRange<Int>
        /// Where it applies, for the unused-suppression message: "on line 12".
        var place: String
        /// Where the rule id is written, or the directive's `#` when it names none.
        var location: FileLocation
        var suppression: Diagnostic.Suppression
        var used = false
    }

    /// A `disable` waiting for its `enable`.
    private struct OpenRegion {
        var rule: LintRule?
        var location: FileLocation
        var suppression: Diagnostic.Suppression
    }

    static let prefix = "klaxon-lint"

    private var slots: [Slot] = []
    private var collector: DiagnosticCollector

    /// Reads the directives in the file's comments; problems with them are kept for ``apply(to:checked:)``.
    init(source: SourceText, comments: [YAMLPrescan.Comment]) {
        collector = DiagnosticCollector(source: source)
        let wholeLineComments = Set(comments.filter(\.isWholeLine).map(\.location.line))
        // The first line at or after each line that is neither blank nor only a comment, in one backward pass
        // (index `count + 1` stands for past the end).
        let count = source.lines.count
        var nextContent = Array(repeating: count + 1, count: count + 2)
        for number in stride(from: count, through: 1, by: -1) {
            let skipped = wholeLineComments.contains(number) || source.lines[number - 1].allSatisfy { $0 == " " || $0 == "\t" }
            nextContent[number] = skipped ? nextContent[number + 1] : number
        }
        var open: [OpenRegion] = []
        for comment in comments {
            guard let directive = parse(comment) else { continue }
            let line = comment.location.line
            let suppression = Diagnostic.Suppression(location: comment.location, justification: directive.justification)
            switch directive.action {
            case .disableNextLine:
                let target = nextContent[min(line + 1, count + 1)]
                for (rule, location) in directive.rules {
                    slots.append(
                        Slot(rule: rule, lines: target...target, place: "on line \(target)", location: location, suppression: suppression))
                }
            case .disableFile:
                for (rule, location) in directive.rules {
                    slots.append(
                        Slot(rule: rule, lines: 1...Int.max, place: "in this file", location: location, suppression: suppression))
                }
            case .disable:
                for (rule, location) in directive.rules {
                    if let already = open.first(where: { $0.rule == rule }) {
                        collector.report(
                            .invalidSuppression,
                            "\(Self.describe(rule)) is already disabled since line \(already.location.line)", at: location)
                        continue
                    }
                    open.append(OpenRegion(rule: rule, location: location, suppression: suppression))
                }
            case .enable:
                for (rule, location) in directive.rules {
                    let closing = rule == nil ? open : open.filter { $0.rule == rule }
                    if closing.isEmpty {
                        let what = rule == nil ? "no rule is" : "\(Self.describe(rule)) is not"
                        collector.report(
                            .invalidSuppression, "\(what) disabled here, so there is nothing to enable", at: location)
                        continue
                    }
                    for region in closing {
                        let last = max(region.location.line, line - 1)
                        slots.append(
                            Slot(
                                rule: region.rule, lines: region.location.line...last,
                                place: "on lines \(region.location.line)–\(last)", location: region.location,
                                suppression: region.suppression))
                    }
                    open.removeAll { rule == nil || $0.rule == rule }
                }
            }
        }
        for region in open {
            slots.append(
                Slot(
                    rule: region.rule, lines: region.location.line...Int.max,
                    place: "from line \(region.location.line) to the end of the file", location: region.location,
                    suppression: region.suppression))
        }
    }

    /// The diagnostics with those a directive covers marked suppressed, followed by the directives' own
    /// problems. A suppression that covers nothing is reported only when every rule it names was `checked`.
    mutating func apply(to diagnostics: [Diagnostic], checked: (LintRule) -> Bool) -> [Diagnostic] {
        var result = diagnostics
        for index in result.indices where result[index].rule.isSuppressible {
            let diagnostic = result[index]
            for slot in slots.indices
            where slots[slot].lines.contains(diagnostic.location.line) && (slots[slot].rule ?? diagnostic.rule) == diagnostic.rule {
                slots[slot].used = true
                if result[index].suppression == nil { result[index].suppression = slots[slot].suppression }
            }
        }
        for slot in slots where !slot.used {
            guard slot.rule.map(checked) ?? LintRule.allCases.filter(\.isSuppressible).allSatisfy(checked) else { continue }
            collector.report(
                .unusedSuppression, "unused suppression: there is no \(Self.describe(slot.rule, problem: true)) \(slot.place) to suppress",
                at: slot.location)
        }
        return result + collector.finished()
    }

    // MARK: Parsing

    private struct Directive {
        var action: Action
        /// The rules named, each where it is written; one nil rule at the `#` when none is named.
        var rules: [(LintRule?, FileLocation)]
        var justification: String?
    }

    /// The directive a comment holds, reporting what is wrong with it; nil for other comments and for
    /// directives too broken to apply.
    private mutating func parse(_ comment: YAMLPrescan.Comment) -> Directive? {
        let scalars = Array(comment.text.unicodeScalars)
        func isBlank(_ index: Int) -> Bool { scalars[index] == " " || scalars[index] == "\t" }
        func location(_ offset: Int, _ length: Int) -> FileLocation {
            FileLocation(line: comment.location.line, column: comment.location.column + 1 + offset, length: length)
        }
        var index = 0
        while index < scalars.count, isBlank(index) { index += 1 }
        let prefix = Array(Self.prefix.unicodeScalars)
        guard scalars.count >= index + prefix.count, Array(scalars[index..<index + prefix.count]) == prefix,
            index + prefix.count == scalars.count || isBlank(index + prefix.count)
        else { return nil }
        let directiveLocation = FileLocation(line: comment.location.line, column: comment.location.column, length: index + 1 + prefix.count)
        index += prefix.count
        // Words (split at blanks and commas) up to a `--` that starts the reason.
        var words: [(text: String, offset: Int)] = []
        var justification: String?
        while index < scalars.count {
            if isBlank(index) || scalars[index] == "," {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count, !isBlank(index), scalars[index] != "," { index += 1 }
            var word = ""
            word.unicodeScalars.append(contentsOf: scalars[start..<index])
            if word == "--" {
                var reason = ""
                reason.unicodeScalars.append(contentsOf: scalars[index...])
                let trimmed = reason.trimmingCharacters(in: .whitespaces)
                justification = trimmed.isEmpty ? nil : trimmed
                break
            }
            words.append((word, start))
        }
        guard let first = words.first else {
            collector.report(
                .invalidSuppression,
                "a klaxon-lint comment needs an action: \(Action.allCases.map(\.rawValue).joined(separator: ", "))",
                at: directiveLocation)
            return nil
        }
        guard let action = Action(rawValue: first.text.lowercased()) else {
            let suggestion = NameSuggester.suggestion(for: first.text, among: Action.allCases.map(\.rawValue))
            collector.report(
                .invalidSuppression,
                "unknown klaxon-lint action \"\(first.text)\""
                    + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "; use \(Action.allCases.map(\.rawValue).joined(separator: ", "))"),
                at: location(first.offset, first.text.unicodeScalars.count), suggestion: suggestion)
            return nil
        }
        var rules: [(LintRule?, FileLocation)] = []
        for word in words.dropFirst() {
            let at = location(word.offset, word.text.unicodeScalars.count)
            guard let rule = LintRule(id: word.text) else {
                let byName = LintRule.allCases.first { $0.name == word.text.lowercased() }?.id
                let suggestion = byName ?? NameSuggester.suggestion(for: word.text, among: LintRule.allCases.map(\.id))
                collector.report(
                    .invalidSuppression,
                    "unknown rule id \"\(word.text)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""), at: at,
                    suggestion: suggestion)
                continue
            }
            guard rule.isSuppressible else {
                collector.report(
                    .invalidSuppression,
                    "\(rule.id) (\(rule.name)) cannot be suppressed: a file with that problem cannot be used, or the problem is with a directive",
                    at: at)
                continue
            }
            rules.append((rule, at))
        }
        if words.count == 1 { rules = [(nil, directiveLocation)] }
        guard !rules.isEmpty else { return nil }
        return Directive(action: action, rules: rules, justification: justification)
    }

    /// `KSL012 (invalid-enum-value)`, or `every rule` for nil.
    private static func describe(_ rule: LintRule?, problem: Bool = false) -> String {
        guard let rule else { return problem ? "problem" : "every rule" }
        return problem ? "\(rule.id) (\(rule.name)) problem" : "\(rule.id) (\(rule.name))"
    }
}
