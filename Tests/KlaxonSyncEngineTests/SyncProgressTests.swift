import KlaxonSyncEngine
import Testing

/// The progress bar and log lines as text, and when they are drawn.
@Suite struct SyncProgressTests {
    static let halfway = SyncProgress(read: 50_000, processed: 49_870, failed: 2, fractionRead: 0.5, elapsed: .seconds(20))

    @Test func barWithAShareOfTheSource() {
        let bar = ProgressRenderer.bar(Self.halfway, width: 100)
        #expect(bar == "[###############---------------]  50%  read 50,000  done 49,870  2,493/s  failed 2  0:20")
        #expect(bar.count <= 100)
    }

    @Test func barNarrowsToTheTerminal() {
        let bar = ProgressRenderer.bar(Self.halfway, width: 80)
        #expect(bar == "[###########-----------]  50%  read 50,000  done 49,870  2,493/s  failed 2  0:20")
        let tiny = ProgressRenderer.bar(Self.halfway, width: 30)
        #expect(tiny == " 50%  read 50,000  done 49,870")
    }

    @Test func barWithoutAShareHasNoBar() {
        var progress = Self.halfway
        progress.fractionRead = nil
        progress.elapsed = .seconds(3_725)
        #expect(ProgressRenderer.bar(progress) == "read 50,000  done 49,870  13/s  failed 2  1:02:05")
    }

    @Test func barAtTheStartAndTheEnd() {
        #expect(ProgressRenderer.bar(SyncProgress(fractionRead: 0), width: 60) == "[----------------]   0%  read 0  done 0  0/s  failed 0  0:00")
        let done = SyncProgress(read: 1_234_567, processed: 1_234_567, fractionRead: 1.0, elapsed: .seconds(61))
        #expect(ProgressRenderer.bar(done, width: 100) == "[##############################] 100%  read 1,234,567  done 1,234,567  20,238/s  failed 0  1:01")
    }

    @Test func logLine() {
        #expect(ProgressRenderer.line(Self.halfway) == "sync: 50% of the source read, 50,000 records read, 49,870 done (2,493/s), 2 failed, 0:20")
        var progress = Self.halfway
        progress.fractionRead = nil
        #expect(ProgressRenderer.line(progress) == "sync: 50,000 records read, 49,870 done (2,493/s), 2 failed, 0:20")
    }

    @Test func terminalRedrawsAtMostTenTimesASecond() {
        var throttle = ProgressThrottle(terminal: true)
        let drawn = stride(from: 0, through: 1_000, by: 10).filter { milliseconds in
            throttle.shouldDraw(SyncProgress(read: milliseconds, elapsed: .milliseconds(milliseconds)))
        }
        #expect(drawn == [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000])
    }

    @Test func logDrawsEveryTenthOfTheSource() {
        var throttle = ProgressThrottle(terminal: false)
        let drawn = (0...100).filter { percent in
            throttle.shouldDraw(SyncProgress(read: percent, fractionRead: Double(percent) / 100, elapsed: .milliseconds(percent)))
        }
        #expect(drawn == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
    }

    @Test func logDrawsEveryTenSecondsWithoutAShare() {
        var throttle = ProgressThrottle(terminal: false)
        let drawn = stride(from: 0, through: 35, by: 1).filter { second in
            throttle.shouldDraw(SyncProgress(read: second, elapsed: .seconds(second)))
        }
        #expect(drawn == [10, 20, 30])
    }
}
