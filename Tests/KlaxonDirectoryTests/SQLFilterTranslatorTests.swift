import Foundation
import KlaxonTestSupport
import Testing
@testable import KlaxonDirectory
import SCIM

/// Every filter must select exactly what ``FilterEvaluator`` selects over all rows, whether SQL decides it alone
/// (exact) or narrows the rows for the evaluator.
@Suite struct SQLFilterTranslatorTests {
    /// Users and groups chosen to trip up a translation: case, non-ASCII letters, SQL and LIKE/GLOB metacharacters,
    /// missing and empty values, several emails, memberships.
    struct Corpus {
        var org: Organisation.ID
        var ids: [String: String]

        /// The filter text with `{name}` replaced by the id of the resource created under that name.
        func resolve(_ text: String) -> String {
            ids.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }

        static func make(in directory: SQLDirectory) async throws -> Corpus {
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            var ids: [String: String] = [:]
            let users: [(String, String, JSONObject)] = [
                (
                    "bjensen", "BJensen",
                    [
                        "displayName": "Babs Jensen", "externalId": "EXT-1", "title": "Boss", "active": true, "name": ["givenName": "Barbara"],
                        "emails": [["type": "work", "value": "bj@example.com", "primary": true], ["type": "home", "value": "babs@home.org"]],
                    ]
                ),
                ("alice", "alice", ["displayName": "Alice", "externalId": "ext-1", "active": false, "emails": [["type": "Work", "value": "Alice@Example.COM"]]]),
                ("bob", "bob_smith", ["title": "Dev", "emails": []]),
                ("carol", "carol%", ["displayName": "100% Carol", "externalId": "a*b?c[d]", "emails": [["value": "c@x.io"]]]),
                ("dave", #"dave\"#, ["displayName": #"back\slash"#, "externalId": "", "emails": [["type": "work"]]]),
                ("quote", "' OR 1=1 --", ["displayName": "Ærøskøbing", "externalId": "O'Brien", "title": "Boss"]),
                ("emile", "émile", ["displayName": "ÉMILE", "emails": [["type": "work", "value": "Émile@Example.com"]]]),
                ("zed", "zed", ["displayName": ""]),
                // Decomposed: e + U+0301 COMBINING ACUTE ACCENT, which Swift's == equates with a precomposed é.
                ("renee", "rene\u{301}e", ["displayName": "Rene\u{301}e", "externalId": "Cafe\u{301}"]),
            ]
            for (name, userName, attributes) in users {
                ids[name] = try await directory.createUser(userName, in: org, attributes).id
            }
            ids["admins"] = try await directory.createGroup("Admins", in: org, members: [ids["bjensen"]!, ids["alice"]!]).id
            ids["staff"] = try await directory.createGroup("Staff", in: org, members: [ids["alice"]!, ids["carol"]!, ids["admins"]!]).id
            ids["empty"] = try await directory.createGroup("empty", in: org).id
            return Corpus(org: org, ids: ids)
        }
    }

    static let userFilters: [(String, Bool)] = [
        (#"userName eq "bjensen""#, true),
        (#"userName eq "BJENSEN""#, true),
        (#"USERNAME Eq "BJensen""#, true),
        (#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice""#, true),
        (#"userName ne "bjensen""#, true),
        (#"userName co "JEN""#, true),
        (#"userName sw "b""#, true),
        (#"userName ew "n""#, true),
        (#"userName co "%""#, true),
        (#"userName co "_""#, true),
        (#"userName co "\\""#, true),
        (#"userName eq "' OR 1=1 --""#, true),
        (#"userName co "' OR '1'='1""#, true),
        (#"userName gt "c""#, true),
        (#"userName le "bob_smith""#, true),
        (#"userName pr"#, true),
        (#"userName eq "ÉMILE""#, true),
        (#"displayName eq "babs jensen""#, true),
        (#"displayName co "%""#, true),
        (#"displayName co "\\s""#, true),
        (#"displayName pr"#, true),
        (#"not (displayName pr)"#, true),
        (#"displayName eq null"#, true),
        (#"displayName ne null"#, true),
        (#"displayName ne "Alice""#, true),
        (#"displayName eq "émile""#, true),
        (#"displayName sw "ær""#, true),
        (#"displayName eq "renée""#, true),
        (#"displayName co "NÉ""#, true),
        (#"userName eq "RENE\u0301E""#, true),
        (#"externalId eq "Café""#, true),
        (#"externalId eq "café""#, true),
        (#"externalId eq "EXT-1""#, true),
        (#"externalId eq "ext-1""#, true),
        (#"externalId sw "EXT""#, true),
        (#"externalId co "*""#, true),
        (#"externalId co "?""#, true),
        (#"externalId co "[""#, true),
        (#"externalId ew "c[d]""#, true),
        (#"externalId pr"#, true),
        (#"externalId ne "EXT-1""#, true),
        (#"externalId eq "O'Brien""#, true),
        (#"externalId eq jyoung"#, true),
        (#"id eq "{alice}""#, true),
        (#"id ne "{alice}""#, true),
        (#"emails.value eq "bj@example.com""#, true),
        (#"emails eq "ALICE@example.com""#, true),
        (#"emails[type eq "work"].value eq "bj@example.com""#, true),
        (#"emails[type eq "work"].value eq "babs@home.org""#, true),
        (#"emails[type eq "work" and value co "example"]"#, true),
        (#"emails[type eq "home"]"#, true),
        (#"emails.type eq "WORK""#, true),
        (#"emails.value pr"#, true),
        (#"emails.value co "EXAMPLE""#, true),
        (#"not (emails.value co "example")"#, true),
        (#"emails.value ne "bj@example.com""#, true),
        (#"emails.value eq null"#, true),
        (#"emails[not (type eq "work")]"#, true),
        (#"emails[type eq "work" or value ew ".io"]"#, true),
        (#"emails.value eq "émile@example.com""#, true),
        (#"meta.created gt "2000-01-01T00:00:00Z""#, true),
        (#"meta.created lt "2000-01-01T00:00:00+01:00""#, true),
        (#"meta.lastModified ge "{carol.lastModified}""#, true),
        (#"meta.created eq "{bob.created}""#, true),
        (#"meta.lastModified ne "{bob.created}""#, true),
        (#"meta.created pr"#, true),
        (#"groups.value eq "{admins}""#, true),
        (#"groups eq "{ADMINS}""#, true),
        (#"groups pr"#, true),
        (#"not (groups pr)"#, true),
        (#"groups[value eq "{staff}"]"#, true),
        (#"userName sw "b" and emails.value co "example""#, true),
        (#"userName eq "alice" or externalId eq "EXT-1""#, true),
        (#"not (userName sw "b" or displayName pr)"#, true),
        (#"(userName sw "a" or userName sw "b") and not (externalId pr)"#, true),
        // Narrowed in SQL, decided by the evaluator.
        (#"userName sw "b" and title pr"#, false),
        (#"emails[type eq "work" and primary eq true]"#, false),
        (#"not (userName eq "alice") and name.givenName sw "B""#, false),
        // Decided by the evaluator alone.
        (#"title eq "Boss""#, false),
        (#"name.givenName sw "B""#, false),
        (#"active eq true"#, false),
        (#"not (active eq true)"#, false),
        (#"title eq "Boss" or userName eq "alice""#, false),
        (#"not (userName eq "alice" and title pr)"#, false),
        (#"emails[primary eq true]"#, false),
        (#"groups.display eq "admins""#, false),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr"#, false),
        (#"meta.created co "20""#, false),
        (#"userName eq 5"#, false),
        (#"emails pr"#, false),
    ]

    static let groupFilters: [(String, Bool)] = [
        (#"displayName eq "admins""#, true),
        (#"displayName sw "E""#, true),
        (#"members[value eq "{alice}"]"#, true),
        (#"members.value eq "{alice}""#, true),
        (#"members eq "{admins}""#, true),
        (#"members.value eq "{ALICE}""#, true),
        (#"members pr"#, true),
        (#"not (members pr)"#, true),
        (#"displayName sw "a" and members eq "{bjensen}""#, true),
        (#"members.value ne "{alice}""#, true),
        (#"userName eq "admins""#, false),
        (#"members.display eq "x""#, false),
        (#"members[type eq "User"]"#, false),
        (#"externalId pr or members.display pr"#, false),
    ]

    @Test(arguments: TestBackend.available, userFilters)
    func userFiltersSelectWhatTheEvaluatorSelects(backend: TestBackend, filter: (String, Bool)) async throws {
        try await check(backend, .user, filter.0, exact: filter.1)
    }

    @Test(arguments: TestBackend.available, groupFilters)
    func groupFiltersSelectWhatTheEvaluatorSelects(backend: TestBackend, filter: (String, Bool)) async throws {
        try await check(backend, .group, filter.0, exact: filter.1)
    }

    private func check(_ backend: TestBackend, _ kind: ResourceKind, _ text: String, exact: Bool) async throws {
        try await backend.withDirectory { directory in
            var corpus = try await Corpus.make(in: directory)
            let schema = directory.schema(for: kind)
            let everything = try await directory.queryResources(kind, in: corpus.org, ResourceQuery(count: 1000)).resources
            for user in try await directory.queryResources(.user, in: corpus.org, ResourceQuery(count: 1000)).resources {
                let name = corpus.ids.first { $0.value == user.id }?.key ?? ""
                corpus.ids[name + ".created"] = user.object["meta"]?["created"]?.stringValue
                corpus.ids[name + ".lastModified"] = user.object["meta"]?["lastModified"]?.stringValue
            }
            for (name, id) in corpus.ids where !name.contains(".") {
                corpus.ids[name.uppercased()] = id.uppercased()
            }
            let filter = try Filter(parsing: corpus.resolve(text), in: schema)
            let evaluator = try FilterEvaluator(filter, for: schema)
            let expected = everything.filter { evaluator.matches($0.object) }.map(\.id)

            let translator = SQLFilterTranslator(kind: kind, organisation: Int(corpus.org), schema: schema, dialect: directory.dialect)
            #expect(translator.translate(filter).isExact == exact)
            let page = try await directory.queryResources(kind, in: corpus.org, ResourceQuery(filter: filter, count: 1000))
            #expect(page.resources.map(\.id) == expected, "\(filter)")
            #expect(page.totalResults == expected.count)
        }
    }

    @Test(arguments: TestBackend.available)
    func theCorpusExercisesBothOutcomes(backend: TestBackend) async throws {
        // Guards the corpus: a filter set where everything matched (or nothing did) would prove little.
        try await backend.withDirectory { directory in
            let corpus = try await Corpus.make(in: directory)
            let query = { (text: String) in
                ResourceQuery(filter: try Filter(parsing: corpus.resolve(text)), count: 1000)
            }
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"userName co "%""#)).totalResults == 1)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"userName co "_""#)).totalResults == 1)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"externalId co "?""#)).totalResults == 1)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"userName eq "' OR 1=1 --""#)).totalResults == 1)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"emails[type eq "work"].value eq "babs@home.org""#)).totalResults == 0)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"not (groups pr)"#)).totalResults == 6)
            #expect(try await directory.queryResources(.group, in: corpus.org, query(#"members eq "{alice}""#)).totalResults == 2)
            #expect(try await directory.queryResources(.user, in: corpus.org, query(#"displayName eq "renée""#)).totalResults == 1)
        }
    }

    /// Filters that must stay an index look-up however large the organisation.
    static let indexedFilters: [(ResourceKind, String)] = [
        (ResourceKind.user, #"userName eq "bjensen""#),
        (.user, #"externalId eq "EXT-1""#),
        (.user, #"displayName eq "Alice""#),
        (.user, #"id eq "x""#),
        (.user, #"emails.value eq "bj@example.com""#),
        (.user, #"emails[type eq "work"].value eq "bj@example.com""#),
        (.user, #"userName eq "bjensen" and externalId eq "EXT-1""#),
        (.user, #"userName sw "bj""#),
        (.group, #"displayName eq "Admins""#),
        (.group, #"externalId eq "x""#),
        (.group, #"members[value eq "x"]"#),
    ]

    /// SQLite's planner follows the statistics the migrations write (see ``SQLiteMigrations/plannerStatistics``).
    @Test(arguments: indexedFilters)
    func equalityFiltersAreIndexLookUpsOnSQLite(kind: ResourceKind, text: String) async throws {
        try await TestBackend.sqlite.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let plan = try await directory.queryPlan(kind, in: org, ResourceQuery(filter: try Filter(parsing: text)))
            #expect(!plan.isEmpty)
            // No step may walk a whole table or a whole organisation: each look-up names a value.
            let walks = plan.filter { $0.hasPrefix("SCAN") || $0.hasSuffix("(org_id=?)") || $0.hasSuffix("(org_id=? AND kind=?)") }
            #expect(walks.isEmpty, "\(plan)")
        }
    }

    @Test func listsWalkCreationOrderAndUnindexedFiltersWalkTheOrganisation() async throws {
        try await TestBackend.sqlite.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let list = try await directory.queryPlan(.user, in: org, ResourceQuery())
            #expect(list.first == "SEARCH r USING INDEX resources_seq (org_id=? AND kind=?)", "\(list)")
            #expect(!list.contains { $0.contains("FOR ORDER BY") }, "\(list)")
            // The control for the test above: a filter no index serves is seen walking the organisation.
            let unindexed = try await directory.queryPlan(.user, in: org, ResourceQuery(filter: try Filter(parsing: #"title eq "Boss""#)))
            #expect(unindexed.contains { $0.hasSuffix("(org_id=? AND kind=?)") }, "\(unindexed)")
        }
    }

    /// PostgreSQL's planner follows the statistics it gathers: on an organisation of 20,000 users and 2,000 groups,
    /// each filter must still be an index look-up, and a filter no index serves is seen walking the organisation (the
    /// control).
    @Test(.enabled(if: TestBackend.postgresURL != nil, "needs \(TestBackend.postgresURLVariable)"))
    func equalityFiltersAreIndexLookUpsOnPostgreSQL() async throws {
        try await TestBackend.postgres.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            let other = try await directory.createOrganisation(slug: "globex", name: "Globex").id
            for organisation in [org, other] {
                try await directory.execute(
                    """
                    INSERT INTO resources (org_id, id, kind, seq, version, created, created_at, last_modified, last_modified_at, json, \
                    display_name, display_name_lc) \
                    SELECT \(organisation), 'g' || n, 'Group', nextval('resource_numbers'), 1, '', n, '', n, '{}', 'Group ' || n, 'group ' || n \
                    FROM generate_series(1, 2000) AS n
                    """)
                try await directory.execute(
                    """
                    INSERT INTO resources (org_id, id, kind, seq, version, created, created_at, last_modified, last_modified_at, json, \
                    user_name_lc, display_name, display_name_lc, external_id) \
                    SELECT \(organisation), 'u' || n, 'User', nextval('resource_numbers'), 1, '', n, '', n, '{}', 'user' || n, 'User ' || n, \
                    'user ' || n, 'x' || n FROM generate_series(1, 20000) AS n
                    """)
                try await directory.execute(
                    """
                    INSERT INTO resource_emails (org_id, resource_id, position, type_lc, value_lc) \
                    SELECT \(organisation), 'u' || n, 0, 'work', 'user' || n || '@example.com' FROM generate_series(1, 20000) AS n
                    """)
                try await directory.execute(
                    """
                    INSERT INTO memberships (org_id, group_id, member_id, member_type) \
                    SELECT \(organisation), 'g' || (1 + n % 2000), 'u' || n, 'User' FROM generate_series(1, 20000) AS n
                    """)
            }
            try await directory.execute("ANALYZE")
            for (kind, text) in Self.indexedFilters {
                let plan = try await directory.queryPlan(kind, in: org, ResourceQuery(filter: try Filter(parsing: text)))
                #expect(!plan.isEmpty)
                let walks = plan.filter { $0.contains("Seq Scan") || $0.contains("using resources_seq") }
                #expect(walks.isEmpty, "\(text): \(plan.joined(separator: "\n"))")
            }
            let unindexed = try await directory.queryPlan(.user, in: org, ResourceQuery(filter: try Filter(parsing: #"title eq "Boss""#)))
            #expect(unindexed.contains { $0.contains("Seq Scan") || $0.contains("Index Scan using resources_seq") }, "\(unindexed)")
        }
    }

    @Test func escapesLikeAndGlobWildcards() {
        #expect(SQLDialect.likePattern(#"a%b_c\d"#, leading: true, trailing: false) == #"%a\%b\_c\\d"#)
        #expect(SQLDialect.globPattern("a*b?c[d]", leading: false, trailing: true) == "a[*]b[?]c[[]d]*")
    }

    @Test func numbersPostgreSQLPlaceholdersOutsideQuotes() {
        let sql = #"SELECT '?', "a?b" FROM t WHERE a = ? AND b LIKE ? ESCAPE '' AND c IN (?, ?)"#
        #expect(SQLDialect.postgres.statement(sql) == #"SELECT '?', "a?b" FROM t WHERE a = $1 AND b LIKE $2 ESCAPE '' AND c IN ($3, $4)"#)
        #expect(SQLDialect.sqlite.statement(sql) == sql)
    }

    @Test(arguments: TestBackend.available)
    func invalidFiltersAndSortsAreRejectedBeforeAnyQuery(backend: TestBackend) async throws {
        try await backend.withDirectory { directory in
            let org = try await directory.createOrganisation(slug: "acme", name: "Acme").id
            await expectSCIMError(.badRequest, .invalidFilter) {
                _ = try await directory.queryResources(.user, in: org, ResourceQuery(filter: try Filter(parsing: "active gt true")))
            }
            await expectSCIMError(.badRequest, .invalidFilter) {
                _ = try await directory.queryResources(.user, in: org, ResourceQuery(filter: try Filter(parsing: #"meta.created gt "yesterday""#)))
            }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.queryResources(.user, in: org, ResourceQuery(sortBy: try AttributePath(parsing: "nickname.first")))
            }
            await expectSCIMError(.badRequest, .invalidValue) {
                _ = try await directory.queryResources(.group, in: org, ResourceQuery(sortBy: try AttributePath(parsing: "userName")))
            }
        }
    }
}
