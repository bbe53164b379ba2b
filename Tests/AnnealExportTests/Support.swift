import CAnneal
import Foundation
import Testing

/// Paths, tools and C-call helpers shared by the C-level tests.
enum Support {
    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let header = packageRoot.appendingPathComponent("include/anneal.h")
    static let ionosphere = packageRoot.appendingPathComponent("examples/data/ionosphere.csv").path

    /// A golden run recorded from real Keras: `Tests/AnnealTests/Fixtures/golden/` (the further runs, see its
    /// README) or, failing that, `Tests/AnnealTests/Fixtures/` (`time`, `step`, `base`, `adam`, `rmsprop`, `adagrad`).
    static func goldenURL(_ name: String) -> URL {
        let fixtures = packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures")
        let further = fixtures.appendingPathComponent("golden/\(name).json")
        return FileManager.default.fileExists(atPath: further.path) ? further : fixtures.appendingPathComponent("\(name).json")
    }

    /// The golden runs' tolerances, as `Tolerance` names them in AnnealTests: an epoch value or rate, and a
    /// final weight after 50 epochs of float32 training, against the recorded real-Keras run.
    static let goldenEpochValue = 1e-5
    static let goldenFinalWeight = 1e-4

    /// The directory holding the built `libanneal.so`: `$ANNEAL_LIB_DIR` when set, else the directory of the
    /// running test executable or one of its parents (`swift build` and `swift test` put the library next to
    /// the test bundle in the scratch path's configuration directory, e.g. `.build-capi/debug`).
    static let libraryDirectory: URL? = {
        let name = "libanneal.so"
        if let given = ProcessInfo.processInfo.environment["ANNEAL_LIB_DIR"] {
            return URL(fileURLWithPath: given)
        }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// The built library, or a recorded issue saying how to build it.
    static func library() throws -> URL {
        guard let directory = libraryDirectory else {
            Issue.record("libanneal.so not found next to the test executable; run `swift build --scratch-path <path>` before `swift test --scratch-path <path>`, or set ANNEAL_LIB_DIR")
            throw CancellationError()
        }
        return directory.appendingPathComponent("libanneal.so")
    }

    /// `$ANNEAL_SANITIZER` (`address` or `thread`), which the sanitizer commands in docs/TESTING.md set.
    static let sanitizer: String? = ProcessInfo.processInfo.environment["ANNEAL_SANITIZER"].flatMap { $0.isEmpty ? nil : $0 }

    /// The Swift toolchain's `lib/swift/linux`, found from `clang` on PATH (the toolchain's own clang).
    static var toolchainLibraries: String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let clang = URL(fileURLWithPath: "\(directory)/clang")
            guard FileManager.default.isExecutableFile(atPath: clang.path) else { continue }
            let libraries = clang.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("lib/swift/linux")
            if FileManager.default.fileExists(atPath: libraries.appendingPathComponent("libdispatch.so").path) {
                return libraries.path
            }
        }
        return nil
    }

    /// The C and C++ compilers: `$CC` / `$CXX`, else `cc` / `c++` from PATH.
    static var cc: String { ProcessInfo.processInfo.environment["CC"] ?? "cc" }
    static var cxx: String { ProcessInfo.processInfo.environment["CXX"] ?? "c++" }

    /// The compiler for programs that link libanneal.so: under `ANNEAL_SANITIZER`, the library needs the
    /// sanitizer's runtime, so the program is built by the toolchain's clang (`clang` on PATH, or `$CC`) with
    /// `-fsanitize=<sanitizer>` too (linked by lld: GNU gold warns about the sanitizer runtime's symbols).
    static var exampleCC: String {
        guard let sanitizer else { return cc }
        var command = "\(ProcessInfo.processInfo.environment["CC"] ?? "clang") -fsanitize=\(sanitizer) -fuse-ld=lld"
        if sanitizer == "thread", let swiftLibraries = toolchainLibraries {
            // The TSan runtime intercepts libdispatch, which a C program does not link by itself.
            command += " -L\(swiftLibraries) -Wl,-rpath,\(swiftLibraries) -ldispatch -lBlocksRuntime"
        }
        return command
    }

    struct Output {
        let status: Int32
        let text: String
    }

    /// Runs a program found on PATH and returns its exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-capi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The tutorial's step decay, as the tutorial writes it.
    static func stepDecay(_ epoch: Int) -> Double {
        0.1 * pow(0.5, ((1 + Double(epoch)) / 10).rounded(.down))
    }

    /// The last error as a String.
    static var lastError: String { String(cString: anneal_last_error()) }
}

/// Expects ANNEAL_OK, showing the library's message otherwise.
func ok(_ status: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(status == ANNEAL_OK, "status \(status): \(Support.lastError)", sourceLocation: sourceLocation)
}

/// Expects `expected` and a non-empty last-error message.
func fails(_ status: Int32, _ expected: Int32, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let message = Support.lastError
    #expect(status == expected,
            "\(what): expected \(String(cString: anneal_status_string(expected))) (\(expected)), got \(status): \(message)",
            sourceLocation: sourceLocation)
    #expect(!message.isEmpty, "\(what): no last-error message", sourceLocation: sourceLocation)
}

/// The ionosphere data through the C API: features, labels, rows, columns.
struct CData {
    let x: [Float]
    let y: [Float]
    let rows: Int64
    let columns: Int32

    static func ionosphere() throws -> CData {
        var dataset: OpaquePointer?
        ok(anneal_dataset_load_csv(Support.ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, &dataset))
        defer { anneal_dataset_free(dataset) }
        var rows: Int64 = 0
        var columns: Int32 = 0
        ok(anneal_dataset_rows(dataset, &rows))
        ok(anneal_dataset_features(dataset, &columns))
        var x = [Float](repeating: 0, count: Int(rows) * Int(columns))
        var y = [Float](repeating: 0, count: Int(rows))
        ok(anneal_dataset_copy_features(dataset, &x, Int64(x.count)))
        ok(anneal_dataset_copy_labels(dataset, &y, Int64(y.count)))
        return CData(x: x, y: y, rows: rows, columns: columns)
    }
}

/// anneal_model_add_dense with the layer's settings as arguments, through an anneal_dense_options (the
/// tests' shorthand; C callers fill the struct from ANNEAL_DENSE_OPTIONS_INIT).
func addDense(
    _ model: OpaquePointer?, _ units: Int32, _ activation: Int32, _ kernelInitializer: Int32, _ biasInitializer: Int32,
    _ useBias: Bool, _ inputDim: Int32
) -> Int32 {
    var options = anneal_dense_options(
        struct_size: Int64(MemoryLayout<anneal_dense_options>.stride), activation: activation,
        kernel_initializer: kernelInitializer, bias_initializer: biasInitializer, use_bias: useBias, input_dim: inputDim)
    return anneal_model_add_dense(model, units, &options)
}

/// anneal_model_compile with an SGD handle, a loss and metric names (the tests' shorthand).
func compileSGD(
    _ model: OpaquePointer?, _ sgd: OpaquePointer?, _ loss: Int32, _ names: UnsafePointer<UnsafePointer<CChar>?>?,
    _ count: Int32
) -> Int32 {
    var options = compileOptions(loss, names, count)
    options.sgd = sgd
    return anneal_model_compile(model, &options)
}

/// anneal_model_compile with an optimizer handle, a loss and metric names.
func compileOptimizer(
    _ model: OpaquePointer?, _ optimizer: OpaquePointer?, _ loss: Int32,
    _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int32
) -> Int32 {
    var options = compileOptions(loss, names, count)
    options.optimizer = optimizer
    return anneal_model_compile(model, &options)
}

/// ANNEAL_COMPILE_OPTIONS_INIT with a loss and metric names.
func compileOptions(_ loss: Int32, _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int32) -> anneal_compile_options {
    anneal_compile_options(
        struct_size: Int64(MemoryLayout<anneal_compile_options>.stride), loss: loss, metrics: nil, metric_count: 0,
        metric_names: names, metric_name_count: count, optimizer: nil, sgd: nil, learning_rate: 0.01, momentum: 0,
        decay: 0, nesterov: false)
}

/// anneal_model_fit with Keras's fit arguments as arguments, through an anneal_fit_options (the tests'
/// shorthand): `seed` NULL for none.
func fitArrays(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ yCols: Int32, _ epochs: Int32, _ batchSize: Int32, _ validationSplit: Double, _ shuffle: Bool,
    _ seed: UnsafePointer<UInt64>?, _ schedule: OpaquePointer?, _ callback: anneal_epoch_callback?,
    _ userData: UnsafeMutableRawPointer?, _ history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    var options = anneal_fit_options(
        struct_size: Int64(MemoryLayout<anneal_fit_options>.stride), epochs: epochs, batch_size: batchSize,
        validation_split: validationSplit, validation_data: nil, shuffle: shuffle, has_seed: seed != nil,
        seed: seed?.pointee ?? 0, schedule: schedule, callback: callback, user_data: userData)
    return anneal_model_fit(model, x, rows, cols, y, yCols, &options, history)
}

/// A compiled tutorial model through the C API: Dense(34, relu, normal) -> Dense(1, sigmoid, normal).
func tutorialModel(seed: UInt64, learningRate: Double, momentum: Double, decay: Double = 0) -> OpaquePointer? {
    var model: OpaquePointer?
    var sgd: OpaquePointer?
    ok(anneal_model_create(seed, &model))
    ok(addDense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 34))
    ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 0))
    ok(anneal_sgd_create(learningRate, momentum, decay, false, &sgd))
    defer { anneal_sgd_free(sgd) }
    let metric = strdup("accuracy")
    defer { free(metric) }
    var metrics: [UnsafePointer<CChar>?] = [UnsafePointer(metric)]
    ok(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, &metrics, 1))
    return model
}

/// Every key and value list of a history handle.
func historyValues(_ history: OpaquePointer?) -> [String: [Double]] {
    var keyCount: Int32 = 0
    ok(anneal_history_key_count(history, &keyCount))
    var result: [String: [Double]] = [:]
    for index in 0..<keyCount {
        var length: Int64 = 0
        ok(anneal_history_key(history, index, nil, 0, &length))
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        ok(anneal_history_key(history, index, &buffer, Int64(buffer.count), nil))
        let key = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var count: Int32 = 0
        ok(anneal_history_values(history, key, nil, 0, &count))
        var values = [Double](repeating: .nan, count: Int(count))
        ok(anneal_history_values(history, key, &values, count, nil))
        result[key] = values
    }
    return result
}

/// The bit patterns of a list of doubles, for exact comparisons.
func bits(_ values: [Double]?) -> [UInt64] { (values ?? []).map(\.bitPattern) }

/// Expects two non-empty lists with the same bit patterns.
func expectSameBits(_ actual: [Double]?, _ expected: [Double]?, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!(expected ?? []).isEmpty, "\(what): nothing to compare", sourceLocation: sourceLocation)
    #expect(bits(actual) == bits(expected), "\(what)", sourceLocation: sourceLocation)
}

/// A NUL-terminated C buffer as a String.
func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Every weight of `model` as bit patterns, kernel then bias, layer after layer (through the C API).
func weightBits(_ model: OpaquePointer?) -> [UInt32] {
    var count: Int32 = 0
    ok(anneal_model_weight_count(model, &count))
    var bits: [UInt32] = []
    for index in 0..<count {
        var rank: Int32 = 0, size: Int64 = 0
        var dims = [Int64](repeating: 0, count: 2)
        ok(anneal_model_weight_shape(model, index, &rank, &dims, 2, &size))
        var values = [Float](repeating: 0, count: Int(size))
        ok(anneal_model_get_weight(model, index, &values, size))
        bits += values.map(\.bitPattern)
    }
    return bits
}
