import Foundation
import Testing

/// A training step allocates nothing: parameters, gradients, velocities and workspaces are sized once, and
/// every batch after the first epoch reuses them. The helper `anneal-allocation-count` (Tests/Helpers) counts
/// the malloc-family calls made inside `TrainingSession.trainBatch` with malloc interposed in its own process,
/// for the tutorial's network, for a wide softmax network whose products use the kernels' helper thread, and
/// for the same wide network with sample weights, for the tutorial's network with each of the other
/// optimizers, and for both networks with Dropout layers.
@Suite("Allocation-free training steps")
struct AllocationTests {
    @Test("training steps after the first epoch make no heap allocation",
          .disabled(if: ProcessInfo.processInfo.environment["ANNEAL_SANITIZER"] != nil,
                    "a sanitizer owns malloc in this build, so the helper cannot count allocations"))
    func noAllocationPerStep() throws {
        let helper = try #require(Support.builtExecutable("anneal-allocation-count"),
                                  "anneal-allocation-count not built: run `swift build` before `swift test`")
        let (status, text) = try Support.runHelper(helper)
        #expect(status == 0, "the helper failed: \(text)")
        let lines = text.split(separator: "\n")
        try #require(lines.count == 13, "unexpected helper output: \(text)")
        for line in lines {
            let fields = line.split(separator: " ")
            try #require(fields.count == 4 && fields[0] == "steps" && fields[2] == "allocations", "line: \(line)")
            #expect(Int(fields[1]) ?? 0 > 0, "no steps were counted: \(line)")
            #expect(fields[3] == "0", "training steps allocated: \(line)")
        }
    }
}
