import Foundation

/// What a child process needs to load a `libanneal.so` built with `--sanitize=address` or `thread`.
///
/// Such a library leaves the sanitizer's runtime to the executable (the test binary has it linked in), so an
/// uninstrumented `python3` can only load it with the toolchain's *shared* runtime preloaded, first of all
/// libraries: `LD_PRELOAD=<toolchain>/usr/lib/swift/clang/lib/linux/libclang_rt.<asan|tsan>-<arch>.so`
/// (for TSan followed by the toolchain's libdispatch and BlocksRuntime).
/// The runtime is taken from the toolchain this test process runs with, so it matches the one the library
/// was built against. Every process the child starts inherits the preload (pytest's own subprocess, the
/// `/bin/sh` that test_interrupt uses to send SIGINT).
enum SanitizedChild {
    /// The runtime's short name for a `-sanitize=` value.
    static func runtimeName(for sanitizer: String) throws -> String {
        switch sanitizer {
        case "address": return "asan"
        case "thread": return "tsan"
        default: throw SetupFailure("ANNEAL_SANITIZER=\(sanitizer): only address and thread are supported")
        }
    }

    static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "unknown"
        #endif
    }

    /// The toolchain's `usr/lib/swift`, found from the `libswiftCore.so` mapped into this process.
    static func toolchainSwiftLibraries() throws -> URL {
        // Read line by line: /proc files report a size of 0, so whole-file readers may see nothing.
        guard let maps = fopen("/proc/self/maps", "r") else {
            throw SetupFailure("cannot read /proc/self/maps: cannot find the toolchain's sanitizer runtime")
        }
        defer { fclose(maps) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        while getline(&buffer, &capacity, maps) > 0, let buffer {
            let line = String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            if path.hasSuffix("/libswiftCore.so") {
                // <toolchain>/usr/lib/swift/linux/libswiftCore.so
                return URL(fileURLWithPath: path).resolvingSymlinksInPath()
                    .deletingLastPathComponent().deletingLastPathComponent()
            }
        }
        throw SetupFailure("libswiftCore.so is not mapped into this process: cannot find the toolchain's sanitizer runtime")
    }

    /// The shared runtime of `sanitizer`, e.g. `.../clang/lib/linux/libclang_rt.asan-x86_64.so`.
    static func sharedRuntime(for sanitizer: String) throws -> String {
        let file = "libclang_rt.\(try runtimeName(for: sanitizer))-\(architecture).so"
        let runtime = try toolchainSwiftLibraries().appendingPathComponent("clang/lib/linux/\(file)").path
        guard FileManager.default.fileExists(atPath: runtime) else {
            throw SetupFailure("\(runtime) does not exist: the toolchain has no shared \(sanitizer) sanitizer runtime")
        }
        return runtime
    }

    /// Preloads the runtime; under ASan, points LeakSanitizer at `Tests/Sanitizers/lsan-suppressions.txt`, so
    /// leak checking stays on in the child with only the interpreter's and numpy's own allocations (held
    /// until exit) suppressed. TSan needs no suppressions: it sees memory accesses only in instrumented code
    /// (libanneal.so) and in the calls it intercepts, reported nothing on the suite, and any report fails it.
    static func configure(_ environment: inout [String: String], for sanitizer: String) throws {
        var preload = [try sharedRuntime(for: sanitizer)]
        if sanitizer == "thread" {
            // The toolchain's TSan runtime intercepts libdispatch and refers to its symbols
            // (`_dispatch_data_destructor_munmap`), which python3 does not link: without these the child dies
            // with "symbol lookup error" before running a line (the C example links them for the same reason).
            let swiftLinux = try toolchainSwiftLibraries().appendingPathComponent("linux")
            preload += ["libdispatch.so", "libBlocksRuntime.so"].map { swiftLinux.appendingPathComponent($0).path }
        }
        environment["LD_PRELOAD"] = (preload + (environment["LD_PRELOAD"].map { [$0] } ?? [])).joined(separator: ":")
        if sanitizer == "address" {
            let suppressions = EmbeddedPython.packageRoot.appendingPathComponent("Tests/Sanitizers/lsan-suppressions.txt").path
            // Options given later win: the repository's file replaces any other suppressions= in the variable.
            environment["LSAN_OPTIONS"] = ((environment["LSAN_OPTIONS"].map { [$0] } ?? []) + ["suppressions=\(suppressions)"]).joined(separator: ":")
        }
    }

    /// The interpreter that `launcher` runs (its `sys.executable`), asked without any preload.
    static func interpreter(behind launcher: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = nil
        let (status, text) = try run(launcher, ["-c", "import sys; print(sys.executable)"], environment: environment)
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, path.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: path) else {
            throw SetupFailure("\(launcher) did not name its interpreter (status \(status)): \(text)")
        }
        return path
    }

    /// Runs `executable` with `arguments` and returns its exit status and combined output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

struct SetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
