import CAnneal
import Foundation
import Testing

/// Sizes no machine can meet, and declared widths that disagree with the model, through the C library in
/// child processes (`Tests/Helpers/ExtremeSizes/extreme_sizes.c`): each must end with a status and a message,
/// never with a signal, and a wrong width must be refused before the caller's buffer is read (the buffers end
/// at an unreadable page, so one float read too many is a SIGSEGV).
@Suite("C API size limits")
struct SizeLimitTests {
    /// Each case and the status it must end with; `contains` must be part of its message.
    static let expected: [(name: String, status: Int32, contains: String)] = [
        ("add_dense_int32_max_units", ANNEAL_E_OUT_OF_MEMORY, "anneal_model_add_dense: could not allocate "),
        ("add_dense_int32_max_squared", ANNEAL_E_OUT_OF_MEMORY, "anneal_model_add_dense: the kernel of layer 0"),
        ("add_dense_100_gb", ANNEAL_E_OUT_OF_MEMORY, "needs 102400000000 bytes"),
        ("build_2_20_square", ANNEAL_E_OUT_OF_MEMORY,
         "anneal_model_build: could not allocate 4398050705408 bytes for the model's 1099512676352 parameters (the kernel of layer 0, 1048576 x 1048576 floats, needs 4398046511104 bytes)"),
        ("build_int32_max", ANNEAL_E_OUT_OF_MEMORY, "anneal_model_build: the kernel of layer 0"),
        ("predict_huge_batch", ANNEAL_E_OUT_OF_MEMORY, "anneal_model_predict: could not allocate "),
        ("predict_rows_past_size_max", ANNEAL_E_INVALID_ARGUMENT, "x is rows x cols"),
        ("predict_product_past_size_max", ANNEAL_E_INVALID_ARGUMENT, "x is rows x cols"),
        ("fit_huge_batch", ANNEAL_E_OUT_OF_MEMORY, "anneal_model_fit: could not allocate 68719476736 bytes"),
        ("fit_product_past_size_max", ANNEAL_E_INVALID_ARGUMENT, "x is rows x cols"),
        ("session_huge_batch", ANNEAL_E_OUT_OF_MEMORY, "anneal_session_create: could not allocate 68719476736 bytes"),
        ("evaluate_product_past_size_max", ANNEAL_E_INVALID_ARGUMENT, "x is rows x cols"),
        ("dataset_product_past_size_max", ANNEAL_E_INVALID_ARGUMENT, "features is rows x features_per_row"),
        ("set_weight_count_int64_max", ANNEAL_E_SHAPE_MISMATCH, "count=9223372036854775807"),
        ("run_epochs_int32_max", ANNEAL_E_BUFFER_TOO_SMALL, "2147483647 epochs"),
        ("fit_cols_beyond_buffer", ANNEAL_E_SHAPE_MISMATCH, "cols must be 2, the model's input width. Received: cols=3"),
        ("fit_y_cols_beyond_buffer", ANNEAL_E_SHAPE_MISMATCH,
         "y_cols must be 1 for mean_squared_error over 1 output units. Received: y_cols=2"),
        ("predict_cols_beyond_buffer", ANNEAL_E_SHAPE_MISMATCH, "Received: cols=3"),
        ("evaluate_cols_beyond_buffer", ANNEAL_E_SHAPE_MISMATCH, "Received: cols=3"),
        ("session_cols_beyond_buffer", ANNEAL_E_SHAPE_MISMATCH, "Received: cols=3"),
    ]

    /// Builds the helper against the built library (with the sanitizer's runtime under ANNEAL_SANITIZER).
    static func helper(in directory: URL) throws -> String {
        let library = try Support.library().deletingLastPathComponent().path
        let source = Support.packageRoot.appendingPathComponent("Tests/Helpers/ExtremeSizes/extreme_sizes.c").path
        let program = directory.appendingPathComponent("extreme_sizes").path
        let include = Support.packageRoot.appendingPathComponent("include").path
        let command = Support.exampleCC.split(separator: " ").map(String.init)
            + ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I\(include)", source, "-o", program,
               "-L\(library)", "-lanneal", "-Wl,-rpath,\(library)"]
        let build = try Support.run(command)
        #expect(build.status == 0 && build.text.isEmpty, "building extreme_sizes.c: \(build.text)")
        return program
    }

    @Test("every size-taking function, given sizes no machine can meet or widths beyond its buffers, returns a status")
    func statusesNeverSignals() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try Self.helper(in: directory)
        let listed = try Support.run([program, "--list"]).text.split(separator: "\n").map(String.init)
        #expect(Set(listed) == Set(Self.expected.map(\.name)), "the helper's cases and this test's differ")
        // A sanitizer's allocator aborts on a refused allocation unless it may return NULL, as malloc does;
        // and since it reserves terabytes of address space, RLIMIT_AS cannot cap the child: its own cap (8 GB
        // per allocation) stands in, so that no case can take the machine's memory.
        let limits = "allocator_may_return_null=1:max_allocation_size_mb=8192:"
        let environment = ["ASAN_OPTIONS", "TSAN_OPTIONS"].map {
            "\($0)=\(limits)\(ProcessInfo.processInfo.environment[$0] ?? "")"
        }
        for (name, status, contains) in Self.expected {
            let run = try Support.run(environment + [program, name])
            #expect(run.status == 0, "\(name) ended with exit status \(run.status) (a signal shows as 128 + n): \(run.text)")
            let line = run.text.split(separator: "\n").last { $0.hasPrefix("status ") }.map(String.init) ?? ""
            #expect(line.hasPrefix("status \(status): "), "\(name): expected status \(status), got: \(run.text)")
            #expect(line.contains(contains), "\(name): the message lacks \"\(contains)\": \(line)")
        }
    }
}
