import Foundation
import Testing
@testable import Anneal

/// Keras's Dropout: identity outside training, inverted scaling inside it (mean preserved), seeded masks,
/// the gradient through a held mask, the argument checks, and Keras's own predictions for a model with Dropout.
@Suite("Dropout")
struct DropoutTests {
    /// Dense(6, tanh) -> Dropout(0.4) -> Dense(3, softmax), or the same without the Dropout.
    static func smallModel(seed: UInt64, dropout: Dropout?) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dense(6, activation: .tanh, inputDimension: 5))
        if let dropout { try model.add(dropout) }
        try model.add(Dense(3, activation: .softmax))
        try model.compile(optimizer: try Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy,
                          metrics: ["accuracy"])
        return model
    }

    static func data(rows: Int, seed: UInt64) throws -> (Matrix, Matrix) {
        let x = try Support.randomMatrix(rows: rows, columns: 5, seed: seed)
        let y = Matrix(column: (0..<rows).map { Float(($0 * 7) % 3) })
        return (x, y)
    }

    @Test("evaluate and predict equal the same model without Dropout")
    func inferenceIsIdentity() throws {
        let (x, y) = try Self.data(rows: 50, seed: 11)
        let with = try Self.smallModel(seed: 3, dropout: Dropout(rate: 0.4))
        let without = try Self.smallModel(seed: 3, dropout: nil)
        // Train the Dropout model a little so the weights are not the initial ones, then copy them over.
        try with.fit(x, y, epochs: 2, batchSize: 8, verbose: 0)
        try without.setWeights(with.getWeights())
        #expect(try with.predict(x, batchSize: 7).values == without.predict(x, batchSize: 7).values)
        let a = try with.evaluate(x, y, batchSize: 16)
        let b = try without.evaluate(x, y, batchSize: 16)
        #expect(a["loss"] == b["loss"] && a["accuracy"] == b["accuracy"])
    }

    @Test("validation runs without Dropout: val_loss equals evaluate on the validation rows")
    func validationIsInference() throws {
        let (x, y) = try Self.data(rows: 60, seed: 12)
        let model = try Self.smallModel(seed: 4, dropout: Dropout(rate: 0.5))
        let history = try model.fit(x, y, epochs: 1, batchSize: 10, verbose: 0, validationSplit: 0.5, shuffle: false)
        let logs = try model.evaluate(x.rows(30..<60), y.rows(30..<60), batchSize: 10)
        let valLoss = try #require(history.history["val_loss"]?.last)
        #expect(abs(valLoss - (logs["loss"] ?? .nan)) <= 1e-6)
    }

    @Test("fit drops: a Dropout model trains differently from the same model with rate 0")
    func trainingDrops() throws {
        let (x, y) = try Self.data(rows: 40, seed: 13)
        let dropping = try Self.smallModel(seed: 5, dropout: Dropout(rate: 0.4, seed: 1))
        let identity = try Self.smallModel(seed: 5, dropout: Dropout(rate: 0))
        let plain = try Self.smallModel(seed: 5, dropout: nil)
        for model in [dropping, identity, plain] { try model.fit(x, y, epochs: 2, batchSize: 8, verbose: 0, seed: 9) }
        #expect(identity.getWeights() == plain.getWeights())  // rate 0 is Keras's identity
        #expect(dropping.getWeights() != plain.getWeights())
    }

    @Test("the same seeds give the same masks, bit for bit; another layer seed gives others")
    func seededMasks() throws {
        let (x, y) = try Self.data(rows: 64, seed: 14)
        func run(modelSeed: UInt64, layerSeed: UInt64?) throws -> [WeightTensor] {
            let model = try Self.smallModel(seed: modelSeed, dropout: Dropout(rate: 0.3, seed: layerSeed))
            try model.fit(x, y, epochs: 3, batchSize: 16, verbose: 0)
            let session = try TrainingSession(model: model, x: x, y: y, batchSize: 16)
            _ = try session.trainEpoch()  // the stream goes on across fits and sessions
            return model.getWeights()
        }
        #expect(try run(modelSeed: 21, layerSeed: nil) == run(modelSeed: 21, layerSeed: nil))
        #expect(try run(modelSeed: 21, layerSeed: 5) == run(modelSeed: 21, layerSeed: 5))
        #expect(try run(modelSeed: 21, layerSeed: 5) != run(modelSeed: 21, layerSeed: 6))
        #expect(try run(modelSeed: 21, layerSeed: nil) != run(modelSeed: 22, layerSeed: nil).map { $0 })
    }

    @Test("a Dropout adds no weights and does not change how the other layers are initialised")
    func noWeights() throws {
        let with = try Self.smallModel(seed: 8, dropout: Dropout(rate: 0.2))
        let without = try Self.smallModel(seed: 8, dropout: nil)
        #expect(with.getWeights() == without.getWeights())
        #expect(with.stack.count == 3 && with.layers.count == 2)
        #expect(with.stack[1] == .dropout(Dropout(rate: 0.2)) && with.stack[1].className == "Dropout")
    }

    /// One training pass's masks over inputs of ones: the dropped input of the first layer, for `batches`
    /// batches of `rows` x `width`.
    @Test("the training-time mean is kept: masks average 1 within the binomial bound, dropping `rate` of values")
    func meanPreserved() throws {
        let rate = 0.3
        let (rows, width, batches) = (64, 50, 20)
        let model = Sequential(seed: 31)
        try model.add(Dropout(rate: rate))
        try model.add(Dense(1, kernelInitializer: .ones, inputDimension: width))
        try model.compile(optimizer: try SGD(learningRate: 0), loss: .meanSquaredError)
        let network = try #require(model.network)
        let workspace = try Workspace(network: network, capacity: rows, labelWidth: 1, training: true)
        workspace.input.base.update(repeating: 1, count: rows * width)
        let scale = 1 / (1 - Float(rate))
        var sum = 0.0
        var zeros = 0
        for _ in 0..<batches {
            network.forward(workspace, rows: rows, training: true)
            let dropped = try #require(workspace.droppedInputs[0])
            for i in 0..<(rows * width) {
                let value = dropped.base[i]
                #expect(value == 0 || value == scale, "a kept value is the input times 1 / (1 - rate) exactly")
                if value == 0 { zeros += 1 }
                sum += Double(value)
            }
            // The layer's output is the sum of its dropped inputs (ones kernel, zero bias).
            #expect(abs(Double(workspace.activations[0].base[0]) - (0..<width).reduce(0.0) { $0 + Double(dropped.base[$1]) }) < 1e-3)
        }
        let n = Double(rows * width * batches)
        // Each value: scale with probability 1 - rate, else 0; mean 1, variance rate / (1 - rate).
        let meanBound = 5 * (rate / (1 - rate) / n).squareRoot()
        #expect(abs(sum / n - 1) < meanBound, "mean \(sum / n), bound \(meanBound)")
        let zeroBound = 5 * (rate * (1 - rate) / n).squareRoot()
        #expect(abs(Double(zeros) / n - rate) < zeroBound)
        // Inference leaves the input as it is.
        network.forward(workspace, rows: rows)
        #expect(workspace.activations[0].base[0] == Float(width))
    }

    /// Loss and gradients of one training pass whose masks come from `states` (the sites' generators as they
    /// were before the pass), so that every call drops the same values.
    static func heldMaskPass(_ model: Sequential, _ x: Matrix, _ y: Matrix, states: [SeededGenerator])
        throws -> (loss: Double, gradients: [Float]) {
        let network = try #require(model.network)
        let loss = try #require(model.loss)
        for (site, state) in zip(network.dropouts, states) { site.generator = state }
        let workspace = try Workspace(network: network, capacity: x.rows, labelWidth: y.columns, training: true)
        workspace.load(x: x, y: y, start: 0, count: x.rows)
        network.forward(workspace, rows: x.rows, training: true)
        let last = network.layouts.count - 1
        let value = loss.evaluate(
            z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
            rows: x.rows, units: network.outputs, activation: network.layouts[last].activation,
            gradient: workspace.deltas[last].base)
        network.backward(workspace, rows: x.rows)
        return (Double(value), Array(network.gradients.buffer))
    }

    @Test("the gradient through held masks matches finite differences",
          arguments: ["hidden", "input", "input+hidden+hidden"])
    func gradientWithHeldMask(_ placement: String) throws {
        let model = Sequential(seed: 41)
        if placement.hasPrefix("input") { try model.add(Dropout(rate: 0.5, seed: 3)) }
        try model.add(Dense(5, activation: .tanh, inputDimension: 4))
        if placement.hasSuffix("hidden") { try model.add(Dropout(rate: 0.4)) }
        if placement.hasSuffix("hidden+hidden") { try model.add(Dropout(rate: 0.25)) }
        try model.add(Dense(3, activation: .sigmoid))
        try model.compile(optimizer: try SGD(learningRate: 0), loss: .meanSquaredError)
        let x = try Support.randomMatrix(rows: 6, columns: 4, seed: 42)
        let y = try Support.randomMatrix(rows: 6, columns: 3, in: 0...1, seed: 43)
        try model.build(inputDimension: 4)
        let network = try #require(model.network)
        let states = network.dropouts.map(\.generator)
        let (_, analytic) = try Self.heldMaskPass(model, x, y, states: states)
        // The masks drop something, and hold: the same states give the same pass.
        #expect(try Self.heldMaskPass(model, x, y, states: states).gradients == analytic)
        let h = Float(Tolerance.finiteDifferenceStep)
        let w = network.parameters.base
        var compared = 0
        for i in 0..<network.parameters.count {
            let original = w[i]
            func loss(_ step: Float) throws -> (Double, Double) {
                w[i] = original + step
                let taken = Double(w[i]) - Double(original)
                defer { w[i] = original }
                return (try Self.heldMaskPass(model, x, y, states: states).loss, taken)
            }
            let (p1, s1) = try loss(h), (m1, t1) = try loss(-h)
            let (p2, s2) = try loss(2 * h), (m2, t2) = try loss(-2 * h)
            // Richardson: two central differences, the h^2 error term cancelled.
            let d1 = (p1 - m1) / (s1 - t1)
            let d2 = (p2 - m2) / (s2 - t2)
            let numeric = (4 * d1 - d2) / 3
            let bound = Tolerance.gradientAbsolute + Tolerance.gradientRelative * abs(numeric)
            #expect(abs(Double(analytic[i]) - numeric) <= bound, "weight \(i): analytic \(analytic[i]), numeric \(numeric)")
            compared += 1
        }
        #expect(compared == network.parameters.count)
    }

    @Test("a big model's layer-by-layer SGD step applies the masks: it equals w - rate * the held-mask gradient")
    func layerByLayerStep() throws {
        let model = Sequential(seed: 51)
        try model.add(Dropout(rate: 0.2, seed: 1))
        try model.add(Dense(256, activation: .relu, inputDimension: 300))
        try model.add(Dropout(rate: 0.5, seed: 2))
        try model.add(Dense(10, activation: .softmax))
        try model.compile(optimizer: try SGD(learningRate: 0.1), loss: .sparseCategoricalCrossentropy)
        let x = try Support.randomMatrix(rows: 128, columns: 300, seed: 52)
        let y = Matrix(column: (0..<128).map { Float($0 % 10) })
        let network = try #require(model.network)
        #expect(network.updatesLayerByLayer)
        let states = network.dropouts.map(\.generator)
        let before = Array(network.parameters.buffer)
        let (_, gradients) = try Self.heldMaskPass(model, x, y, states: states)
        let session = try TrainingSession(model: model, x: x, y: y, batchSize: 128, shuffle: false)
        for (site, state) in zip(network.dropouts, states) { site.generator = state }
        session.beginEpoch()
        try session.trainBatch(0)
        var worst: Float = 0
        for i in 0..<before.count {
            let expected = before[i] - 0.1 * gradients[i]
            worst = max(worst, abs(network.parameters.base[i] - expected))
        }
        #expect(worst <= 1e-6, "largest difference \(worst)")
        #expect(Array(network.parameters.buffer) != before)
    }

    @Test("rate outside [0, 1) is refused with Keras's message; a Dropout last cannot be compiled")
    func arguments() throws {
        let model = Sequential(seed: 1)
        for rate in [-0.1, 1.5, Double.nan] {
            expectAnnealError(.invalidArgument, mentioning: ["Expected a float value between 0 and 1", "rate="]) {
                try model.add(Dropout(rate: rate))
            }
        }
        expectAnnealError(.invalidArgument, mentioning: ["[0, 1)", "rate=1.0"]) { try model.add(Dropout(rate: 1)) }
        #expect(model.stack.isEmpty)
        try model.add(Dense(4, inputDimension: 3))
        try model.add(Dropout(rate: 0.5))
        // Predict works (Dropout is the identity there); training does not.
        let x = try Support.randomMatrix(rows: 2, columns: 3, seed: 1)
        #expect(try model.predict(x).columns == 4)
        expectAnnealError(.invalidArgument, mentioning: ["last layer is a Dropout"]) {
            try model.compile(optimizer: try SGD(), loss: .meanSquaredError)
        }
        try model.add(Dense(2))
        try model.compile(optimizer: try SGD(), loss: .meanSquaredError)
        expectAnnealError(.invalidState) { try model.add(Dropout(rate: 0.1)) }
    }

    @Test("Keras's dropout_adam_softmax model: its weights predict what Keras predicted (within 1e-6)")
    func kerasFixture() throws {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/dropout_adam_softmax.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let model = Sequential(seed: 0)
        try model.add(Dense(16, activation: .tanh, inputDimension: 34))
        try model.add(Dropout(rate: 0.25))
        try model.add(Dense(8, activation: .relu))
        try model.add(Dense(2, activation: .softmax))
        let arrays = try #require(root["weights"] as? [Any])
        let tensors: [WeightTensor] = try arrays.map { array in
            if let matrix = array as? [[Double]] {
                return WeightTensor(shape: [matrix.count, matrix[0].count], values: matrix.flatMap { $0.map(Float.init) })
            }
            let vector = try #require(array as? [Double])
            return WeightTensor(shape: [vector.count], values: vector.map(Float.init))
        }
        try model.setWeights(tensors)
        let data = try Support.ionosphere()
        let x = data.featureMatrix.rows(0..<8)
        let expected = try #require(root["predict_first_8_rows"] as? [[Double]])
        let predicted = try model.predict(x)
        for row in 0..<8 {
            for column in 0..<2 {
                let value = Double(predicted.values[row * 2 + column])
                #expect(abs(value - expected[row][column]) <= 1e-6, "row \(row) column \(column): \(value)")
            }
        }
    }

    @Test("Keras's dropout_eval golden: with its weights, evaluate and predict give Keras's values (within 1e-5)")
    func kerasEvaluateGolden() throws {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/dropout_eval.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let model = Sequential(seed: 0)
        try model.add(Dense(34, activation: .relu, inputDimension: 34))
        try model.add(Dropout(rate: 0.5))
        try model.add(Dense(1, activation: .sigmoid))
        try model.compile(optimizer: try SGD(learningRate: 0.1), loss: .binaryCrossentropy, metrics: ["accuracy"])
        let arrays = try #require(root["weights"] as? [Any])
        let tensors: [WeightTensor] = try arrays.map { array in
            if let matrix = array as? [[Double]] {
                return WeightTensor(shape: [matrix.count, matrix[0].count], values: matrix.flatMap { $0.map(Float.init) })
            }
            let vector = try #require(array as? [Double])
            return WeightTensor(shape: [vector.count], values: vector.map(Float.init))
        }
        try model.setWeights(tensors)
        let data = try Support.ionosphere()
        let logs = try model.evaluate(data.featureMatrix, data.labelMatrix, batchSize: 28)
        let loss = try #require(root["evaluate_loss"] as? Double)
        let accuracy = try #require(root["evaluate_accuracy"] as? Double)
        #expect(abs(try #require(logs["loss"]) - loss) <= 1e-5)
        #expect(abs(try #require(logs["accuracy"]) - accuracy) <= 1e-5)
        let expected = try #require(root["predictions"] as? [Double])
        let predicted = try model.predict(data.featureMatrix, batchSize: 28)
        #expect(predicted.values.count == expected.count)
        for (row, value) in zip(predicted.values, expected).enumerated() {
            #expect(abs(Double(value.0) - value.1) <= 1e-5, "row \(row): \(value.0), Keras \(value.1)")
        }
    }
}
