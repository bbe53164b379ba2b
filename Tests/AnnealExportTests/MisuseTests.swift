import Foundation
import Testing

/// The C library misused from C, under AddressSanitizer and UBSan: the programs in `Tests/Helpers/Misuse/`
/// (one per part of `anneal.h`) and the examples in `examples/c/`, each compiled with the strict warning flags
/// and the sanitizers and run in a child process, must exit 0 with nothing on stderr (where a sanitizer
/// report, a Swift runtime error or a print of the library would go). Every function the header declares
/// must be called by some misuse program.
///
/// Only the C program is instrumented; `libanneal.so` is the one built. The program reads the library's
/// output arrays and hands it exact-size `malloc` blocks, so a read past a caller's buffer (a shape checked
/// after the copy) is an ASan report in the program's memory even though the library itself is not
/// instrumented: ASan's runtime intercepts `malloc` and `memcpy` for the whole process, and the library copies
/// a caller's array with Swift's `Array(UnsafeBufferPointer)`, a `memcpy` in libswiftCore (checked: a C
/// program declaring more rows than its buffer holds gets a heap-buffer-overflow report there).
@Suite("C misuse programs under ASan and UBSan")
struct MisuseTests {
    static let folder = Support.packageRoot.appendingPathComponent("Tests/Helpers/Misuse")
    static let programs = ["names", "dataset", "optimizer", "model", "session", "saving", "callbacks", "metric"]

    /// `-fno-sanitize-recover=all` makes every UBSan finding fatal, so that none can pass as a warning.
    static let sanitizers = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]

    /// The sanitizers' settings for the child. `allocator_may_return_null=1`: the library turns a refused
    /// allocation into ANNEAL_E_OUT_OF_MEMORY, which ASan's allocator would abort on instead; and since it
    /// reserves terabytes of address space, its own cap per allocation stands in for RLIMIT_AS.
    static let environment = [
        "ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=8192:detect_leaks=1:abort_on_error=0",
        "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1",
    ]

    /// The compiler: the toolchain's clang (whose compiler-rt has the ASan and UBSan runtimes), linked by lld.
    static var compiler: [String] {
        [ProcessInfo.processInfo.environment["CC"] ?? "clang", "-fuse-ld=lld"]
    }

    /// Compiles `sources` into `program` with the strict flags and the sanitizers, against the built library.
    static func build(_ sources: [String], into program: URL, extra: [String] = []) throws {
        let library = try Support.library().deletingLastPathComponent().path
        let include = Support.packageRoot.appendingPathComponent("include").path
        let command = compiler + ToolchainTests.strictC + sanitizers + ["-I\(include)"] + sources
            + ["-o", program.path, "-L\(library)", "-lanneal", "-Wl,-rpath,\(library)"] + extra
        let result = try Support.run(command)
        #expect(result.status == 0 && result.text.isEmpty, "compiling \(sources): \(command.joined(separator: " "))\n\(result.text)")
    }

    /// Runs `arguments` with the sanitizers' settings: exit status, stdout, stderr (kept apart).
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = environment + arguments
        process.currentDirectoryURL = directory
        let errorsFile = directory.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        let errors = try FileHandle(forWritingTo: errorsFile)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errors.close()
        let errorText = try String(contentsOf: errorsFile, encoding: .utf8)
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), withoutRefusals(errorText))
    }

    /// `text` without ASan's line for an allocation it refused: with `allocator_may_return_null=1` its
    /// allocator prints "WARNING: AddressSanitizer failed to allocate 0x... bytes" and returns NULL (there is no
    /// option to keep it quiet), which the library turns into ANNEAL_E_OUT_OF_MEMORY, as a test of an
    /// impossible size wants. It is the sanitizer's line, not the library's; every other line stays.
    static func withoutRefusals(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.wholeMatch(of: /==\d+==WARNING: AddressSanitizer failed to allocate 0x[0-9a-f]+ bytes/) == nil }
            .joined(separator: "\n")
    }

    /// ThreadSanitizer's library cannot share a process with ASan's runtime: under `--sanitize=thread` these
    /// tests do not run (the suite's TSan run covers the library's threads).
    static var runs: Bool { Support.sanitizer != "thread" }

    @Test("every misuse program builds with strict flags and runs clean under ASan and UBSan",
          .enabled(if: MisuseTests.runs), arguments: MisuseTests.programs)
    func misuseProgram(_ name: String) throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = directory.appendingPathComponent(name)
        try Self.build([Self.folder.appendingPathComponent("\(name).c").path], into: program)
        let files = directory.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        let result = try Self.run([program.path, Support.ionosphere, files.path], in: directory)
        #expect(result.status == 0, "\(name) exited with \(result.status):\n\(result.output)\n\(result.errors)")
        #expect(result.errors.isEmpty, "\(name) wrote on stderr:\n\(result.errors)")
        #expect(result.output.contains(", 0 failed"), "\(name):\n\(result.output)")
    }

    @Test("the C examples build with strict flags and run clean under ASan and UBSan", .enabled(if: MisuseTests.runs))
    func examples() throws {
        let examples = Support.packageRoot.appendingPathComponent("examples/c")
        let sources = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".c") }.sorted()
        #expect(!sources.isEmpty)
        for source in sources {
            let directory = try Support.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let program = directory.appendingPathComponent(String(source.dropLast(2)))
            try Self.build([examples.appendingPathComponent(source).path], into: program, extra: ["-lm"])
            let weights = directory.appendingPathComponent("example.weights").path
            let result = try Self.run([program.path, Support.ionosphere, "7", weights], in: directory)
            #expect(result.status == 0, "\(source) exited with \(result.status):\n\(result.output)\n\(result.errors)")
            #expect(result.errors.isEmpty, "\(source) wrote on stderr:\n\(result.errors)")
        }
    }

    @Test("every function anneal.h declares is called by a misuse program")
    func everyFunctionCovered() throws {
        var calls = ""
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.folder.path) where file.hasSuffix(".c") {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
            // Comments do not count as calls.
            calls += text.replacing(try Regex(#"/\*[\s\S]*?\*/"#), with: " ").replacing(try Regex(#"//[^\n]*"#), with: " ")
        }
        let missing = try ToolchainTests.headerFunctions().filter { name in
            calls.firstMatch(of: try Regex("\\b\(name)\\b")) == nil
        }
        #expect(missing.isEmpty, "functions no program in Tests/Helpers/Misuse calls: \(missing.sorted().joined(separator: ", "))")
    }
}
