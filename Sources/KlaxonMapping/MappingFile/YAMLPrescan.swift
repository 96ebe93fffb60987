/// A linear, lexical pass over YAML text that runs before Yams composes it, and finds what composing must not
/// meet: anchors and aliases (an alias bomb composes in microseconds but any walk of it, including the hashing
/// Yams does to check keys, expands it exponentially), nesting deeper than a limit, and repeated keys of
/// block mappings (Yams stops at the first mapping with duplicates and names only the first occurrence).
///
/// It tracks just enough of YAML's lexical structure for that: quoted, plain and block scalars, comments,
/// flow brackets, and the indentation of block mappings and sequences. It never builds values. Aliases and
/// anchors are reported at their own position (Yams gives an alias the anchor's mark). It also keeps the
/// comments it passes, for the linter's `# klaxon-lint` suppression directives (Yams drops comments).
struct YAMLPrescan {
    struct AnchorOrAlias: Equatable {
        var isAlias: Bool
        var name: String
        var location: FileLocation
    }

    struct DuplicateKey: Equatable {
        var key: String
        var location: FileLocation
        var first: FileLocation
    }

    /// A `#` comment: where its `#` is, its text after the `#`, and whether it is alone on its line.
    struct Comment: Equatable {
        var location: FileLocation
        var text: String
        var isWholeLine: Bool
    }

    private(set) var anchorsAndAliases: [AnchorOrAlias] = []
    /// The comments outside scalars, in file order (up to where scanning stopped).
    private(set) var comments: [Comment] = []
    /// Where nesting first went deeper than the limit; scanning stops there.
    private(set) var tooDeep: FileLocation?
    /// Repeated keys of block mappings, each at its repetition.
    private(set) var duplicateKeys: [DuplicateKey] = []

    /// One open block collection: the column of its keys or dashes.
    private struct Level {
        var column: Int
        var isSequence: Bool
        var keys: [String: FileLocation] = [:]
    }

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var flowDepth = 0
    private var levels: [Level] = []
    /// Inside a block scalar (`|`, `>`): lines indented more than this (0-based) are its content.
    private var blockScalarParentIndent: Int?
    /// The last column worked out, so that columns along one long line cost linear time in all.
    private var columnPosition = 0
    private var columnValue = 1

    /// Scans UTF-8 text (already validated). `maxDepth` counts nested collections, block or flow.
    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        while index < bytes.count, tooDeep == nil {
            scanLine()
        }
    }

    // MARK: Lines

    private mutating func scanLine() {
        lineStart = index
        var indent = 0
        while index + indent < bytes.count, bytes[index + indent] == Byte.space { indent += 1 }
        let firstContent = index + indent
        let lineEnd = endOfLine(from: index)
        let blank = bytes[firstContent..<lineEnd].allSatisfy { $0 == Byte.space || $0 == Byte.tab || $0 == Byte.cr }
        if let parent = blockScalarParentIndent {
            if blank || indent > parent {
                nextLine(from: lineEnd)
                return
            }
            blockScalarParentIndent = nil
        }
        if !blank, bytes[firstContent] == Byte.hash {
            recordComment(at: firstContent, lineEnd: lineEnd, isWholeLine: true)
        }
        if blank || bytes[firstContent] == Byte.hash {
            nextLine(from: lineEnd)
            return
        }
        if indent == 0, flowDepth == 0, isDocumentMarker(at: firstContent) || bytes[firstContent] == Byte.percent {
            levels.removeAll()
            nextLine(from: lineEnd)
            return
        }
        index = firstContent
        scanTokens()
        if tooDeep == nil { nextLine(from: endOfLine(from: index)) }
    }

    private mutating func nextLine(from lineEnd: Int) {
        index = lineEnd < bytes.count ? lineEnd + 1 : lineEnd
        line += 1
        lineStart = index
    }

    private func endOfLine(from start: Int) -> Int {
        var end = start
        while end < bytes.count, bytes[end] != Byte.newline { end += 1 }
        return end
    }

    private func isDocumentMarker(at position: Int) -> Bool {
        guard position + 3 <= bytes.count else { return false }
        let marker = bytes[position..<position + 3]
        guard marker.elementsEqual("---".utf8) || marker.elementsEqual("...".utf8) else { return false }
        return position + 3 == bytes.count || isBlankOrBreak(bytes[position + 3])
    }

    // MARK: Tokens

    /// Scans the tokens of one line (and any quoted scalar that continues past it), stopping at the line break.
    private mutating func scanTokens() {
        // True while the next token is the first block-structural one of the line (or follows `- ` / `? `), so
        // that a key or dash there opens or continues a block collection at its column.
        var blockToken = flowDepth == 0
        let firstLine = line
        var sawToken = false
        while index < bytes.count, bytes[index] != Byte.newline, tooDeep == nil {
            let byte = bytes[index]
            if byte == Byte.space || byte == Byte.tab || byte == Byte.cr {
                index += 1
                continue
            }
            if byte == Byte.hash {
                recordComment(at: index, lineEnd: endOfLine(from: index), isWholeLine: !sawToken && line == firstLine)
                return
            }
            sawToken = true
            let start = index
            let column = self.column(of: start)
            switch byte {
            case Byte.dash where flowDepth == 0 && isIndicator(at: start):
                enterSequence(at: column)
                index += 1
                blockToken = true
            case Byte.question where isIndicator(at: start):
                if flowDepth == 0 { enterMapping(at: column, key: nil) }
                index += 1
                blockToken = flowDepth == 0
            case Byte.colon where isIndicator(at: start) || flowDepth > 0:
                index += 1
                blockToken = false
            case Byte.openBracket, Byte.openBrace:
                flowDepth += 1
                index += 1
                blockToken = false
                checkDepth(at: FileLocation(line: line, column: column))
            case Byte.closeBracket, Byte.closeBrace:
                flowDepth = max(0, flowDepth - 1)
                index += 1
            case Byte.comma where flowDepth > 0:
                index += 1
            case Byte.ampersand, Byte.asterisk:
                index += 1
                while index < bytes.count, !isBlankOrBreak(bytes[index]), !isFlowIndicator(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
                anchorsAndAliases.append(
                    AnchorOrAlias(
                        isAlias: byte == Byte.asterisk, name: name,
                        location: FileLocation(line: line, column: column, length: scalarCount(start..<index))))
            case Byte.exclamation:
                while index < bytes.count, !isBlankOrBreak(bytes[index]) { index += 1 }
            case Byte.pipe where flowDepth == 0, Byte.greater where flowDepth == 0:
                blockScalarParentIndent = levels.last.map { $0.column - 1 } ?? -1
                index = endOfLine(from: index)
                return
            case Byte.doubleQuote, Byte.singleQuote:
                let startLine = line
                let key = scanQuoted(quote: byte)
                if blockToken, line == startLine, isKeyIndicatorFollowing() {
                    enterMapping(at: column, key: (key, FileLocation(line: line, column: column, length: scalarCount(start..<index))))
                }
                blockToken = false
            default:
                let (text, isKey) = scanPlain()
                if blockToken, isKey {
                    enterMapping(at: column, key: (text, FileLocation(line: line, column: column, length: scalarCount(start..<index))))
                }
                blockToken = false
            }
        }
    }

    /// Consumes a quoted scalar, across lines if need be, and returns its raw content prefixed by the quote.
    private mutating func scanQuoted(quote: UInt8) -> String {
        let contentStart = index + 1
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Byte.newline {
                index += 1
                line += 1
                lineStart = index
                continue
            }
            if quote == Byte.doubleQuote, byte == Byte.backslash {
                index += 2
                continue
            }
            if byte == quote {
                if quote == Byte.singleQuote, index + 1 < bytes.count, bytes[index + 1] == Byte.singleQuote {
                    index += 2
                    continue
                }
                let content = bytes[contentStart..<index]
                index += 1
                return String(decoding: [quote] + content, as: UTF8.self)
            }
            index += 1
        }
        return ""
    }

    /// Consumes a plain scalar up to a comment, the line end, a `: ` key indicator or (in flow) a flow
    /// indicator. Returns its text and whether a key indicator follows.
    private mutating func scanPlain() -> (String, Bool) {
        let start = index
        var end = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Byte.newline { break }
            if byte == Byte.colon, isIndicator(at: index) || (flowDepth > 0 && index + 1 < bytes.count && isFlowIndicator(bytes[index + 1])) {
                return (String(decoding: bytes[start..<end], as: UTF8.self), true)
            }
            if flowDepth > 0, isFlowIndicator(byte) { break }
            if byte == Byte.hash, index > start, bytes[index - 1] == Byte.space || bytes[index - 1] == Byte.tab { break }
            index += 1
            if !(byte == Byte.space || byte == Byte.tab || byte == Byte.cr) { end = index }
        }
        return (String(decoding: bytes[start..<end], as: UTF8.self), false)
    }

    private func isKeyIndicatorFollowing() -> Bool {
        var position = index
        while position < bytes.count, bytes[position] == Byte.space || bytes[position] == Byte.tab { position += 1 }
        guard position < bytes.count, bytes[position] == Byte.colon else { return false }
        return flowDepth > 0 || isIndicator(at: position)
    }

    private mutating func recordComment(at position: Int, lineEnd: Int, isWholeLine: Bool) {
        var end = lineEnd
        if end > position, bytes[end - 1] == Byte.cr { end -= 1 }
        comments.append(
            Comment(
                location: FileLocation(line: line, column: column(of: position)),
                text: String(decoding: bytes[(position + 1)..<max(position + 1, end)], as: UTF8.self),
                isWholeLine: isWholeLine))
    }

    // MARK: Block structure

    private mutating func enterSequence(at column: Int) {
        while let last = levels.last, last.column > column { levels.removeLast() }
        if let last = levels.last, last.column == column, last.isSequence { return }
        levels.append(Level(column: column, isSequence: true))
        checkDepth(at: FileLocation(line: line, column: column))
    }

    private mutating func enterMapping(at column: Int, key: (String, FileLocation)?) {
        guard flowDepth == 0 else { return }
        while let last = levels.last, last.column > column || (last.column == column && last.isSequence) {
            levels.removeLast()
        }
        if let last = levels.last, last.column == column {
            guard let (text, location) = key else { return }
            if let first = levels[levels.count - 1].keys[text] {
                duplicateKeys.append(DuplicateKey(key: Self.unquoted(text), location: location, first: first))
            } else {
                levels[levels.count - 1].keys[text] = location
            }
            return
        }
        var level = Level(column: column, isSequence: false)
        if let (text, location) = key { level.keys[text] = location }
        levels.append(level)
        checkDepth(at: FileLocation(line: line, column: column))
    }

    private mutating func checkDepth(at location: FileLocation) {
        if levels.count + flowDepth > maxDepth, tooDeep == nil { tooDeep = location }
    }

    private static func unquoted(_ key: String) -> String {
        guard let first = key.utf8.first, first == Byte.doubleQuote || first == Byte.singleQuote else { return key }
        return String(key.dropFirst())
    }

    // MARK: Characters

    /// `-`, `?` or `:` followed by white space or the end of the line: an indicator rather than part of a scalar.
    private func isIndicator(at position: Int) -> Bool {
        position + 1 >= bytes.count || isBlankOrBreak(bytes[position + 1])
    }

    private func isBlankOrBreak(_ byte: UInt8) -> Bool {
        byte == Byte.space || byte == Byte.tab || byte == Byte.newline || byte == Byte.cr
    }

    private func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == Byte.comma || byte == Byte.openBracket || byte == Byte.closeBracket || byte == Byte.openBrace
            || byte == Byte.closeBrace
    }

    /// The 1-based column of a byte, counting Unicode scalars from the start of its line. Positions asked
    /// for along a line only grow, so the count continues from the last one.
    private mutating func column(of position: Int) -> Int {
        if columnPosition < lineStart || columnPosition > position {
            columnPosition = lineStart
            columnValue = 1
        }
        columnValue += scalarCount(columnPosition..<position)
        columnPosition = position
        return columnValue
    }

    private func scalarCount(_ range: Range<Int>) -> Int {
        var count = 0
        for position in range where bytes[position] & 0xC0 != 0x80 { count += 1 }
        return count
    }
}

/// The ASCII bytes YAML's structure is made of.
enum Byte {
    static let newline = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let percent = UInt8(ascii: "%")
    static let dash = UInt8(ascii: "-")
    static let question = UInt8(ascii: "?")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let ampersand = UInt8(ascii: "&")
    static let asterisk = UInt8(ascii: "*")
    static let exclamation = UInt8(ascii: "!")
    static let pipe = UInt8(ascii: "|")
    static let greater = UInt8(ascii: ">")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")
}
