/// A libphonenumber pattern compiled once into a small backtracking program over ASCII digits.
///
/// libphonenumber's metadata patterns use a small, fixed subset of regular expressions: digits, `\d`, classes of
/// digits and digit ranges (`[2-9]`), non-capturing `(?:…)` and capturing `(…)` groups, `|`, `?`, `{n}`, `{n,m}`
/// and `$`. `scripts/generate-numbering-plan.py` refuses metadata outside that subset, so this matcher needs no
/// general regex engine. It follows Python's `re` (and Java's) semantics: alternatives are tried left to right,
/// quantifiers are greedy, and the first match found wins, so captures agree with libphonenumber's.
///
/// ```swift
/// let idd = NumberPattern("0(?:0|11)")
/// idd.prefixMatch(Array("0044".utf8))?.length   // 2
/// NumberPattern("[1-9]\\d{3}").matchesWhole(Array("2079".utf8))   // true
/// ```
struct NumberPattern: Sendable {
    /// The result of matching at the start of the input.
    struct PrefixMatch: Equatable {
        /// The number of digits matched.
        let length: Int
        /// The digits each capturing group matched, as ranges of the input; nil for a group that took no part.
        let groups: [Range<Int>?]
    }

    private enum Instruction: Sendable {
        /// One digit whose value `d` has bit `1 << d` set in the mask.
        case digit(UInt16)
        /// Try `first`; if the rest of the match fails from there, continue at `second`.
        case split(first: Int, second: Int)
        case jump(Int)
        /// Record the current position in capture slot `n` (group `n / 2`, start or end).
        case save(Int)
        case assertEnd
        case match
    }

    private indirect enum Node {
        case digit(UInt16)
        case sequence([Node])
        case alternation([Node])
        case group(Node, capture: Int?)
        case repetition(Node, min: Int, max: Int)
        case end
    }

    private let program: [Instruction]
    private let captureCount: Int

    /// Compiles `source`, which must use the subset above (the generated metadata always does).
    init(_ source: String) {
        var parser = Parser(source: Array(source.utf8))
        let node = parser.parseAlternation()
        guard parser.position == parser.source.count else {
            preconditionFailure("unsupported syntax in numbering-plan pattern \(source); regenerate the data")
        }
        var emitter = Emitter()
        emitter.emit(node)
        emitter.instructions.append(.match)
        program = emitter.instructions
        captureCount = parser.captureCount
    }

    /// True if the pattern matches all of `digits` (Python's `fullmatch`).
    func matchesWhole(_ digits: [UInt8]) -> Bool {
        var slots = [Int](repeating: -1, count: captureCount * 2)
        return digits.withUnsafeBufferPointer { run(0, 0, $0, &slots, whole: true) } != nil
    }

    /// Matches at the start of `digits` (Python's `re.match`, Java's `lookingAt`), or nil if the pattern does not.
    func prefixMatch(_ digits: [UInt8]) -> PrefixMatch? {
        var slots = [Int](repeating: -1, count: captureCount * 2)
        guard let length = digits.withUnsafeBufferPointer({ run(0, 0, $0, &slots, whole: false) }) else {
            return nil
        }
        let groups: [Range<Int>?] = (0..<captureCount).map { group in
            let start = slots[2 * group], end = slots[2 * group + 1]
            return start >= 0 && end >= start ? start..<end : nil
        }
        return PrefixMatch(length: length, groups: groups)
    }

    /// Runs the program from `pc` at `position`; returns the end of the first match found, or nil.
    private func run(
        _ pc: Int, _ position: Int, _ input: UnsafeBufferPointer<UInt8>, _ slots: inout [Int], whole: Bool
    ) -> Int? {
        var pc = pc
        var position = position
        while true {
            switch program[pc] {
            case .digit(let mask):
                guard position < input.count else { return nil }
                let value = input[position] &- UInt8(ascii: "0")
                guard value < 10, mask & (1 << UInt16(value)) != 0 else { return nil }
                pc += 1
                position += 1
            case .split(let first, let second):
                if let end = run(first, position, input, &slots, whole: whole) { return end }
                pc = second
            case .jump(let target):
                pc = target
            case .save(let slot):
                let saved = slots[slot]
                slots[slot] = position
                if let end = run(pc + 1, position, input, &slots, whole: whole) { return end }
                slots[slot] = saved
                return nil
            case .assertEnd:
                guard position == input.count else { return nil }
                pc += 1
            case .match:
                return !whole || position == input.count ? position : nil
            }
        }
    }

    /// Recursive descent over the pattern's bytes.
    private struct Parser {
        let source: [UInt8]
        var position = 0
        var captureCount = 0

        private var next: UInt8? { position < source.count ? source[position] : nil }

        mutating func parseAlternation() -> Node {
            var branches = [parseSequence()]
            while next == UInt8(ascii: "|") {
                position += 1
                branches.append(parseSequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func parseSequence() -> Node {
            var items: [Node] = []
            while let byte = next, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                items.append(parseQuantified(parseAtom()))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func parseAtom() -> Node {
            let byte = source[position]
            position += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .digit(1 << UInt16(byte - UInt8(ascii: "0")))
            case UInt8(ascii: "\\"):
                expect(UInt8(ascii: "d"))
                return .digit(0x3FF)
            case UInt8(ascii: "["):
                return .digit(parseClass())
            case UInt8(ascii: "$"):
                return .end
            case UInt8(ascii: "("):
                var capture: Int?
                if next == UInt8(ascii: "?") {
                    position += 1
                    expect(UInt8(ascii: ":"))
                } else {
                    capture = captureCount
                    captureCount += 1
                }
                let inner = parseAlternation()
                expect(UInt8(ascii: ")"))
                return .group(inner, capture: capture)
            default:
                unsupported()
            }
        }

        private mutating func parseClass() -> UInt16 {
            var mask: UInt16 = 0
            while let byte = next, byte != UInt8(ascii: "]") {
                position += 1
                if byte == UInt8(ascii: "\\") {
                    expect(UInt8(ascii: "d"))
                    mask |= 0x3FF
                    continue
                }
                let low = digitValue(byte)
                var high = low
                if next == UInt8(ascii: "-") {
                    position += 1
                    high = digitValue(next ?? 0)
                    position += 1
                }
                guard low <= high else { unsupported() }
                for value in low...high { mask |= 1 << UInt16(value) }
            }
            expect(UInt8(ascii: "]"))
            return mask
        }

        private mutating func parseQuantified(_ atom: Node) -> Node {
            switch next {
            case UInt8(ascii: "?"):
                position += 1
                return .repetition(atom, min: 0, max: 1)
            case UInt8(ascii: "{"):
                position += 1
                let low = parseCount()
                var high = low
                if next == UInt8(ascii: ",") {
                    position += 1
                    high = parseCount()
                }
                expect(UInt8(ascii: "}"))
                guard low <= high else { unsupported() }
                return .repetition(atom, min: low, max: high)
            default:
                return atom
            }
        }

        private mutating func parseCount() -> Int {
            var value = 0
            var digits = 0
            while let byte = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 3 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                position += 1
            }
            guard digits > 0 else { unsupported() }
            return value
        }

        private func digitValue(_ byte: UInt8) -> UInt8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { unsupported() }
            return byte - UInt8(ascii: "0")
        }

        private mutating func expect(_ byte: UInt8) {
            guard next == byte else { unsupported() }
            position += 1
        }

        private func unsupported() -> Never {
            let text = String(decoding: source, as: UTF8.self)
            preconditionFailure("unsupported syntax at offset \(position) of numbering-plan pattern \(text)")
        }
    }

    /// Lowers the syntax tree to instructions; counted repetition is unrolled (the counts are small).
    private struct Emitter {
        var instructions: [Instruction] = []

        mutating func emit(_ node: Node) {
            switch node {
            case .digit(let mask):
                instructions.append(.digit(mask))
            case .sequence(let items):
                for item in items { emit(item) }
            case .alternation(let branches):
                var jumpsToEnd: [Int] = []
                for (index, branch) in branches.enumerated() {
                    let isLast = index == branches.count - 1
                    let split = instructions.count
                    if !isLast { instructions.append(.jump(-1)) }
                    emit(branch)
                    if !isLast {
                        jumpsToEnd.append(instructions.count)
                        instructions.append(.jump(-1))
                        instructions[split] = .split(first: split + 1, second: instructions.count)
                    }
                }
                for jump in jumpsToEnd { instructions[jump] = .jump(instructions.count) }
            case .group(let inner, let capture):
                if let capture { instructions.append(.save(2 * capture)) }
                emit(inner)
                if let capture { instructions.append(.save(2 * capture + 1)) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { emit(inner) }
                // Greedy optional copies, nested: x{0,2} is (?:x(?:x)?)?, each giving up to the same exit.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(instructions.count)
                    instructions.append(.jump(-1))
                    emit(inner)
                }
                for split in splits { instructions[split] = .split(first: split + 1, second: instructions.count) }
            case .end:
                instructions.append(.assertEnd)
            }
        }
    }
}
