import Foundation
import Testing
@testable import KlaxonDirectory

@Suite struct ResourceIdentifierTests {
    @Test func isAVersion7UUIDThatSortsByTime() throws {
        let earlier = ResourceIdentifier.make(milliseconds: 1_764_400_000_000, random: .max, .max)
        let later = ResourceIdentifier.make(milliseconds: 1_764_400_000_001, random: 0, 0)
        #expect(earlier < later)
        #expect(earlier == "019ace6f-6c00-7fff-bfff-ffffffffffff")
        #expect(later == "019ace6f-6c01-7000-8000-000000000000")
        #expect(ResourceIdentifier.make(at: Date(timeIntervalSince1970: -5)).hasPrefix("00000000-0000-7"))
        #expect(ResourceIdentifier.make(at: Date(timeIntervalSince1970: 1e15)).hasPrefix("ffffffff-ffff-7"))
        let made = ResourceIdentifier.make()
        let uuid = try #require(UUID(uuidString: made))
        #expect(made == uuid.uuidString.lowercased())
        #expect(Array(made)[14] == "7")
        #expect("89ab".contains(Array(made)[19]))
    }
}
