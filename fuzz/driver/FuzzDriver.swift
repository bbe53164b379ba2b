#if canImport(Glibc)
import Glibc
#endif

/// The driver shared by the fuzz targets (`anneal-fuzz-csv`, `anneal-fuzz-weights`).
///
/// A target is one function from an input to a line saying what the code under test did; it calls ``check(_:_:)``
/// for every promise the code must keep. Its `@main` hands that function to ``run(name:_:)``:
///
/// ```swift
/// @main
/// enum Main {
///     static func main() { FuzzDriver.run(name: "anneal-fuzz-csv", fuzzCSV) }
/// }
/// ```
///
/// Built normally (`swift build`), the program is a replay tool: `anneal-fuzz-csv FILE...` runs each file once
/// and prints `FILE: <what the target returned>`. Built with `-DANNEAL_LIBFUZZER -sanitize=fuzzer` (see
/// `fuzz/run.sh`), it runs libFuzzer's driver on the target with the program's arguments.
public enum FuzzDriver {
    /// The function a target fuzzes: it runs one input and returns what happened, for the replay output.
    public typealias Target = (UnsafeRawBufferPointer) -> String

    /// Runs `target` under libFuzzer (with `-DANNEAL_LIBFUZZER`) or on the files named as arguments, then exits.
    /// `name` starts the message of a failed ``check(_:_:)``.
    public static func run(name: String, _ target: @escaping Target) -> Never {
        // Set once, before libFuzzer starts: see `current`.
        current = (name, target)
        #if ANNEAL_LIBFUZZER
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, { data, size in
            _ = FuzzDriver.current?.target(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        }))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = readFile(path) else {
                printError("\(path): cannot open\n")
                exit(2)
            }
            print("\(path): \(bytes.withUnsafeBytes(target))")
        }
        exit(0)
        #endif
    }

    /// The running target and its name. libFuzzer calls back through a `@convention(c)` function pointer, which
    /// cannot capture context, so the callback finds the target here instead. Written once by ``run(name:_:)``
    /// before any input runs, read only afterwards (libFuzzer runs one input at a time in this process).
    nonisolated(unsafe) static var current: (name: String, target: Target)?

    /// The bytes of the file at `path`, or nil when it cannot be opened.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

/// A broken promise: print `message` and abort, so libFuzzer records the input as a crash.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        printError("\(FuzzDriver.current?.name ?? "fuzz"): \(message())\n")
        abort()
    }
}

/// Writes `text` to the standard error (file descriptor 2), unbuffered, so it is out before an abort.
public func printError(_ text: String) {
    var text = text
    text.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}

#if ANNEAL_LIBFUZZER
/// libFuzzer's driver (`-sanitize=fuzzer` links it). SwiftPM gives an executable its own `main`, so the program
/// calls the driver itself rather than relying on libFuzzer's `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif
