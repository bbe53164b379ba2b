import Foundation
import PythonEmbed

/// The CPython interpreter embedded in this test process, set up to import the repository's `anneal`
/// package, which reaches the library only through the `libanneal.so` that `swift build` produced next to
/// this test binary (never the copy of the core linked into the binary itself).
enum EmbeddedPython {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory of the running test binary, where `swift build` puts `libanneal.so`.
    static let buildDirectory: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory
    }()

    static var libraryPath: String { buildDirectory.appendingPathComponent("libanneal.so").path }

    /// Why the interpreter cannot be used here, or nil when it can.
    static let unavailableReason: String? = {
        var reason: UnsafePointer<CChar>?
        if anneal_python_initialize(&reason) != 0 {
            return reason.map { String(cString: $0) } ?? "the embedded CPython could not start"
        }
        return nil
    }()

    static var isAvailable: Bool { unavailableReason == nil }

    /// Longest a single Python run may take (the whole python/tests suite takes well under a minute).
    static let hangLimit: Double = 600

    /// `$ANNEAL_SANITIZER` (`address` or `thread`), which the sanitizer commands in docs/TESTING.md set: the child
    /// `python3` then gets the sanitizer's runtime preloaded (`SanitizedChild`).
    static let sanitizer: String? = ProcessInfo.processInfo.environment["ANNEAL_SANITIZER"].flatMap { $0.isEmpty ? nil : $0 }

    /// Runs `code` holding the GIL after putting `python/` and `python/tests` on `sys.path` and pointing
    /// `ANNEAL_LIBRARY` at the built library; a Python exception becomes a thrown `PythonFailure` carrying
    /// the traceback text.
    static func run(_ code: String) throws {
        guard FileManager.default.fileExists(atPath: libraryPath) else {
            throw PythonFailure(traceback: "\(libraryPath) does not exist: run `swift build` before `swift test` (the README's test command does)")
        }
        let prelude = """
            import os, sys
            for _path in (\(pythonString(packageRoot.appendingPathComponent("python/tests").path)), \(pythonString(packageRoot.appendingPathComponent("python").path))):
                if _path not in sys.path:
                    sys.path.insert(0, _path)
            os.environ["ANNEAL_LIBRARY"] = \(pythonString(libraryPath))
            sys._anneal_embedded = True  # helpers.require_h5py skips the Keras-file tests only here


            """
        // A Python run that never returns would hold CI for its whole budget: fail the process loudly instead.
        let watchdog = DispatchWorkItem {
            FileHandle.standardError.write(Data("embedded Python ran over \(Int(hangLimit)) s; giving up on:\n\(code)\n".utf8))
            exit(70)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + hangLimit, execute: watchdog)
        defer { watchdog.cancel() }
        var report: UnsafeMutablePointer<CChar>?
        let status = anneal_python_run(prelude + code, &report)
        defer { anneal_python_free(report) }
        if status != 0 {
            throw PythonFailure(traceback: report.map { String(cString: $0) } ?? "the Python code failed")
        }
    }

    /// Runs test modules of `python/tests` with the pytest-free runner and fails on any failure.
    static func runTests(_ modules: [String], keyword: String? = nil) throws {
        let moduleList = "[" + modules.map(pythonString).joined(separator: ", ") + "]"
        try run("""
            import io, run_without_pytest
            _output = io.StringIO()
            _passed, _failed, _skipped = run_without_pytest.run(\(moduleList), \(keyword.map(pythonString) ?? "None"), _output)
            print(_output.getvalue(), end="")
            if _failed or not _passed:
                raise AssertionError(f"{_failed} failed, {_passed} passed, {_skipped} skipped:\\n" + _output.getvalue())
            """)
    }

    static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}

struct PythonFailure: Error, CustomStringConvertible {
    let traceback: String
    var description: String { "Python raised:\n" + traceback }
}
