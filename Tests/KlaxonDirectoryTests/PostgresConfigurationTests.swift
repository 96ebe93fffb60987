import KlaxonDirectory
import Testing

/// `--database postgres://…` and `KLAXON_DATABASE_URL` as PostgreSQL reads them, and the mistakes it names.
@Suite struct PostgresConfigurationTests {
    @Test func readsTheURLWithLibpqDefaults() throws {
        let full = try PostgresDirectory.Configuration(url: "postgresql://klaxon:p%40ss%2Fword@db.internal:6543/directory?sslmode=require", poolSize: 3)
        #expect(full == PostgresDirectory.Configuration(
            host: "db.internal", port: 6543, username: "klaxon", password: "p@ss/word", database: "directory", tls: .require, poolSize: 3))
        let short = try PostgresDirectory.Configuration(url: "postgres://klaxon@127.0.0.1")
        #expect(short == PostgresDirectory.Configuration(host: "127.0.0.1", username: "klaxon", database: "klaxon"))
        #expect(short.port == 5432)
        #expect(short.tls == .prefer)
        #expect(short.poolSize == PostgresDirectory.defaultPoolSize)
        #expect(try PostgresDirectory.Configuration(url: "postgres://u@h/d?sslmode=disable").tls == .disable)
        #expect(try PostgresDirectory.Configuration(url: "postgres://u@h/d?sslmode=verify-full").tls == .require)
    }

    @Test func tellsURLsFromFiles() {
        #expect(PostgresDirectory.isURL("postgres://u@h/d"))
        #expect(PostgresDirectory.isURL("postgresql://u@h/d"))
        #expect(!PostgresDirectory.isURL("klaxon.sqlite"))
        #expect(!PostgresDirectory.isURL("/var/lib/postgres/klaxon.sqlite"))
    }

    @Test(arguments: [
        ("klaxon.sqlite", "not a PostgreSQL URL"),
        ("postgres:///klaxon", "names no host"),
        ("postgres://db.internal/klaxon", "names no user"),
        ("postgres://u@h/d?sslmode=sometimes", "sslmode 'sometimes'"),
        ("postgres://u@h/d?search_path=x", "unknown parameter 'search_path'"),
    ])
    func namesWhatIsWrongWithAURL(url: String, problem: String) {
        do {
            _ = try PostgresDirectory.Configuration(url: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect("\(error)".contains(problem), "\(error)")
        }
    }

    @Test func refusesAnEmptyPool() {
        #expect(throws: SQLDirectoryError.self) { try PostgresDirectory.Configuration(url: "postgres://u@h/d", poolSize: 0) }
    }
}
