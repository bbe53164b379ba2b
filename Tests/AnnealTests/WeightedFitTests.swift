import Foundation
import Testing
import Anneal

/// Sample weights as Keras 2 applies them: a batch's loss is `sum(w_i * l_i) / rows`, the metrics given as
/// `metrics=` are not weighted, `val_loss` takes the validation weights, and `class_weight` (a weight per
/// label, for the training rows only) is that with `w_i = class_weight[y_i]`.
@Suite("Weighted fits")
struct WeightedFitTests {
    /// The recorded run `name` (`Fixtures/golden/`).
    static func golden(_ name: String) throws -> GoldenRun {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/\(name).json")
        return try GoldenRun(data: Data(contentsOf: url))
    }

    /// The tutorial's network at the run's initial weights, compiled with its SGD.
    static func model(for golden: GoldenRun) throws -> Sequential {
        let model = try Support.tutorialModel(seed: 1)
        try model.setWeights(golden.initialWeights)
        try model.compile(optimizer: try golden.makeOptimizer(), loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    static func expectFollows(_ golden: GoldenRun, _ history: History, _ model: Sequential, _ name: String) {
        #expect(Set(history.history.keys) == Set(golden.history.keys))
        for (key, expected) in golden.history {
            let actual = history.history[key] ?? []
            #expect(actual.count == expected.count, "\(name) \(key): \(actual.count) epochs")
            for (epoch, (a, e)) in zip(actual, expected).enumerated() {
                #expect(isClose(a, e, tolerance: Tolerance.goldenEpochValue), "\(name) \(key) epoch \(epoch): \(a) vs Keras \(e)")
            }
        }
        for (index, (a, e)) in zip(model.getWeights(), golden.finalWeights).enumerated() {
            let worst = zip(a.values, e.values).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst <= Tolerance.goldenFinalWeight, "\(name) weight \(index) differs by up to \(worst)")
        }
    }

    @Test("class_weight {0: 2, 1: 0.5} follows Keras every epoch (validation unweighted)")
    func classWeight() throws {
        let golden = try Self.golden("weighted_class")
        let data = try Support.ionosphere()
        let model = try Self.model(for: golden)
        // validation_split=0.33 keeps int(351 * 0.67) = 235 rows; class_weight weights only those.
        let split = 235
        let weights = data.labels.enumerated().map { row, label in row < split ? (label == 0 ? 2 : 0.5) : Float(1) }
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0, validationSplit: 0.33,
            shuffle: false, sampleWeight: weights)
        Self.expectFollows(golden, history, model, "weighted_class")
    }

    @Test("sample_weight and weighted validation_data follow Keras every epoch")
    func sampleWeight() throws {
        let golden = try Self.golden("weighted_sample")
        let data = try Support.ionosphere()
        let model = try Self.model(for: golden)
        let x = data.featureMatrix
        let y = data.labelMatrix
        let weights = (0..<x.rows).map { Float(1 + $0 % 3) }
        let history = try model.fit(
            x.rows(0..<235), y.rows(0..<235), epochs: 50, batchSize: 28, verbose: 0,
            validationData: (x.rows(235..<351), y.rows(235..<351)), shuffle: false,
            sampleWeight: Array(weights[..<235]), validationSampleWeight: Array(weights[235...]))
        Self.expectFollows(golden, history, model, "weighted_sample")
        // evaluate with the validation weights gives the last epoch's val_loss (the same final weights).
        let logs = try model.evaluate(x.rows(235..<351), y.rows(235..<351), batchSize: 28,
                                      sampleWeight: Array(weights[235...]))
        let last = try #require(golden.history["val_loss"]?.last)
        #expect(isClose(logs["loss"] ?? .nan, last, tolerance: Tolerance.goldenEpochValue))
    }

    /// y = k x + b with k = 1, b = 0 on x = (1, 2), y = (0, 0), weights (2, 0.5): row losses 1 and 4, so
    /// L = (2 * 1 + 0.5 * 4) / 2 = 2 (unweighted 2.5); dL/dk = (2 * 2 * 1 * 1 + 0.5 * 2 * 2 * 2) / 2 = 4 and
    /// dL/db = (2 * 2 * 1 + 0.5 * 2 * 2) / 2 = 3.
    @Test("a weighted mean squared error and its gradient, worked by hand")
    func handWorked() throws {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, inputDimension: 1))
        try model.compile(optimizer: try SGD(), loss: .meanSquaredError)
        try model.setWeights([WeightTensor(shape: [1, 1], values: [1]), WeightTensor(shape: [1], values: [0])])
        let x = try Matrix([[1], [2]])
        let y = try Matrix([[0], [0]])
        let (loss, gradients) = try model.lossGradients(x, y, sampleWeight: [2, 0.5])
        #expect(loss == 2)
        #expect(gradients.map(\.values) == [[4], [3]])
        #expect(try model.evaluate(x, y, sampleWeight: [2, 0.5])["loss"] == 2)
        #expect(try model.evaluate(x, y, batchSize: 1, sampleWeight: [2, 0.5])["loss"] == 2)
        #expect(try model.evaluate(x, y)["loss"] == 2.5)
        // Zero weights leave a row out of the sum but not out of the count.
        #expect(try model.evaluate(x, y, sampleWeight: [0, 1])["loss"] == 2)
    }

    @Test("backprop with sample weights matches finite differences", arguments: [Loss.categoricalCrossentropy, .hinge])
    func finiteDifferences(loss: Loss) throws {
        let model = Sequential(seed: 5)
        try model.add(Dense(4, activation: .tanh, inputDimension: 3))
        try model.add(Dense(3, activation: loss == .hinge ? .tanh : .softmax))
        try model.compile(optimizer: try SGD(), loss: loss)
        let x = try Support.randomMatrix(rows: 6, columns: 3, seed: 3)
        let y = try Matrix((0..<6).map { row in (0..<3).map { Float($0 == row % 3 ? 1 : 0) } })
        let weights: [Float] = [0.5, 2, 0, 1.5, 3, 0.25]
        let start = model.getWeights()
        let (_, gradients) = try model.lossGradients(x, y, sampleWeight: weights)
        func lossAt(_ t: Int, _ i: Int, _ step: Double) throws -> (Double, Double) {
            var moved = start
            moved[t].values[i] = Float(Double(start[t].values[i]) + step)
            try model.setWeights(moved)
            let up = try model.lossGradients(x, y, sampleWeight: weights).loss
            let taken = Double(moved[t].values[i])
            moved[t].values[i] = Float(Double(start[t].values[i]) - step)
            try model.setWeights(moved)
            let down = try model.lossGradients(x, y, sampleWeight: weights).loss
            return (up - down, taken - Double(moved[t].values[i]))
        }
        let h = Tolerance.finiteDifferenceStep
        for t in start.indices {
            for i in start[t].values.indices {
                let (d1, s1) = try lossAt(t, i, h)
                let (d2, s2) = try lossAt(t, i, 2 * h)
                let numeric = (4 * d1 / s1 - d2 / s2) / 3
                let analytic = Double(gradients[t].values[i])
                let allowed = Tolerance.gradientAbsolute + Tolerance.gradientRelative * abs(numeric)
                #expect(abs(analytic - numeric) <= allowed, "\(loss.name) weight \(t)[\(i)]: \(analytic) vs \(numeric)")
            }
        }
        try model.setWeights(start)
    }

    @Test("bad sample weights are errors in Keras's words")
    func badWeights() throws {
        let model = try Support.tutorialModel(seed: 2)
        try model.compile(optimizer: try SGD(), loss: .binaryCrossentropy)
        let x = try Support.randomMatrix(rows: 10, columns: 34, seed: 1)
        let y = Matrix(column: (0..<10).map { Float($0 % 2) })
        expectAnnealError(.shapeMismatch, mentioning: ["sample_weight", "9", "10"]) {
            try model.fit(x, y, verbose: 0, sampleWeight: [Float](repeating: 1, count: 9))
        }
        expectAnnealError(.nonFinite, mentioning: ["sample_weight[3]", "nan"]) {
            try model.fit(x, y, verbose: 0, sampleWeight: [1, 1, 1, .nan, 1, 1, 1, 1, 1, 1])
        }
        expectAnnealError(.nonFinite, mentioning: ["sample_weight[0]", "inf"]) {
            _ = try model.evaluate(x, y, sampleWeight: [.infinity, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        }
        expectAnnealError(.invalidArgument, mentioning: ["validation"]) {
            try model.fit(x, y, verbose: 0, validationSampleWeight: [1])
        }
        let session = try TrainingSession(model: model, x: x, y: y, batchSize: 4)
        expectAnnealError(.invalidState, mentioning: ["no validation data"]) {
            try session.setValidationSampleWeights([1])
        }
        expectAnnealError(.shapeMismatch, mentioning: ["sample_weight", "11", "10"]) {
            try session.setSampleWeights([Float](repeating: 1, count: 11))
        }
    }

    // MARK: weighted_metrics

    /// The metrics of the `weighted_metrics_*` runs: `metrics=["accuracy"]`, then these as `weighted_metrics`.
    static let weightedMetrics = ["accuracy", "auc", "precision", "recall", "root_mean_squared_error", "mae",
                                  "binary_crossentropy"]

    /// The tutorial's network at the run's initial weights, compiled with Keras's weighted_metrics.
    static func weightedMetricsModel(for golden: GoldenRun) throws -> Sequential {
        let model = try Support.tutorialModel(seed: 1)
        try model.setWeights(golden.initialWeights)
        try model.compile(optimizer: try golden.makeOptimizer(), loss: .binaryCrossentropy, metrics: ["accuracy"],
                          weightedMetrics: weightedMetrics)
        return model
    }

    @Test("weighted_metrics with class_weight follow Keras every epoch (validation unweighted)")
    func weightedMetricsClassWeight() throws {
        let golden = try Self.golden("weighted_metrics_class")
        let data = try Support.ionosphere()
        let model = try Self.weightedMetricsModel(for: golden)
        #expect(model.metricNames == ["accuracy", "weighted_accuracy", "auc", "precision", "recall",
                                      "root_mean_squared_error", "mae", "binary_crossentropy"])
        let weights = data.labels.enumerated().map { row, label in row < 235 ? (label == 0 ? 2 : 0.5) : Float(1) }
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: 50, batchSize: 28, verbose: 0, validationSplit: 0.33,
            shuffle: false, sampleWeight: weights)
        Self.expectFollows(golden, history, model, "weighted_metrics_class")
    }

    @Test("weighted_metrics with sample_weight and weighted validation_data follow Keras; evaluate, test_on_batch")
    func weightedMetricsSampleWeight() throws {
        let golden = try Self.golden("weighted_metrics_sample")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Support.packageRoot
            .appendingPathComponent("Tests/AnnealTests/Fixtures/golden/weighted_metrics_sample.json"))) as? [String: Any])
        let data = try Support.ionosphere()
        let model = try Self.weightedMetricsModel(for: golden)
        let x = data.featureMatrix
        let y = data.labelMatrix
        let weights = (0..<x.rows).map { Float(1 + $0 % 3) }
        let history = try model.fit(
            x.rows(0..<235), y.rows(0..<235), epochs: 50, batchSize: 28, verbose: 0,
            validationData: (x.rows(235..<351), y.rows(235..<351)), shuffle: false,
            sampleWeight: Array(weights[..<235]), validationSampleWeight: Array(weights[235...]))
        Self.expectFollows(golden, history, model, "weighted_metrics_sample")
        // evaluate with the validation weights, then one batch of 28 validation rows as test_on_batch.
        func expectLogs(_ logs: Logs, _ key: String) throws {
            let recorded = try #require(root[key] as? [String: Double])
            #expect(Set(logs.keys) == Set(recorded.keys), "\(key) keys")
            for (name, value) in recorded {
                #expect(isClose(logs[name] ?? .nan, value, tolerance: Tolerance.goldenEpochValue), "\(key) \(name): \(logs[name] ?? .nan) vs Keras \(value)")
            }
        }
        try expectLogs(try model.evaluate(x.rows(235..<351), y.rows(235..<351), batchSize: 28,
                                          sampleWeight: Array(weights[235...])), "evaluate")
        try expectLogs(try model.evaluate(x.rows(235..<263), y.rows(235..<263), batchSize: 28,
                                          sampleWeight: Array(weights[235..<263])), "test_on_batch")
    }

    @Test("weighted_metrics names: Keras's weighted_ prefix, order, duplicates")
    func weightedMetricNames() throws {
        #expect(try Sequential.metricLogNames(metrics: ["accuracy", "mae"], weightedMetrics: ["accuracy", "auc", "mae"])
                == ["accuracy", "mae", "weighted_accuracy", "auc", "weighted_mae"])
        #expect(try Sequential.metricLogNames(metrics: [], weightedMetrics: ["accuracy", "accuracy"])
                == ["accuracy", "weighted_accuracy"])
        expectAnnealError(.invalidArgument, mentioning: ["Found two metrics with the same name: accuracy"]) {
            _ = try Sequential.metricLogNames(metrics: ["accuracy", "accuracy"], weightedMetrics: [])
        }
        expectAnnealError(.invalidArgument, mentioning: ["weighted_accuracy"]) {
            _ = try Sequential.metricLogNames(metrics: ["accuracy"], weightedMetrics: ["accuracy", "accuracy"])
        }
        let model = try Support.tutorialModel(seed: 2)
        try model.compile(optimizer: try SGD(), loss: .binaryCrossentropy, metrics: ["acc"], weightedMetrics: ["acc", "auc"])
        #expect(model.metricNames == ["acc", "weighted_acc", "auc"])
        #expect(try (0..<3).map { try model.metricIsWeighted(at: $0) } == [false, true, true])
        try model.setMetric(at: 2, name: "roc", metric: .auc(thresholds: 50, curve: .roc))
        #expect(try model.metricIsWeighted(at: 2))
        try model.setMetricWeighted(at: 2, false)
        #expect(try !model.metricIsWeighted(at: 2))
        expectAnnealError(.invalidArgument, mentioning: ["index 3"]) { try model.setMetricWeighted(at: 3, true) }
        expectAnnealError(.invalidArgument, mentioning: ["Unknown metric function: 'nope'"]) {
            try model.compile(optimizer: try SGD(), loss: .binaryCrossentropy, weightedMetrics: ["nope"])
        }
    }

    /// Rows (x = 1, 2, 3, 4 through y = x with k = 1: outputs 1..4 through a sigmoid-free linear layer),
    /// labels 0, 0, 1, 1, weights 2, 0, 1, 1: mae per row 1, 2, 2, 3; weighted mae (2 + 0 + 2 + 3) / 4 = 1.75,
    /// unweighted 2; binary accuracy (p > 0.5) hits rows 3, 4: weighted (1 + 1) / 4 = 0.5, unweighted 0.5.
    @Test("a weighted mean metric is sum(w v) / sum(w), worked by hand; zero weights give 0")
    func weightedMeanByHand() throws {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, useBias: false, inputDimension: 1))
        try model.compile(optimizer: try SGD(), loss: .meanSquaredError, metrics: ["mae"], weightedMetrics: ["mae", "rmse"])
        try model.setWeights([WeightTensor(shape: [1, 1], values: [1])])
        let x = try Matrix([[1], [2], [3], [4]])
        let y = try Matrix([[0], [0], [1], [1]])
        let logs = try model.evaluate(x, y, sampleWeight: [2, 0, 1, 1])
        #expect(logs["mae"] == 2)
        #expect(logs["weighted_mae"] == 1.75)
        // rmse: sqrt((2 * 1 + 0 * 4 + 1 * 4 + 1 * 9) / 4) = sqrt(15 / 4)
        #expect(isClose(logs["rmse"] ?? .nan, (15.0 / 4).squareRoot(), tolerance: Tolerance.float32))
        // loss: (2 * 1 + 0 + 4 + 9) / 4 rows
        #expect(logs["loss"] == 15.0 / 4)
        let zero = try model.evaluate(x, y, sampleWeight: [0, 0, 0, 0])
        #expect(zero["weighted_mae"] == 0 && zero["rmse"] == 0 && zero["mae"] == 2)
        // Without weights a weighted metric is the unweighted one.
        let plain = try model.evaluate(x, y)
        #expect(plain["weighted_mae"] == plain["mae"])
    }

    @Test("weighted metrics survive a whole-model save and load, and training continues bit for bit")
    func weightedMetricsSaved() throws {
        let data = try Support.ionosphere()
        let x = data.featureMatrix.rows(0..<120), y = data.labelMatrix.rows(0..<120)
        let weights = (0..<120).map { Float(1 + $0 % 4) }
        func model() throws -> Sequential {
            let model = try Support.tutorialModel(seed: 4)
            try model.compile(optimizer: try Adam(), loss: .binaryCrossentropy, metrics: ["accuracy", "auc"],
                              weightedMetrics: ["accuracy", "mae"])
            return model
        }
        let straight = try model()
        let resumed = try model()
        #expect(resumed.metricNames == ["accuracy", "auc", "weighted_accuracy", "mae"])
        _ = try straight.fit(x, y, epochs: 4, batchSize: 16, verbose: 0, shuffle: false, sampleWeight: weights)
        _ = try resumed.fit(x, y, epochs: 2, batchSize: 16, verbose: 0, shuffle: false, sampleWeight: weights)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-wm-\(UUID().uuidString).anneal")
        defer { try? FileManager.default.removeItem(at: url) }
        try resumed.save(to: url.path)
        let loaded = try Sequential(contentsOf: url.path)
        #expect(loaded.metricNames == resumed.metricNames)
        #expect(try (0..<loaded.metricNames.count).map { try loaded.metricIsWeighted(at: $0) }
                == (0..<resumed.metricNames.count).map { try resumed.metricIsWeighted(at: $0) })
        let history = try loaded.fit(x, y, epochs: 4, batchSize: 16, verbose: 0, shuffle: false, initialEpoch: 2,
                                     sampleWeight: weights)
        #expect(loaded.getWeights() == straight.getWeights())
        let a = try loaded.evaluate(x, y, sampleWeight: weights), b = try straight.evaluate(x, y, sampleWeight: weights)
        #expect(a == b)
        #expect(history.history.keys.contains("weighted_accuracy"))
    }

    @Test("negative weights are taken as given, as Keras takes them")
    func negativeWeights() throws {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, inputDimension: 1))
        try model.compile(optimizer: try SGD(), loss: .meanSquaredError)
        try model.setWeights([WeightTensor(shape: [1, 1], values: [1]), WeightTensor(shape: [1], values: [0])])
        #expect(try model.evaluate(try Matrix([[1], [2]]), try Matrix([[0], [0]]), sampleWeight: [-1, 1])["loss"] == 1.5)
    }
}
