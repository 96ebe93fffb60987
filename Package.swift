// swift-tools-version:6.1
import PackageDescription

// Module boundaries follow DESIGN.md: `SCIM` is pure values and functions (Foundation only); every other
// module builds on it. External packages are added to a module when that module first needs them, so a
// clean build stays as short as the work in hand allows.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "klaxon-sync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SCIM", targets: ["SCIM"]),
        .library(name: "KlaxonMapping", targets: ["KlaxonMapping"]),
        .executable(name: "klaxon-sync", targets: ["klaxon-sync"]),
        .executable(name: "klaxon-bench", targets: ["klaxon-bench"]),
        .plugin(name: "LintMappings", targets: ["LintMappings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // RFC 7643/7644 as values and pure functions. No I/O.
        .target(name: "SCIM", swiftSettings: swiftSettings),
        // Mapping files, the Entra expression language, transformers, lint.
        .target(
            name: "KlaxonMapping",
            dependencies: ["SCIM", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // A C shim for the SQLite settings Swift cannot reach (variadic sqlite3_db_config).
        .target(name: "KlaxonSQLiteSupport", dependencies: [.product(name: "SQLiteNIO", package: "sqlite-nio")]),
        // Persistence behind the `Directory` protocol.
        .target(
            name: "KlaxonDirectory",
            dependencies: [
                "SCIM", "KlaxonSQLiteSupport",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP service.
        .target(
            name: "KlaxonServer",
            dependencies: [
                "SCIM", "KlaxonMapping", "KlaxonDirectory",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Compiled into the binary, so `klaxon-sync` stays one file to deploy.
            resources: [.embedInCode("Admin/Templates"), .embedInCode("Admin/Static"), .embedInCode("Profile/klaxon-profile.yaml")],
            swiftSettings: swiftSettings
        ),
        // The provisioning agent.
        .target(
            name: "KlaxonSyncEngine",
            dependencies: [
                "SCIM", "KlaxonMapping",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line: wiring only.
        .executableTarget(
            name: "klaxon-sync",
            dependencies: [
                "SCIM", "KlaxonMapping", "KlaxonDirectory", "KlaxonServer", "KlaxonSyncEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Throughput benchmarks; run in release: `swift run -c release klaxon-bench core`.
        .executableTarget(
            name: "klaxon-bench",
            dependencies: [
                "SCIM", "KlaxonMapping", "KlaxonSyncEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // `swift package lint-mappings`: lints Mappings/ with `klaxon-sync lint`.
        .plugin(
            name: "LintMappings",
            capability: .command(
                intent: .custom(verb: "lint-mappings", description: "Lint the mapping files in Mappings/")),
            dependencies: ["klaxon-sync"]
        ),
        .testTarget(name: "SCIMTests", dependencies: ["SCIM"], swiftSettings: swiftSettings),
        .testTarget(name: "KlaxonMappingTests", dependencies: ["KlaxonMapping", "SCIM"], swiftSettings: swiftSettings),
        // Fresh SQLite files and PostgreSQL databases, so the directory and server suites run on both backends.
        .target(
            name: "KlaxonTestSupport",
            dependencies: [
                "KlaxonDirectory", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/KlaxonTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KlaxonDirectoryTests",
            dependencies: ["KlaxonDirectory", "KlaxonTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KlaxonSyncEngineTests",
            dependencies: [
                "KlaxonSyncEngine", "KlaxonServer", "KlaxonDirectory", "KlaxonMapping", "SCIM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KlaxonServerTests",
            dependencies: [
                "KlaxonServer", "KlaxonDirectory", "KlaxonTestSupport", "SCIM",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            // The browser test's DevTools script, run with python3.
            exclude: ["Browser"],
            swiftSettings: swiftSettings
        ),
    ]
)
