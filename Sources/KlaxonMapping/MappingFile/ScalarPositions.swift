import Yams

/// Where each character of a scalar's value sits in the file, so that a problem found inside the value (a
/// column in an expression) is reported at its place in the file, past quotes, escapes and block indentation.
///
/// Plain and quoted scalars on one line map character by character (`''` and `\"` escapes count as one
/// character of the value). Literal and folded block scalars are laid out again as YAML reads them: the
/// indentation (detected or given by an indicator) is left out, leading and inner blank lines become line
/// breaks, and a folded scalar joins lines with a space; a position past the value's last line is the end of
/// its last character. A position that cannot be mapped falls back to the scalar's start.
struct ScalarPositions: Sendable {
    /// Value characters that sit side by side on one file line, from `valueColumn` on.
    private struct Run: Sendable {
        let valueColumn: Int
        let line: Int
        let column: Int
        var count: Int

        var endColumn: Int { column + count }
    }

    private enum Layout: Sendable {
        /// File column of each value character on the scalar's line, plus one past the end.
        case inline(line: Int, columns: [Int])
        /// Each value line's runs; a line that has no characters has one empty run where it stands.
        case block(rows: [[Run]])
    }

    private let start: FileLocation
    private let layout: Layout

    init(scalar: Node.Scalar, mark: FileLocation, lines: [Substring]) {
        start = mark
        switch scalar.style {
        case .literal, .folded:
            layout = .block(rows: Self.rows(of: scalar.string, folded: scalar.style == .folded, after: mark.line, lines: lines))
        default:
            let text = mark.line <= lines.count ? Array(lines[mark.line - 1].unicodeScalars) : []
            layout = .inline(line: mark.line, columns: Self.columns(of: text, from: mark.column, style: scalar.style))
        }
    }

    /// The file location of a 1-based line and column inside the value.
    func location(line: Int, column: Int, length: Int = 1) -> FileLocation {
        switch layout {
        case .inline(let fileLine, let columns):
            guard line == 1, column >= 1, column <= columns.count else { return start }
            let end = min(column - 1 + length, columns.count - 1)
            return FileLocation(line: fileLine, column: columns[column - 1], length: max(1, columns[end] - columns[column - 1]))
        case .block(let rows):
            guard line >= 1, column >= 1, let last = rows.last?.last else { return start }
            guard line <= rows.count else { return FileLocation(line: last.line, column: last.endColumn) }
            // A row's runs follow one another, so only its last can be asked for the position just past it.
            guard let run = rows[line - 1].last(where: { $0.valueColumn <= column }), column - run.valueColumn <= run.count
            else { return start }
            let fileColumn = run.column + column - run.valueColumn
            return FileLocation(line: run.line, column: fileColumn, length: min(length, max(1, run.endColumn - fileColumn)))
        }
    }

    /// A block scalar's value lines as runs of file positions, read from the lines after its indicator the way
    /// YAML reads them.
    private static func rows(of value: String, folded: Bool, after indicatorLine: Int, lines: [Substring]) -> [[Run]] {
        // Leading empty lines are line breaks of the value; its first character is on the first line after them.
        let text = value.unicodeScalars
        let leadingBreaks = text.prefix { $0 == "\n" }.count
        let firstValueLine = text.dropFirst(leadingBreaks).prefix { $0 != "\n" }
        let firstContentLine = indicatorLine + 1 + leadingBreaks
        guard !firstValueLine.isEmpty, firstContentLine <= lines.count else { return [] }
        let indent = spaces(lines[firstContentLine - 1].unicodeScalars) - spaces(firstValueLine)
        guard indent >= 0 else { return [] }

        func anchor(_ line: Int) -> Run {
            Run(valueColumn: 1, line: line, column: min(lines[line - 1].unicodeScalars.count, indent) + 1, count: 0)
        }
        var rows: [[Run]] = []
        var row = [anchor(indicatorLine + 1)]
        var nextColumn = 1
        /// Ends the value line; the next stands for `line` until characters are added.
        func lineBreak(to line: Int) {
            rows.append(row)
            row = [anchor(line)]
            nextColumn = 1
        }

        var previous: (line: Int, moreIndented: Bool)?
        var empty: [Int] = []
        var line = indicatorLine + 1
        while line <= lines.count {
            let content = lines[line - 1].unicodeScalars
            let leading = spaces(content)
            if leading == content.count, leading <= indent {
                empty.append(line)
                line += 1
                continue
            }
            guard leading >= indent else { break }
            let characters = content.dropFirst(indent)
            let moreIndented = characters.first == " " || characters.first == "\t"
            if let previous {
                if !folded || previous.moreIndented || moreIndented {
                    lineBreak(to: previous.line + 1)
                } else if empty.isEmpty {
                    // Folded: the line break between two lines becomes a space, where the first line ends.
                    row[row.count - 1].count += 1
                    nextColumn += 1
                }
            }
            for blank in empty { lineBreak(to: blank + 1) }
            empty = []
            let run = Run(valueColumn: nextColumn, line: line, column: indent + 1, count: characters.count)
            if row.count == 1, row[0].count == 0 { row = [run] } else { row.append(run) }
            nextColumn += characters.count
            previous = (line, moreIndented)
            line += 1
        }
        rows.append(row)
        return rows
    }

    private static func spaces(_ text: some Collection<Unicode.Scalar>) -> Int {
        text.prefix { $0 == " " }.count
    }

    /// The file columns of the value's characters, reading the raw line from the scalar's first column.
    private static func columns(of text: [Unicode.Scalar], from startColumn: Int, style: Node.Scalar.Style) -> [Int] {
        var columns: [Int] = []
        var index = startColumn - 1
        switch style {
        case .singleQuoted:
            index += 1
            while index < text.count {
                if text[index] == "'" {
                    guard index + 1 < text.count, text[index + 1] == "'" else { break }
                    columns.append(index + 1)
                    index += 2
                    continue
                }
                columns.append(index + 1)
                index += 1
            }
        case .doubleQuoted:
            index += 1
            while index < text.count, text[index] != "\"" {
                columns.append(index + 1)
                guard text[index] == "\\", index + 1 < text.count else {
                    index += 1
                    continue
                }
                switch text[index + 1] {
                case "x": index += 4
                case "u": index += 6
                case "U": index += 10
                default: index += 2
                }
            }
        default:
            while index < text.count {
                columns.append(index + 1)
                index += 1
            }
        }
        columns.append(min(index, text.count) + 1)
        return columns
    }
}
