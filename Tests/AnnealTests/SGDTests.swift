import Foundation
import Testing
import Anneal

/// SGD as Keras 2's legacy optimizer: the decayed rate, the update counter, the three update rules worked
/// by hand, the argument checks, and how it combines with `LearningRateScheduler`.
@Suite("SGD")
struct SGDTests {
    // MARK: Helpers

    /// One linear unit on one input, `z = w * x + b`, with the given starting weights.
    static func linearUnit(kernel: Float, bias: Float, optimizer: SGD) throws -> Sequential {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, activation: .linear, inputDimension: 1))
        try model.setWeights([WeightTensor(shape: [1, 1], values: [kernel]), WeightTensor(shape: [1], values: [bias])])
        try model.compile(optimizer: optimizer, loss: .meanSquaredError)
        return model
    }

    /// `rows` rows of two features and a 0/1 label, for runs where only the batch count matters.
    static func binaryData(rows: Int) throws -> (Matrix, Matrix) {
        let x = try Support.randomMatrix(rows: rows, columns: 2, seed: 3)
        let y = Matrix(column: (0..<rows).map { Float($0 % 2) })
        return (x, y)
    }

    static func binaryModel(optimizer: SGD) throws -> Sequential {
        let model = Sequential(seed: 5)
        try model.add(Dense(1, activation: .sigmoid, inputDimension: 2))
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    /// The weights `[w, b]` of a `linearUnit` after training `epochs` times on the single row (x = 2, y = 1).
    static func trainedLinearUnit(_ optimizer: SGD, updates: Int) throws -> [Float] {
        let model = try linearUnit(kernel: 1, bias: 0.5, optimizer: optimizer)
        try model.fit(Matrix(column: [2]), Matrix(column: [1]), epochs: updates, batchSize: 1, verbose: 0, shuffle: false)
        #expect(optimizer.iterations == Int64(updates))
        return model.getWeights().flatMap(\.values)
    }

    static func expectWeights(_ actual: [Float], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(isClose(Double(a), e, tolerance: Tolerance.float32), "\(actual) vs hand-worked \(expected)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("a big model's update, applied layer by layer inside the backward pass, equals the gradients then the rule",
          arguments: [(Float(0), false), (0.9, false), (0.9, true)])
    func layerByLayerUpdate(momentum: Float, nesterov: Bool) throws {
        // 300 x 256 + 256 x 3 weights and biases: past Network.layerUpdateMinimum. One batch of all 40 rows is one
        // update from zero velocity: v = -lr g, then w + v (nesterov: w + momentum v - lr g).
        let build = {
            let model = Sequential(seed: 11)
            try model.add(Dense(256, activation: .relu, inputDimension: 300))
            try model.add(Dense(3, activation: .softmax))
            try model.compile(optimizer: try SGD(learningRate: 0.05, momentum: momentum, nesterov: nesterov),
                              loss: .sparseCategoricalCrossentropy)
            return model
        }
        let x = try Support.randomMatrix(rows: 40, columns: 300, seed: 12)
        let y = Matrix(column: (0..<40).map { Float($0 % 3) })
        let trained = try build()
        try trained.fit(x, y, epochs: 1, batchSize: 40, verbose: 0, shuffle: false)
        let reference = try build()
        let start = reference.getWeights()
        let gradients = try reference.lossGradients(x, y).gradients
        let rate: Float = 0.05
        for (index, tensor) in trained.getWeights().enumerated() {
            let expected = zip(start[index].values, gradients[index].values).map { w, g -> Float in
                let step = rate * g
                if momentum == 0 { return w - step }
                let v = momentum * 0 - step
                return w + (nesterov ? momentum * v - step : v)
            }
            let differing = zip(tensor.values, expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "weight tensor \(index): \(differing) of \(expected.count) values differ")
        }
    }

    @Test("a big model's packed kernels: a batch after set_weights reads the new weights, an epoch equals its batches")
    func packedKernelsFollowTheWeights() throws {
        // 300 x 256 + 256 x 3 weights and biases, batches of 32: the first layer's forward product is shared and
        // reads a packed copy of its kernel, which each update writes. Without momentum or decay, SGD keeps no
        // state from one batch to the next that a second model would lack.
        func model(seed: UInt64 = 11) throws -> Sequential {
            let model = Sequential(seed: seed)
            try model.add(Dense(256, activation: .relu, inputDimension: 300))
            try model.add(Dense(3, activation: .softmax))
            try model.compile(optimizer: try SGD(learningRate: 0.05), loss: .sparseCategoricalCrossentropy)
            return model
        }
        let x = try Support.randomMatrix(rows: 96, columns: 300, seed: 12)
        let y = Matrix(column: (0..<96).map { Float($0 % 3) })
        func session(_ model: Sequential) throws -> TrainingSession {
            let session = try TrainingSession(model: model, x: x, y: y, batchSize: 32, shuffle: false)
            session.beginEpoch()
            return session
        }
        let replacement = try model(seed: 13).getWeights()
        // The weights replaced after the first batch, as a callback's set_weights would...
        let replaced = try model()
        let batches = try session(replaced)
        for index in 0..<3 {
            try batches.trainBatch(index)
            if index == 0 { try replaced.setWeights(replacement) }
        }
        // ... train on as a model that starts from them.
        let started = try model()
        try started.setWeights(replacement)
        let later = try session(started)
        for index in 1..<3 { try later.trainBatch(index) }
        #expect(Self.differing(replaced, started) == 0)
        // An epoch (packed kernels kept from batch to batch) equals its batches one by one.
        let (whole, stepwise) = (try model(), try model())
        _ = try session(whole).trainEpoch()
        let steps = try session(stepwise)
        for index in 0..<3 { try steps.trainBatch(index) }
        #expect(Self.differing(whole, stepwise) == 0)
    }

    /// How many weights of `a` and `b` differ in their bits.
    static func differing(_ a: Sequential, _ b: Sequential) -> Int {
        zip(a.getWeights().flatMap(\.values), b.getWeights().flatMap(\.values)).filter { $0.bitPattern != $1.bitPattern }.count
    }

    // MARK: Decay and iterations

    @Test("lr 0.1, decay 0.001: the effective rate after 0...4 updates is Keras's, not the tutorial table's")
    func effectiveRateAfterUpdates() throws {
        let optimizer = try SGD(learningRate: 0.1, decay: 0.001)
        let model = try Self.binaryModel(optimizer: optimizer)
        var seen: [Double] = []
        let recorder = LambdaCallback(onBatchBegin: { _, model in
            seen.append(Double(model.optimizer?.effectiveLearningRate ?? .nan))
        })
        // Five one-row batches: the rate in force before updates 0, 1, 2, 3, 4.
        let (x, y) = try Self.binaryData(rows: 5)
        try model.fit(x, y, epochs: 1, batchSize: 1, verbose: 0, callbacks: [recorder], shuffle: false)
        let keras = [0.1, 0.0999000999, 0.0998003992, 0.0997008973, 0.0996015936]
        #expect(seen.count == keras.count)
        for (update, (actual, expected)) in zip(seen, keras).enumerated() {
            #expect(isClose(actual, expected, tolerance: Tolerance.float32), "after \(update) updates: \(actual) vs \(expected)")
        }
        // The tutorial's compounding table (0.0997006985 at step 2) is not what SGD computes.
        #expect(!isClose(seen[2], 0.0997006985, tolerance: Tolerance.float32))
        #expect(optimizer.iterations == 5)
    }

    @Test("iterations grow by one per batch, the short last batch included, and are never reset")
    func iterationsNeverReset() throws {
        let optimizer = try SGD(learningRate: 0.01, decay: 0.01)
        let model = try Self.binaryModel(optimizer: optimizer)
        var atBatchBegin: [Int64] = []
        var batchesPerEpoch: [Int] = []
        let recorder = LambdaCallback(
            onEpochBegin: { _, _ in batchesPerEpoch.append(0) },
            onBatchBegin: { _, model in
                atBatchBegin.append(model.optimizer?.iterations ?? -1)
                batchesPerEpoch[batchesPerEpoch.count - 1] += 1
            })
        // 235 rows in batches of 28: eight full batches and one of 11 rows, so 9 updates per epoch.
        let (x, y) = try Self.binaryData(rows: 235)
        try model.fit(x, y, epochs: 2, batchSize: 28, verbose: 0, callbacks: [recorder])
        #expect(batchesPerEpoch == [9, 9])
        #expect(optimizer.iterations == 18)
        // A second fit goes on counting from 18.
        try model.fit(x, y, epochs: 1, batchSize: 28, verbose: 0, callbacks: [recorder])
        #expect(optimizer.iterations == 27)
        #expect(atBatchBegin == Array(0..<27).map(Int64.init))
        // The rate keeps decaying across both fits: lr / (1 + decay * 27).
        #expect(isClose(Double(optimizer.effectiveLearningRate), 0.01 / (1 + 0.01 * 27), tolerance: Tolerance.float32))
    }

    @Test("the tutorial's time-based run ends at 0.1 / (1 + 0.002 * 450)")
    func timeBasedRunEndsAtDecayedRate() throws {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: 7)
        let optimizer = try SGD(learningRate: 0.1, momentum: 0.8, nesterov: false, decay: 0.1 / 50)
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0, validationSplit: 0.33)
        #expect(optimizer.iterations == 450)
        let expected = 0.1 / (1 + 0.002 * 450)
        #expect(isClose(Double(optimizer.effectiveLearningRate), expected, tolerance: Tolerance.float32))
        let logged = try #require(history["effective_lr"])
        #expect(logged.count == 50)
        #expect(isClose(logged[49], expected, tolerance: Tolerance.float32))
        // After the first epoch (9 updates) the logged rate is the one the 10th update will use.
        #expect(isClose(logged[0], 0.1 / (1 + 0.002 * 9), tolerance: Tolerance.float32))
        // The base rate itself never changes.
        #expect(optimizer.learningRate == Float(0.1))
    }

    // MARK: Update rules, worked by hand

    // The model is one linear unit z = w * x + b, trained with mean squared error on the single row
    // x = 2, y = 1, from w = 1, b = 0.5, one update per epoch. With e = w * x + b - y:
    //   dL/dw = 2 * e * x = 4e,   dL/db = 2 * e.

    @Test("momentum 0: w -= lr * g")
    func plainUpdate() throws {
        // lr = 0.05.
        // update 1: e = 2 + 0.5 - 1 = 1.5, gw = 6, gb = 3:       w = 1 - 0.3 = 0.7,     b = 0.5 - 0.15 = 0.35
        // update 2: e = 1.4 + 0.35 - 1 = 0.75, gw = 3, gb = 1.5: w = 0.7 - 0.15 = 0.55, b = 0.35 - 0.075 = 0.275
        let weights = try Self.trainedLinearUnit(SGD(learningRate: 0.05), updates: 2)
        Self.expectWeights(weights, [0.55, 0.275])
    }

    @Test("momentum: v = m v - lr g; w += v")
    func momentumUpdate() throws {
        // lr = 0.05, m = 0.5.
        // update 1: gw = 6, gb = 3:   vw = -0.3, vb = -0.15;                          w = 0.7, b = 0.35
        // update 2: e = 0.75, gw = 3, gb = 1.5:
        //           vw = 0.5 * -0.3 - 0.05 * 3 = -0.3,  vb = 0.5 * -0.15 - 0.05 * 1.5 = -0.15: w = 0.4, b = 0.2
        let weights = try Self.trainedLinearUnit(SGD(learningRate: 0.05, momentum: 0.5), updates: 2)
        Self.expectWeights(weights, [0.4, 0.2])
    }

    @Test("nesterov: v = m v - lr g; w += m v - lr g")
    func nesterovUpdate() throws {
        // lr = 0.05, m = 0.5.
        // update 1: gw = 6, gb = 3: vw = -0.3, vb = -0.15
        //           w += 0.5 * -0.3 - 0.3 = -0.45 -> 0.55;  b += 0.5 * -0.15 - 0.15 = -0.225 -> 0.275
        // update 2: e = 1.1 + 0.275 - 1 = 0.375, gw = 1.5, gb = 0.75
        //           vw = 0.5 * -0.3 - 0.075 = -0.225;  vb = 0.5 * -0.15 - 0.0375 = -0.1125
        //           w += 0.5 * -0.225 - 0.075 = -0.1875 -> 0.3625;  b += 0.5 * -0.1125 - 0.0375 = -0.09375 -> 0.18125
        let weights = try Self.trainedLinearUnit(SGD(learningRate: 0.05, momentum: 0.5, nesterov: true), updates: 2)
        Self.expectWeights(weights, [0.3625, 0.18125])
    }

    @Test("decay scales the second update by 1 / (1 + decay)")
    func decayedUpdate() throws {
        // lr = 0.05, decay = 1: update 1 uses 0.05 (w = 0.7, b = 0.35); update 2 uses 0.05 / 2 = 0.025:
        // e = 0.75, gw = 3, gb = 1.5: w = 0.7 - 0.075 = 0.625, b = 0.35 - 0.0375 = 0.3125
        let weights = try Self.trainedLinearUnit(SGD(learningRate: 0.05, decay: 1), updates: 2)
        Self.expectWeights(weights, [0.625, 0.3125])
    }

    @Test("the rate lives inside the velocity: after the rate drops to 0 the old velocity keeps moving w")
    func velocityKeepsTheOldRate() throws {
        // lr = 0.05, m = 0.5; update 1 as above (vw = -0.3, vb = -0.15, w = 0.7, b = 0.35).
        // Then the scheduler sets lr = 0 for update 2: vw = 0.5 * -0.3 = -0.15, vb = -0.075:  w = 0.55, b = 0.275.
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.5)
        let model = try Self.linearUnit(kernel: 1, bias: 0.5, optimizer: optimizer)
        let scheduler = LearningRateScheduler { epoch in epoch == 0 ? 0.05 : 0 }
        try model.fit(Matrix(column: [2]), Matrix(column: [1]), epochs: 2, batchSize: 1, verbose: 0,
                      callbacks: [scheduler], shuffle: false)
        Self.expectWeights(model.getWeights().flatMap(\.values), [0.55, 0.275])
    }

    // MARK: Arguments

    @Test("out-of-range arguments are errors naming the argument and the value")
    func argumentChecks() throws {
        expectAnnealError(.invalidArgument, mentioning: ["learning_rate", "-0.1"]) { _ = try SGD(learningRate: -0.1) }
        expectAnnealError(.invalidArgument, mentioning: ["learning_rate", "nan"]) { _ = try SGD(learningRate: .nan) }
        expectAnnealError(.invalidArgument, mentioning: ["learning_rate", "inf"]) { _ = try SGD(learningRate: .infinity) }
        expectAnnealError(.invalidArgument, mentioning: ["momentum", "1.5"]) { _ = try SGD(momentum: 1.5) }
        expectAnnealError(.invalidArgument, mentioning: ["momentum", "-0.25"]) { _ = try SGD(momentum: -0.25) }
        expectAnnealError(.invalidArgument, mentioning: ["momentum", "nan"]) { _ = try SGD(momentum: .nan) }
        expectAnnealError(.invalidArgument, mentioning: ["decay", "-0.001"]) { _ = try SGD(decay: -0.001) }
        expectAnnealError(.invalidArgument, mentioning: ["decay", "nan"]) { _ = try SGD(decay: .nan) }
        let optimizer = try SGD(learningRate: 0.1)
        expectAnnealError(.invalidArgument, mentioning: ["learning_rate", "-2.0"]) { try optimizer.setLearningRate(-2) }
        #expect(optimizer.learningRate == Float(0.1), "a rejected rate must not be stored")
        // The edges of the ranges are accepted.
        _ = try SGD(learningRate: 0, momentum: 0)
        _ = try SGD(learningRate: 0.1, momentum: 1, decay: 0)
    }

    @Test("a LearningRateScheduler replaces the base rate; decay still applies on top")
    func schedulerKeepsDecay() throws {
        // lr from the scheduler: 0.2 in epoch 0, 0.1 in epoch 1; decay 0.5; 2 updates per epoch.
        // before update 0: 0.2 / (1 + 0)   = 0.2        before update 1: 0.2 / 1.5 = 0.13333
        // before update 2: 0.1 / (1 + 1)   = 0.05       before update 3: 0.1 / 2.5 = 0.04
        // logged at epoch end (the next update's rate): 0.2 / 2 = 0.1, then 0.1 / 3 = 0.033333
        let optimizer = try SGD(learningRate: 1, decay: 0.5)
        let model = try Self.binaryModel(optimizer: optimizer)
        var rates: [Double] = []
        let recorder = LambdaCallback(onBatchBegin: { _, model in
            rates.append(Double(model.optimizer?.effectiveLearningRate ?? .nan))
        })
        let scheduler = LearningRateScheduler { epoch in epoch == 0 ? 0.2 : 0.1 }
        let (x, y) = try Self.binaryData(rows: 4)
        let history = try model.fit(x, y, epochs: 2, batchSize: 2, verbose: 0, callbacks: [scheduler, recorder])
        let expected = [0.2, 0.2 / 1.5, 0.05, 0.04]
        #expect(rates.count == expected.count)
        for (a, e) in zip(rates, expected) {
            #expect(isClose(a, e, tolerance: Tolerance.float32), "\(rates) vs \(expected)")
        }
        let lr = try #require(history["lr"])
        #expect(lr == [Double(Float(0.2)), Double(Float(0.1))])
        let effective = try #require(history["effective_lr"])
        #expect(effective.count == 2)
        #expect(isClose(effective[0], 0.1, tolerance: Tolerance.float32))
        #expect(isClose(effective[1], 0.1 / 3, tolerance: Tolerance.float32))
    }

    @Test("one optimizer cannot be compiled into two models")
    func oneOptimizerPerModel() throws {
        let optimizer = try SGD(learningRate: 0.1, momentum: 0.9)
        let first = try Self.binaryModel(optimizer: optimizer)
        let second = Sequential(seed: 6)
        try second.add(Dense(1, activation: .sigmoid, inputDimension: 2))
        expectAnnealError(.invalidState, mentioning: ["another model"]) {
            try second.compile(optimizer: optimizer, loss: .binaryCrossentropy)
        }
        #expect(!second.isCompiled)
        // Recompiling the model it belongs to is fine, and a fresh optimizer works for the second model.
        try first.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        try second.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.9), loss: .binaryCrossentropy)
        #expect(second.isCompiled)
    }
}
