// swift-tools-version:6.1
import PackageDescription

/// What a bank builds from Pledger's /openapi.json alone: the generated types and client,
/// plus bearer-token authentication (the one thing the generator leaves to a middleware).
/// A package of its own, so the server's build does not carry the generator.
let package = Package(
    name: "PledgerBankClient",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PledgerBankClient", targets: ["PledgerBankClient"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // openapi.json is a symlink to the server's document (Sources/PledgerHTTP/openapi.json).
        .target(
            name: "PledgerBankClient",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // A bank's month against a live server (scripts/bank-clients starts one).
        .testTarget(
            name: "PledgerBankClientTests",
            dependencies: ["PledgerBankClient"]
        ),
    ]
)
