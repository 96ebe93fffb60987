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
        // Persistence behind the `Directory` protocol.
        .target(name: "KlaxonDirectory", dependencies: ["SCIM"], swiftSettings: swiftSettings),
        // The HTTP service.
        .target(
            name: "KlaxonServer",
            dependencies: ["SCIM", "KlaxonMapping", "KlaxonDirectory"],
            swiftSettings: swiftSettings
        ),
        // The provisioning agent.
        .target(name: "KlaxonSyncEngine", dependencies: ["SCIM", "KlaxonMapping"], swiftSettings: swiftSettings),
        // The command line: wiring only.
        .executableTarget(
            name: "klaxon-sync",
            dependencies: [
                "SCIM", "KlaxonMapping", "KlaxonDirectory", "KlaxonServer", "KlaxonSyncEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Throughput benchmarks; run in release: `swift run -c release klaxon-bench core`.
        .executableTarget(
            name: "klaxon-bench",
            dependencies: ["SCIM", .product(name: "ArgumentParser", package: "swift-argument-parser")],
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
    ]
)
