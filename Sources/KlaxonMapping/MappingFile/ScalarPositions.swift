import Yams

/// Where each character of a scalar's value sits in the file, so that a problem found inside the value (a
/// column in an expression) is reported at its place in the file, past quotes, escapes and block indentation.
///
/// Plain and quoted scalars on one line map character by character (`''` and `\"` escapes count as one
/// character of the value); literal and folded block scalars map each value line to its file line. A position
/// past what can be mapped falls back to the scalar's start.
struct ScalarPositions: Sendable {
    private enum Layout: Sendable {
        /// File column of each value character on the scalar's line, plus one past the end.
        case inline(line: Int, columns: [Int])
        /// Value line `n` (1-based) is file line `firstLine + n - 1`, its characters from `indent + 1`.
        case block(firstLine: Int, indent: Int)
    }

    private let start: FileLocation
    private let layout: Layout

    init(scalar: Node.Scalar, mark: FileLocation, lines: [Substring]) {
        start = mark
        switch scalar.style {
        case .literal, .folded:
            var line = mark.line + 1
            while line <= lines.count, lines[line - 1].allSatisfy({ $0 == " " }) { line += 1 }
            let indent = line <= lines.count ? lines[line - 1].prefix { $0 == " " }.count : 0
            layout = .block(firstLine: line, indent: indent)
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
        case .block(let firstLine, let indent):
            return FileLocation(line: firstLine + line - 1, column: indent + column, length: length)
        }
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
