import CAnneal
import Foundation
import Testing

/// Models trained at the same time on separate threads, all through the C API, end exactly where the same
/// seeds end when trained one after the other: no state is shared between models (anneal.h, "Threads").
@Suite("C API threads")
struct ThreadTests {
    /// What one training run produced, or the first failing call.
    struct Run: Equatable, Sendable {
        var failure: String?
        var history: [String: [UInt64]] = [:]
        var weights: [[UInt32]] = []
    }

    /// Builds, compiles and fits the tutorial's model for `seed` with a shared step-decay schedule, and returns
    /// its history and final weights as bit patterns. Records nothing itself (it runs on plain threads);
    /// the caller compares.
    static func train(seed: UInt64, data: CData, schedule: OpaquePointer?, epochs: Int32) -> Run {
        var run = Run()
        func call(_ status: Int32, _ what: String) -> Bool {
            if status != ANNEAL_OK, run.failure == nil {
                run.failure = "\(what): status \(status): \(String(cString: anneal_last_error()))"
            }
            return status == ANNEAL_OK
        }
        var model: OpaquePointer?, sgd: OpaquePointer?, history: OpaquePointer?
        defer {
            anneal_history_free(history)
            anneal_sgd_free(sgd)
            anneal_model_free(model)
        }
        guard call(anneal_model_create(seed, &model), "create"),
              call(addDense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL,
                                          ANNEAL_INITIALIZER_ZEROS, true, 34), "dense 1"),
              call(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL,
                                          ANNEAL_INITIALIZER_ZEROS, true, 0), "dense 2"),
              call(anneal_sgd_create(0.1, 0.9, 0, false, &sgd), "sgd"),
              call(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0), "compile"),
              call(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, epochs, 28, 0.33, true, nil,
                                    schedule, nil, nil, &history), "fit")
        else { return run }

        var keyCount: Int32 = 0
        guard call(anneal_history_key_count(history, &keyCount), "key count") else { return run }
        for index in 0..<keyCount {
            var length: Int64 = 0
            guard call(anneal_history_key(history, index, nil, 0, &length), "key length") else { return run }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            guard call(anneal_history_key(history, index, &buffer, Int64(buffer.count), nil), "key") else { return run }
            let key = text(buffer)
            var count: Int32 = 0
            guard call(anneal_history_values(history, key, nil, 0, &count), "value count") else { return run }
            var values = [Double](repeating: .nan, count: Int(count))
            guard call(anneal_history_values(history, key, &values, count, nil), "values") else { return run }
            run.history[key] = values.map(\.bitPattern)
        }
        var weightCount: Int32 = 0
        guard call(anneal_model_weight_count(model, &weightCount), "weight count") else { return run }
        for index in 0..<weightCount {
            var rank: Int32 = 0, size: Int64 = 0
            var dims = [Int64](repeating: 0, count: 8)
            guard call(anneal_model_weight_shape(model, index, &rank, &dims, 8, &size), "weight shape") else { return run }
            var values = [Float](repeating: .nan, count: Int(size))
            guard call(anneal_model_get_weight(model, index, &values, size), "get weight") else { return run }
            run.weights.append(values.map(\.bitPattern))
        }
        return run
    }

    @Test("8 threads, 8 models, 8 seeds: the same histories and weights as one after the other")
    func parallelEqualsSequential() throws {
        let data = try CData.ionosphere()
        var schedule: OpaquePointer?  // shared by every thread: schedules are immutable and thread-safe
        ok(anneal_schedule_step_decay(0.1, 0.5, 2, ANNEAL_UNIT_EPOCH, &schedule))
        defer { anneal_schedule_free(schedule) }
        nonisolated(unsafe) let sharedSchedule = schedule
        let seeds: [UInt64] = Array(1...8)
        let epochs: Int32 = 6

        let sequential = seeds.map { Self.train(seed: $0, data: data, schedule: schedule, epochs: epochs) }

        let lock = NSLock()
        nonisolated(unsafe) var parallel = [Run?](repeating: nil, count: seeds.count)
        let done = DispatchGroup()
        for (index, seed) in seeds.enumerated() {
            done.enter()
            let thread = Thread {
                let run = Self.train(seed: seed, data: data, schedule: sharedSchedule, epochs: epochs)
                lock.lock()
                parallel[index] = run
                lock.unlock()
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        #expect(done.wait(timeout: .now() + 120) == .success, "the threads did not finish within 2 minutes")

        lock.lock()
        defer { lock.unlock() }
        for (index, seed) in seeds.enumerated() {
            let expected = sequential[index]
            #expect(expected.failure == nil, "seed \(seed) sequential: \(expected.failure ?? "")")
            #expect(expected.history["loss"]?.count == Int(epochs) && expected.weights.count == 4, "seed \(seed)")
            let actual = try #require(parallel[index], "seed \(seed): no result from its thread")
            #expect(actual.failure == nil, "seed \(seed) on a thread: \(actual.failure ?? "")")
            #expect(actual.history == expected.history, "seed \(seed): the history differs from the sequential run")
            #expect(actual.weights == expected.weights, "seed \(seed): the weights differ from the sequential run")
        }
        // Different seeds train differently: the comparison is not trivially true.
        #expect(Set(sequential.map(\.weights)).count == seeds.count)
    }
}
