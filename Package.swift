// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Anneal",
    products: [
        // MARK: Public API
        .library(name: "Anneal", targets: ["Anneal"]),
    ],
    targets: [
        // MARK: Implementation
        .target(name: "Anneal"),

        // MARK: Tests
        .testTarget(
            name: "AnnealTests",
            dependencies: ["Anneal"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
