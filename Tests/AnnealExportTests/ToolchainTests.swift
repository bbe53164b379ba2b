import Anneal
import CAnneal
import Foundation
import Testing

/// The header and the built library, seen from outside: compilers, the dynamic symbol table, the C example.
@Suite("Header, library and C example")
struct ToolchainTests {
    static let strictC = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"]

    @Test("anneal.h compiles as C11 and as C++")
    func headerCompiles() throws {
        let include = Support.header.deletingLastPathComponent().path
        let c = try Support.run([Support.cc, "-fsyntax-only"] + Self.strictC + ["-x", "c", Support.header.path])
        #expect(c.status == 0, "as C: \(c.text)")
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("uses_header.cpp")
        try """
        #include <anneal.h>
        int main() {
            anneal_model *model = nullptr;
            int32_t status = anneal_model_create(1, &model);
            anneal_model_free(model);
            return status == ANNEAL_OK ? 0 : 1;
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        for standard in ["-std=c++11", "-std=c++17"] {
            let cxx = try Support.run([Support.cxx, "-fsyntax-only", standard, "-Wall", "-Wextra", "-Werror", "-pedantic",
                                       "-I", include, "-x", "c++", source.path])
            #expect(cxx.status == 0, "as C++ (\(standard)): \(cxx.text)")
        }
    }

    /// The `anneal_*` functions declared in the header.
    static func headerFunctions() throws -> Set<String> {
        let header = try String(contentsOf: Support.header, encoding: .utf8)
        let pattern = try Regex(#"\b(anneal_[a-z0-9_]+)\s*\("#)
        return Set(header.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
    }

    /// The `anneal_*` functions the built library exports.
    static func exportedFunctions() throws -> Set<String> {
        let library = try Support.library()
        let nm = try Support.run(["nm", "-D", "--defined-only", library.path])
        #expect(nm.status == 0, "nm: \(nm.text)")
        return Set(nm.text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[1] == "T", fields[2].hasPrefix("anneal_") else { return nil }
            return String(fields[2])
        })
    }

    /// The `anneal_*` functions bound in `python/anneal/_lib.py`, once that file exists (nil before).
    ///
    /// Each binding is a module-level `anneal_name = _function("anneal_name", restype, [argtypes])` under its
    /// quoted C declaration (python/tests/test_lib.py checks the types against the header).
    static func pythonFunctions() throws -> Set<String>? {
        let file = Support.packageRoot.appendingPathComponent("python/anneal/_lib.py")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let source = try String(contentsOf: file, encoding: .utf8)
        let pattern = try Regex(#"(?m)^anneal_[a-z0-9_]+ = _function\(\s*"(anneal_[a-z0-9_]+)""#)
        return Set(source.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
    }

    @Test("header, nm -D of libanneal.so and the Python prototypes name the same functions")
    func symbolSets() throws {
        let declared = try Self.headerFunctions()
        let exported = try Self.exportedFunctions()
        #expect(declared.count > 80)
        #expect(declared.subtracting(exported).sorted() == [], "declared in anneal.h but not exported")
        #expect(exported.subtracting(declared).sorted() == [], "exported but not declared in anneal.h")
        if let python = try Self.pythonFunctions() {
            #expect(declared.subtracting(python).sorted() == [], "declared in anneal.h but not bound in _lib.py")
            #expect(python.subtracting(declared).sorted() == [], "bound in _lib.py but not declared in anneal.h")
        }
    }

    @Test("each ANNEAL_ACTIVATION_*, _INITIALIZER_*, _LOSS_* and _METRIC_* constant is its Keras name in upper case")
    func codeNames() throws {
        // Bindings derive a code's name from its constant (python/anneal/_names.py): the library must take that
        // name back to the constant's value, and have a table entry for every code the header defines.
        let header = try String(contentsOf: Support.header, encoding: .utf8)
        let lookups: [(String, (UnsafePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32)] = [
            ("ACTIVATION", anneal_activation_from_name), ("INITIALIZER", anneal_initializer_from_name),
            ("LOSS", anneal_loss_from_name), ("METRIC", anneal_metric_from_name),
        ]
        for (family, lookup) in lookups {
            let constants = header.matches(of: try Regex("#define ANNEAL_\(family)_([A-Z0-9_]+)[ \\t]+([0-9]+)"))
            #expect(constants.count >= 4, "ANNEAL_\(family)_* in anneal.h")
            for constant in constants {
                let name = String(constant.output[1].substring ?? "").lowercased()
                let value = Int32(constant.output[2].substring ?? "")
                var code: Int32 = -1
                let status = name.withCString { lookup($0, &code) }
                #expect(status == ANNEAL_OK && code == value, "ANNEAL_\(family)_\(name.uppercased()) as \"\(name)\"")
            }
        }
    }

    @Test("libanneal.so does not load Foundation (its load time shows in every short Python process)")
    func noFoundation() throws {
        let library = try Support.library()
        let readelf = try Support.run(["readelf", "-d", library.path])
        #expect(readelf.status == 0, "readelf: \(readelf.text)")
        let needed = readelf.text.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "readelf printed no NEEDED entries: \(readelf.text)")
        #expect(needed.filter { $0.contains("Foundation") }.isEmpty, "libanneal.so needs Foundation: \(needed)")
    }

    @Test("the C example builds with strict flags, runs, and ends where the Swift run ends")
    func cExample() throws {
        let library = try Support.library()
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent("tutorial_step_decay").path
        let examples = Support.packageRoot.appendingPathComponent("examples/c")
        let make = try Support.run(["make", "-s", "-C", examples.path, "LIBDIR=\(library.deletingLastPathComponent().path)",
                                    "OUT=\(program)", "MINIMAL=\(directory.appendingPathComponent("minimal").path)",
                                    "CC=\(Support.exampleCC)"])
        #expect(make.status == 0, "make: \(make.text)")
        #expect(make.text.isEmpty, "warnings while building the example: \(make.text)")
        let seed: UInt64 = 7
        let run = try Support.run([program, Support.ionosphere, String(seed)])
        #expect(run.status == 0, "the example failed: \(run.text)")
        let lines = run.text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("Epoch ") }.count == 50)
        let final = try #require(lines.last { $0.hasPrefix("final val_accuracy: ") }, "no final line in: \(run.text)")
        let value = try #require(Double(final.split(separator: " ")[2]))

        // The same experiment in Swift.
        let data = try Dataset(csvFile: Support.ionosphere)
        let model = Sequential(seed: seed)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        try model.compile(optimizer: SGD(learningRate: 0, momentum: 0.9), loss: .binaryCrossentropy, metrics: ["accuracy"])
        let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0,
                                    callbacks: [LearningRateScheduler(Support.stepDecay)], validationSplit: 0.33)
        let expected = try #require(history["val_accuracy"]?.last)
        #expect(value == expected, "C example \(value), Swift \(expected)")
        #expect(final.hasSuffix("/116)"))
    }
}

extension ToolchainTests {
    @Test("examples/c/minimal.c builds with strict flags, runs, saves its weights and ends where Swift ends")
    func minimalExample() throws {
        let library = try Support.library()
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent("minimal").path
        let weights = directory.appendingPathComponent("minimal.weights").path
        let examples = Support.packageRoot.appendingPathComponent("examples/c")
        let make = try Support.run(["make", "-s", "-C", examples.path, "LIBDIR=\(library.deletingLastPathComponent().path)",
                                    "OUT=\(directory.appendingPathComponent("tutorial_step_decay").path)",
                                    "MINIMAL=\(program)", "CC=\(Support.exampleCC)", program])
        #expect(make.status == 0, "make: \(make.text)")
        #expect(make.text.isEmpty, "warnings while building the example: \(make.text)")

        // Eight library calls from file to weights, the frees aside.
        let source = try String(contentsOf: examples.appendingPathComponent("minimal.c"), encoding: .utf8)
        let calls = source.split(separator: "\n").filter { $0.contains("CHECK(anneal_") }
        #expect(calls.count == 8, "\(calls)")
        // The header opens with the same eight calls, in the same order, before its CONVENTIONS.
        let header = try String(contentsOf: Support.header, encoding: .utf8)
        let opening = header[..<(try #require(header.range(of: "CONVENTIONS"))).lowerBound]
        var rest = opening[...]
        for call in calls {
            let name = try #require(call.firstMatch(of: /anneal_[a-z_]+/)).output
            let found = try #require(rest.range(of: "\(name)("), "the header's opening example lacks \(name)")
            rest = rest[found.upperBound...]
        }

        let seed: UInt64 = 7
        let run = try Support.run([program, Support.ionosphere, String(seed), weights])
        #expect(run.status == 0, "the example failed: \(run.text)")
        let line = try #require(run.text.split(separator: "\n").last { $0.hasPrefix("val_accuracy: ") }, "\(run.text)")
        let value = try #require(Double(line.split(separator: " ")[1]))
        #expect(FileManager.default.fileExists(atPath: weights))

        let data = try Dataset(csvFile: Support.ionosphere)
        let model = Sequential(seed: seed)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        try model.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.8, decay: Float(0.1 / 50)),
                          loss: .binaryCrossentropy, metrics: ["accuracy"])
        let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0,
                                    validationSplit: 0.33)
        let expected = try #require(history["val_accuracy"]?.last)
        #expect(value == expected, "C example \(value), Swift \(expected)")
        let saved = Sequential(seed: 0)
        try saved.add(Dense(34, activation: .relu, inputDimension: 34))
        try saved.add(Dense(1, activation: .sigmoid))
        try saved.loadWeights(from: weights)
        #expect(saved.getWeights() == model.getWeights(), "the saved weights are the trained ones")
    }
}

/// Creating, training and freeing through the C API again and again does not grow the process.
@Suite("C API resources")
struct ResourceTests {
    /// Resident set size in bytes, from /proc/self/statm.
    static func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return (Int(statm[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The sanitizer allocator's count of bytes the program holds (`__sanitizer_get_current_allocated_bytes`
    /// from `<sanitizer/allocator_interface.h>`, which ASan and TSan both provide), or nil when no sanitizer
    /// runtime is in the process. Unlike RSS it leaves out ASan's quarantine of freed blocks (up to 256 MB)
    /// and the sanitizers' shadow memory, so it is the flatness measure that still means something there.
    static let sanitizerAllocatedBytes: (@convention(c) () -> Int)? = {
        guard let process = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(process, "__sanitizer_get_current_allocated_bytes") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int).self)
    }()

    /// The memory that one leaked cycle would grow: the sanitizer allocator's bytes in use under a sanitizer,
    /// else the resident set size.
    static func memoryInUse() throws -> Int {
        if Support.sanitizer != nil {
            guard let allocated = sanitizerAllocatedBytes else {
                Issue.record("ANNEAL_SANITIZER is set but the process has no __sanitizer_get_current_allocated_bytes: build with --sanitize=\(Support.sanitizer ?? "")")
                throw CancellationError()
            }
            return allocated()
        }
        return try residentBytes()
    }

    /// One full cycle: dataset, model, SGD, schedule, session, epoch, fit with history, weights, free all.
    static func cycle(_ x: [Float], _ y: [Float]) {
        var model: OpaquePointer?, sgd: OpaquePointer?, schedule: OpaquePointer?, session: OpaquePointer?
        var history: OpaquePointer?, dataset: OpaquePointer?
        ok(anneal_dataset_create(x, y, 256, 34, &dataset))
        ok(anneal_model_create(1, &model))
        ok(addDense(model, 16, ANNEAL_ACTIVATION_RELU, 0, 1, true, 34))
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, 0, 1, true, 0))
        ok(anneal_sgd_create(0.1, 0.9, 0.001, true, &sgd))
        ok(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0))
        ok(anneal_schedule_step_decay(0.1, 0.5, 10, 0, &schedule))
        ok(anneal_session_create(model, x, 256, 34, y, 1, 32, 0.25, true, nil, &session))
        ok(anneal_session_train_epoch(session, nil, 0, nil))
        ok(anneal_session_fit(session, 2, 0, schedule, nil, nil, &history))
        var weights = [Float](repeating: 0, count: 34 * 16)
        ok(anneal_model_get_weight(model, 0, &weights, Int64(weights.count)))
        _ = anneal_model_layer_count(nil, nil)  // a failure, for the error message path
        anneal_history_free(history)
        anneal_session_free(session)
        anneal_schedule_free(schedule)
        anneal_sgd_free(sgd)
        anneal_model_free(model)
        anneal_dataset_free(dataset)
    }

    @Test("create / train / free 2000 times: memory stays flat (RSS; under a sanitizer, its allocator's bytes in use)")
    func noLeak() throws {
        var generator = SeededGenerator(seed: 3)
        let x = (0..<(256 * 34)).map { _ in Float(generator.nextUnit()) }
        let y = (0..<256).map { _ in Float(generator.next() & 1) }
        for _ in 0..<300 { Self.cycle(x, y) }  // warm up caches and allocator pools
        let before = try Self.memoryInUse()
        for _ in 0..<2000 { Self.cycle(x, y) }
        let after = try Self.memoryInUse()
        // One leaked cycle keeps at least its copies of x and y (~70 kB): 2000 of them would be ~140 MB.
        let growth = after - before
        #expect(growth < 32 << 20, "\(Support.sanitizer == nil ? "RSS" : "heap in use") grew by \(growth >> 20) MB over 2000 cycles")
    }
}
