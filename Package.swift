// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Anneal",
    products: [
        // MARK: Public API
        .library(name: "Anneal", targets: ["Anneal"]),
        .executable(name: "anneal-tutorial", targets: ["anneal-tutorial"]),
        .executable(name: "anneal-bench", targets: ["anneal-bench"]),
    ],
    targets: [
        // MARK: Implementation
        .target(name: "Anneal"),

        // MARK: Examples and benchmarks
        .executableTarget(name: "anneal-tutorial", dependencies: ["Anneal"], path: "examples/swift/tutorial"),
        .executableTarget(name: "anneal-bench", dependencies: ["Anneal"], path: "benchmarks/swift"),

        // MARK: Tests
        .testTarget(
            name: "AnnealTests",
            dependencies: ["Anneal"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
