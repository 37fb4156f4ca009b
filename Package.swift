// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Pledger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pledger", targets: ["pledger"]),
        .library(name: "PledgerDomain", targets: ["PledgerDomain"]),
        .library(name: "PledgerStore", targets: ["PledgerStore"]),
        .library(name: "PledgerHTTP", targets: ["PledgerHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Pure domain: value types, events, deciders, canonical JSON, projections. No I/O.
        .target(
            name: "PledgerDomain",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // PostgreSQL event store, migrations, projector, read models.
        // glibc's allocator controls, for a server's memory (Heap.swift).
        .systemLibrary(name: "CHeap", path: "Sources/CHeap"),
        .target(
            name: "PledgerStore",
            dependencies: [
                "PledgerDomain",
                "CHeap",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // HTTP API: routes, auth, problem+json, OpenAPI document, metrics.
        .target(
            name: "PledgerHTTP",
            dependencies: [
                "PledgerDomain", "PledgerStore", "PledgerCharts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: strict
        ),
        // Application services: reconciliations, the loans import, the demo district, administrator acts.
        .target(name: "PledgerApplication", dependencies: ["PledgerDomain", "PledgerStore"], swiftSettings: strict),
        // Reports people read: HTML pages with inline SVG charts, drawn from domain reports.
        .target(name: "PledgerCharts", dependencies: ["PledgerDomain"], swiftSettings: strict),
        // Command implementations (plain types the tests call directly).
        .target(
            name: "PledgerCLI",
            dependencies: [
                "PledgerDomain", "PledgerStore", "PledgerApplication", "PledgerHTTP", "PledgerCharts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "pledger", dependencies: ["PledgerCLI"], swiftSettings: strict),
        // Append-throughput benchmark (scripts/bench); not part of the test suite.
        .executableTarget(
            name: "PledgerBench",
            dependencies: ["PledgerDomain", "PledgerStore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // Shared test helpers: throw-away databases cloned from a migrated template.
        .target(
            name: "PledgerTestSupport",
            dependencies: [
                "PledgerDomain", "PledgerStore", "PledgerDomainTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PledgerTestSupport",
            swiftSettings: strict
        ),
        // Pure test helpers: an in-memory workflow runner, builders, a random command generator.
        .target(
            name: "PledgerDomainTestSupport", dependencies: ["PledgerDomain"], path: "Tests/PledgerDomainTestSupport", swiftSettings: strict
        ),
        .testTarget(
            name: "PledgerDomainTests", dependencies: ["PledgerDomain", "PledgerDomainTestSupport"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "PledgerChartsTests", dependencies: ["PledgerCharts", "PledgerDomain", "PledgerDomainTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PledgerStoreTests",
            dependencies: [
                "PledgerDomain", "PledgerStore", "PledgerTestSupport", "PledgerDomainTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PledgerHTTPTests",
            dependencies: [
                "PledgerHTTP", "PledgerDomain", "PledgerStore", "PledgerTestSupport", "PledgerDomainTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PledgerApplicationTests",
            dependencies: ["PledgerApplication", "PledgerDomain", "PledgerStore", "PledgerTestSupport", "PledgerDomainTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PledgerCLITests",
            dependencies: [
                "PledgerCLI", "PledgerDomain", "PledgerStore", "PledgerTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
