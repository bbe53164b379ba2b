import Anneal
import CAnneal
import Foundation
import Testing

/// The tutorial's runs through the C API give the Swift core's history for the same seed, bit for bit.
@Suite("Tutorial through the C API")
struct TutorialParityTests {
    /// The Swift core's run: `Sequential(seed:)`, the tutorial's model, `fit` with shuffling from the model.
    static func swiftRun(seed: UInt64, learningRate: Float, momentum: Float, decay: Float, stepDecay: Bool) throws -> History {
        let data = try Dataset(csvFile: Support.ionosphere)
        let model = Sequential(seed: seed)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        try model.compile(optimizer: SGD(learningRate: learningRate, momentum: momentum, decay: decay),
                          loss: .binaryCrossentropy, metrics: ["accuracy"])
        let callbacks: [any Callback] = stepDecay ? [LearningRateScheduler(Support.stepDecay)] : []
        return try model.fit(data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0,
                             callbacks: callbacks, validationSplit: 0.33)
    }

    /// Sets the tutorial's step decay at the start of every epoch, from C.
    static let stepDecayCallback: anneal_epoch_callback = { _, model, event, epoch, _, _, _ in
        guard event == ANNEAL_EVENT_EPOCH_BEGIN else { return 0 }
        return anneal_model_set_learning_rate(model, Support.stepDecay(Int(epoch))) == ANNEAL_OK ? 0 : -1
    }

    static let keys = ["loss", "accuracy", "val_loss", "val_accuracy"]

    @Test("step decay set by a C callback", arguments: [UInt64(1), 7, 42])
    func stepDecayCallback(seed: UInt64) throws {
        let expected = try Self.swiftRun(seed: seed, learningRate: 0, momentum: 0.9, decay: 0, stepDecay: true)
        let data = try CData.ionosphere()
        let model = tutorialModel(seed: seed, learningRate: 0, momentum: 0.9)
        defer { anneal_model_free(model) }
        var history: OpaquePointer?
        ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 50, 28, 0.33, true, nil, nil,
                            Self.stepDecayCallback, nil, &history))
        defer { anneal_history_free(history) }
        let actual = historyValues(history)
        for key in Self.keys {
            expectSameBits(actual[key], expected[key], "\(key) differs for seed \(seed)")
        }
        #expect(actual[Self.keys[0]]?.count == 50)
    }

    @Test("step decay from the built-in schedule handle, with lr logged")
    func stepDecaySchedule() throws {
        let expected = try Self.swiftRun(seed: 7, learningRate: 0, momentum: 0.9, decay: 0, stepDecay: true)
        let data = try CData.ionosphere()
        let model = tutorialModel(seed: 7, learningRate: 0, momentum: 0.9)
        defer { anneal_model_free(model) }
        var schedule: OpaquePointer?
        ok(anneal_schedule_step_decay(0.1, 0.5, 10, ANNEAL_UNIT_DEFAULT, &schedule))
        defer { anneal_schedule_free(schedule) }
        var history: OpaquePointer?
        ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 50, 28, 0.33, true, nil, schedule,
                            nil, nil, &history))
        defer { anneal_history_free(history) }
        let actual = historyValues(history)
        for key in Self.keys + ["lr"] {
            expectSameBits(actual[key], expected[key], "\(key) differs")
        }
    }

    @Test("time-based decay (Keras's decay), with effective_lr logged")
    func timeDecay() throws {
        let expected = try Self.swiftRun(seed: 3, learningRate: 0.1, momentum: 0.8, decay: 0.002, stepDecay: false)
        let data = try CData.ionosphere()
        let model = tutorialModel(seed: 3, learningRate: 0.1, momentum: 0.8, decay: 0.002)
        defer { anneal_model_free(model) }
        var history: OpaquePointer?
        ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 50, 28, 0.33, true, nil, nil, nil, nil, &history))
        defer { anneal_history_free(history) }
        let actual = historyValues(history)
        #expect(Set(actual.keys) == Set(expected.keys))
        for key in expected.keys {
            expectSameBits(actual[key], expected[key], "\(key) differs")
        }
        var iterations: Int64 = 0
        ok(anneal_model_iterations(model, &iterations))
        #expect(iterations == 50 * 9)
    }

    /// The caller's own loop over a session gives exactly what the one-call fit gives.
    @Test("own epoch loop over a session equals anneal_model_fit")
    func sessionLoop() throws {
        let data = try CData.ionosphere()
        let reference = tutorialModel(seed: 11, learningRate: 0, momentum: 0.9)
        defer { anneal_model_free(reference) }
        var history: OpaquePointer?
        ok(fitArrays(reference, data.x, data.rows, data.columns, data.y, 1, 20, 28, 0.33, true, nil, nil,
                            Self.stepDecayCallback, nil, &history))
        defer { anneal_history_free(history) }
        let expected = historyValues(history)

        let model = tutorialModel(seed: 11, learningRate: 0, momentum: 0.9)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, true, nil, &session))
        defer { anneal_session_free(session) }
        var batches: Int32 = 0
        ok(anneal_session_batch_count(session, &batches))
        #expect(batches == 9)
        var trainingRows: Int64 = 0, validationRows: Int64 = 0
        ok(anneal_session_training_rows(session, &trainingRows))
        ok(anneal_session_validation_rows(session, &validationRows))
        #expect(trainingRows == 235 && validationRows == 116)
        var actual: [String: [Double]] = [:]
        for epoch in 0..<20 {
            ok(anneal_model_set_learning_rate(model, Support.stepDecay(epoch)))
            ok(anneal_session_begin_epoch(session))
            for batch in 0..<batches { ok(anneal_session_train_batch(session, batch)) }
            var train = [Double](repeating: 0, count: 2)
            var validation = [Double](repeating: 0, count: 2)
            var count: Int32 = 0
            ok(anneal_session_running_values(session, &train, 2, &count))
            #expect(count == 2)
            ok(anneal_session_validate(session, &validation, 2, &count))
            for (key, value) in zip(Self.keys, train + validation) { actual[key, default: []].append(value) }
        }
        for key in Self.keys {
            expectSameBits(actual[key], expected[key], "\(key) differs")
        }
        // And the weights end equal.
        var count: Int32 = 0
        ok(anneal_model_weight_count(model, &count))
        for index in 0..<count {
            var size: Int64 = 0, rank: Int32 = 0
            ok(anneal_model_weight_shape(model, index, &rank, nil, 0, &size))
            var a = [Float](repeating: 0, count: Int(size)), b = a
            ok(anneal_model_get_weight(model, index, &a, size))
            ok(anneal_model_get_weight(reference, index, &b, size))
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "weight \(index) differs")
        }
    }

    @Test("session_fit with a fixed seed and explicit validation data matches the core")
    func sessionFitValidationData() throws {
        let data = try Dataset(csvFile: Support.ionosphere)
        let train = data.featureMatrix.rows(0..<235), trainY = data.labelMatrix.rows(0..<235)
        let valid = data.featureMatrix.rows(235..<351), validY = data.labelMatrix.rows(235..<351)
        let swiftModel = Sequential(seed: 5)
        try swiftModel.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try swiftModel.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        try swiftModel.compile(optimizer: SGD(learningRate: 0.05, momentum: 0.5, nesterov: false), loss: .binaryCrossentropy,
                               metrics: ["acc"])
        let expected = try swiftModel.fit(train, trainY, epochs: 8, batchSize: 16, verbose: 0,
                                          validationData: (valid, validY), seed: 99)

        var model: OpaquePointer?, sgd: OpaquePointer?, session: OpaquePointer?, history: OpaquePointer?
        ok(anneal_model_create(5, &model))
        defer { anneal_model_free(model) }
        ok(addDense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 34))
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 0))
        ok(anneal_sgd_create(0.05, 0.5, 0, false, &sgd))
        let metric = strdup("acc")
        defer { free(metric) }
        var metrics: [UnsafePointer<CChar>?] = [UnsafePointer(metric)]
        ok(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, &metrics, 1))
        anneal_sgd_free(sgd)
        var seed: UInt64 = 99
        ok(anneal_session_create_with_validation(model, train.values, 235, 34, trainY.values, 1, valid.values, validY.values,
                                                 116, 16, true, &seed, &session))
        defer { anneal_session_free(session) }
        ok(anneal_session_fit(session, 8, 0, nil, nil, nil, &history))
        defer { anneal_history_free(history) }
        let actual = historyValues(history)
        #expect(Set(actual.keys) == ["loss", "acc", "val_loss", "val_acc"])
        for key in ["loss", "acc", "val_loss", "val_acc"] {
            expectSameBits(actual[key], expected[key], "\(key) differs")
        }
    }

    /// What `body` reads from a fresh tutorial session (time-based decay, validation split 0.33, batch 28).
    static func sessionValues(
        seed: UInt64, _ body: (_ model: OpaquePointer?, _ session: OpaquePointer?) -> [Double]
    ) throws -> [Double] {
        let data = try CData.ionosphere()
        let model = tutorialModel(seed: seed, learningRate: 0.1, momentum: 0.8, decay: 0.002)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, true, nil, &session))
        defer { anneal_session_free(session) }
        return body(model, session)
    }

    /// `epochs` calls of anneal_session_run_epoch, their values one after the other.
    static func runEpochValues(_ session: OpaquePointer?, epochs: Int) -> [Double] {
        var values: [Double] = []
        for _ in 0..<epochs {
            var buffer = [Double](repeating: 0, count: 8)
            var count: Int32 = 0
            ok(anneal_session_run_epoch(session, &buffer, 8, &count))
            #expect(count == 5)
            values += buffer[0..<Int(count)]
        }
        return values
    }

    @Test("anneal_session_run_epoch gives the bits of train_epoch, validate and the effective rate")
    func runEpochMatchesThreeCalls() throws {
        let combined = try Self.sessionValues(seed: 5) { _, session in Self.runEpochValues(session, epochs: 5) }
        let separate = try Self.sessionValues(seed: 5) { model, session in
            var values: [Double] = []
            for _ in 0..<5 {
                var buffer = [Double](repeating: 0, count: 8)
                var count: Int32 = 0
                ok(anneal_session_train_epoch(session, &buffer, 8, &count))
                values += buffer[0..<Int(count)]
                ok(anneal_session_validate(session, &buffer, 8, &count))
                values += buffer[0..<Int(count)]
                var rate = 0.0
                ok(anneal_model_effective_learning_rate(model, &rate))
                values.append(rate)
            }
            return values
        }
        #expect(combined.count == 25)
        #expect(combined.map(\.bitPattern) == separate.map(\.bitPattern))
    }

    @Test("anneal_session_run_epochs gives the bits of as many anneal_session_run_epoch calls")
    func runEpochsMatchesRunEpoch() throws {
        let combined = try Self.sessionValues(seed: 6) { _, session in
            // 7 epochs in calls of at most 3 (no time limit), then the rest of the buffer stays untouched.
            var values: [Double] = []
            var buffer = [Double](repeating: -1, count: 16)
            var epochs: Int32 = 0, width: Int32 = 0
            for chunk: Int32 in [3, 3, 1] {
                ok(anneal_session_run_epochs(session, chunk, 0, &buffer, 16, &epochs, &width))
                #expect(epochs == chunk && width == 5)
                values += buffer[0..<Int(chunk * width)]
            }
            #expect(buffer[15] == -1)
            return values
        }
        let separate = try Self.sessionValues(seed: 6) { _, session in Self.runEpochValues(session, epochs: 7) }
        #expect(combined.count == 35)
        #expect(combined.map(\.bitPattern) == separate.map(\.bitPattern))
    }
}
