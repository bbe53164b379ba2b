// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Anneal",
    products: [
        // MARK: Public API
        /// The Swift core, for Swift programs.
        .library(name: "Anneal", targets: ["Anneal"]),
        /// `libanneal.so`: the C ABI declared in `include/anneal.h`, for C programs and the Python package.
        .library(name: "anneal", type: .dynamic, targets: ["AnnealExport"]),
        .executable(name: "anneal-tutorial", targets: ["anneal-tutorial"]),
        .executable(name: "anneal-bench", targets: ["anneal-bench"]),
        /// libFuzzer targets (`fuzz/run.sh`); built without the fuzzer they replay inputs given as files.
        .executable(name: "anneal-fuzz-csv", targets: ["anneal-fuzz-csv"]),
        .executable(name: "anneal-fuzz-weights", targets: ["anneal-fuzz-weights"]),
    ],
    targets: [
        // MARK: Implementation
        .target(name: "Anneal", dependencies: ["AnnealKernels"]),
        /// The AVX2 and AVX-512 kernels, in C for per-function target attributes; chosen at run time.
        .target(name: "AnnealKernels"),
        /// `include/anneal.h` seen from Swift (through `include/module.modulemap`), so that every export is
        /// checked against its declaration by `@c @implementation`.
        .systemLibrary(name: "CAnneal", path: "include"),
        /// The only module that knows C: thin thunks from `anneal.h` to the core, one file per object.
        ///
        /// In release, the product that links it (`libanneal.so`, what `make install` and the Python wheel ship)
        /// carries the Swift runtime inside: `-static-stdlib` links the toolchain's `swift_static` archives
        /// with `--exclude-libs ALL`, so the library needs only the system's C and C++ runtime, loads where no
        /// Swift is installed, and exports none of the runtime's symbols (a process may load another Swift
        /// runtime beside it). Debug builds keep the shared runtime: the tests load the library into Swift
        /// processes and under sanitizers.
        .target(
            name: "AnnealExport", dependencies: ["Anneal", "CAnneal"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),

        // MARK: Examples and benchmarks
        /// The tutorial's three experiments (`TutorialExperiment`): shared by the runner, the benchmark and
        /// the tests so that all of them train the same thing; not part of the `Anneal` library.
        .target(name: "AnnealTutorial", dependencies: ["Anneal"], path: "examples/swift/AnnealTutorial"),
        .executableTarget(
            name: "anneal-tutorial", dependencies: ["Anneal", "AnnealTutorial"], path: "examples/swift/tutorial"),
        .executableTarget(name: "anneal-bench", dependencies: ["Anneal", "AnnealTutorial"], path: "benchmarks/swift"),

        // MARK: Fuzzing
        /// `fuzz/run.sh csv|weights [runs]` builds these with `-sanitize=fuzzer,address -DANNEAL_LIBFUZZER`;
        /// a plain build makes replay tools (`anneal-fuzz-csv FILE...`) from the same sources.
        .executableTarget(name: "anneal-fuzz-csv", dependencies: ["Anneal", "AnnealFuzzDriver"], path: "fuzz/csv"),
        .executableTarget(
            name: "anneal-fuzz-weights", dependencies: ["Anneal", "AnnealFuzzDriver"], path: "fuzz/weights"),
        /// The driver the fuzz targets share: libFuzzer's entry point under `-DANNEAL_LIBFUZZER`, file replay
        /// otherwise, and `check` (abort on a broken promise). Each target only supplies its property check.
        .target(name: "AnnealFuzzDriver", path: "fuzz/driver"),

        // MARK: Test support
        /// Debian's libpython3, linked through pkg-config; only PythonEmbed's C file includes Python.h.
        .systemLibrary(name: "CPython3", pkgConfig: "python3-embed", providers: [.apt(["libpython3-dev"])]),
        /// An embedded CPython for the tests of the Python package, behind a header without Python.h.
        .target(name: "PythonEmbed", dependencies: ["CPython3"]),
        /// Saves weights in a loop until killed; `KillDuringSaveTests` runs it and SIGKILLs it mid-save.
        .executableTarget(name: "anneal-save-loop", dependencies: ["Anneal"], path: "Tests/Helpers/SaveLoop"),
        /// Replaces malloc and friends to count a process's allocations (glibc, no sanitizer).
        .target(name: "MallocCounter", path: "Tests/Helpers/MallocCounter"),
        /// Counts the allocations of training steps; `AllocationTests` runs it.
        .executableTarget(name: "anneal-allocation-count", dependencies: ["Anneal", "MallocCounter"],
                          path: "Tests/Helpers/AllocationCount"),
        /// Trains two models and prints a hash of their bits; `FitTests` runs it at each kernel level.
        .executableTarget(name: "anneal-fit-bits", dependencies: ["Anneal"], path: "Tests/Helpers/FitBits"),

        // MARK: Tests
        .testTarget(
            name: "AnnealTests",
            dependencies: ["Anneal", "AnnealTutorial"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AnnealExportTests",
            dependencies: ["AnnealExport", "CAnneal", "Anneal"]
        ),
        .testTarget(
            name: "AnnealPythonTests",
            dependencies: ["PythonEmbed"]
        ),
    ]
)
