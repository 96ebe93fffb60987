import KlaxonServer
import Logging
import SCIM
import Synchronization
import Testing

/// Log lines as `serve --log-format text|json` writes them.
@Suite struct KlaxonLogHandlerTests {
    /// The lines a handler wrote.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A logger whose lines are collected instead of written to standard error.
    private func logger(_ format: KlaxonLogHandler.Format, lines: Lines) -> Logger {
        let provider = Logger.MetadataProvider { ["tenant": "from-provider", "shared": "provider"] }
        return Logger(label: "klaxon-test") { label in
            KlaxonLogHandler(label: label, format: format, metadataProvider: provider) { line in lines.append(line) }
        }
    }

    @Test func jsonLinesMergeMetadataWithTheMessagesOwnWinning() throws {
        let lines = Lines()
        var logger = logger(.json, lines: lines)
        logger[metadataKey: "shared"] = "handler"
        logger[metadataKey: "request"] = "r-1"
        logger.info("request done", metadata: ["shared": "message", "status": "201", "nested": ["a": ["1", "2"]]])
        logger.debug("not written at info")
        let written = lines.all
        try #require(written.count == 1)
        #expect(written[0].hasSuffix("\n") && written[0].filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONParser.parse(written[0]).objectValue)
        #expect(object["level"] == "info")
        #expect(object["logger"] == "klaxon-test")
        #expect(object["msg"] == "request done")
        #expect(object["shared"] == "message")
        #expect(object["tenant"] == "from-provider")
        #expect(object["request"] == "r-1")
        #expect(object["status"] == "201")
        #expect(object["nested"] == ["a": ["1", "2"]])
        let at = try #require(object["at"]?.stringValue)
        #expect(at.count == 24 && at.hasSuffix("Z"), "ISO 8601 UTC with milliseconds: \(at)")
    }

    @Test func textLinesQuoteOnlyWhatNeedsIt() throws {
        let lines = Lines()
        let logger = logger(.text, lines: lines)
        logger.warning(
            "sign-in refused",
            metadata: ["route": "/admin/sign-in", "reason": #"said "no""#, "empty": "", "list": ["x", "y"], "msg": "clash", "odd key=": "1"])
        let line = try #require(lines.all.first)
        #expect(line.hasPrefix("at="))
        #expect(line.contains(#" level=warning logger=klaxon-test msg="sign-in refused" "#))
        #expect(line.contains(" route=/admin/sign-in "))
        #expect(line.contains(#" reason="said \"no\"" "#))
        #expect(line.contains(#" empty="" "#))
        #expect(line.contains(#" list=["x","y"] "#))
        #expect(line.hasSuffix(" tenant=from-provider\n"))
        // A metadata key never repeats a fixed field or breaks the key=value form.
        #expect(line.contains(" meta.msg=clash "))
        #expect(line.contains(" odd_key_=1 "))
    }
}
