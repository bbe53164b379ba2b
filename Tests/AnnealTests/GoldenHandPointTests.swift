import Foundation
import Testing
@testable import Anneal

/// The activations, losses and metrics at the points real Keras recorded (`Fixtures/golden/activations.json`
/// and `losses.json`, see their README): each activation's value and derivative, softmax's Jacobian, each
/// loss's value and gradient with respect to the outputs, and each metric's result after two batches.
@Suite("Golden activations, losses and metrics")
struct GoldenHandPointTests {
    static func fixture(_ name: String) throws -> [String: Any] {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/\(name).json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    /// The numbers of a JSON value nested to any depth, in order, as float32 (the recording's own type).
    static func floats(_ value: Any?) -> [Float] {
        if let number = value as? Double { return [Float(number)] }
        return (value as? [Any] ?? []).flatMap(floats)
    }

    /// How many rows a JSON array of rows (or of class indices) has.
    static func rows(_ value: Any?) -> Int { (value as? [Any])?.count ?? 0 }

    static func expectClose(_ actual: [Float], _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, Keras recorded \(expected.count)")
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            #expect(isClose(Double(a), Double(e), tolerance: Tolerance.float32), "\(what)[\(index)]: \(a) vs Keras \(e)")
        }
    }

    // MARK: Activations

    /// The recorded activations by their key in `activations.json` (the legacy layer `LeakyReLU` for the two
    /// `leaky_relu_*`).
    static let activations: [(key: String, activation: Activation)] = [
        ("elu", .elu), ("selu", .selu), ("softplus", .softplus), ("softsign", .softsign), ("swish", .swish),
        ("gelu", .gelu), ("gelu_approximate", .geluApproximate), ("hard_sigmoid", .hardSigmoid), ("exponential", .exponential),
        ("leaky_relu_0.3", .leakyRelu(alpha: 0.3)), ("leaky_relu_0.1", .leakyRelu(alpha: 0.1)), ("relu", .relu),
        ("sigmoid", .sigmoid), ("tanh", .tanh), ("linear", .linear),
    ]

    /// `activation` at `x` (rows of `units`), and the gradient the layer's backward pass turns `upstream`
    /// (dL/da) into (dL/dz).
    static func apply(_ activation: Activation, _ x: [Float], units: Int, upstream: [Float]) -> (value: [Float], gradient: [Float]) {
        var value = [Float](repeating: .nan, count: x.count)
        var gradient = upstream
        let rows = x.count / units
        x.withUnsafeBufferPointer { z in
            value.withUnsafeMutableBufferPointer { activation.forward(z.baseAddress!, $0.baseAddress!, rows: rows, units: units) }
            value.withUnsafeBufferPointer { a in
                gradient.withUnsafeMutableBufferPointer {
                    activation.backward($0.baseAddress!, z: z.baseAddress!, a: a.baseAddress!, rows: rows, units: units)
                }
            }
        }
        return (value, gradient)
    }

    @Test("each activation's value and derivative", arguments: 0..<activations.count)
    func activation(_ index: Int) throws {
        let (key, activation) = Self.activations[index]
        let root = try Self.fixture("activations")
        let x = Self.floats(root["x"])
        let recorded = try #require((root["activations"] as? [String: Any])?[key] as? [String: Any], "no \(key)")
        // The derivative elementwise: the gradient of sum(f(x)), an upstream gradient of ones.
        let (value, derivative) = Self.apply(activation, x, units: 1, upstream: Array(repeating: 1, count: x.count))
        Self.expectClose(value, Self.floats(recorded["value"]), "\(key)")
        Self.expectClose(derivative, Self.floats(recorded["gradient"]), "\(key)'")
    }

    @Test("softmax's value and Jacobian per row")
    func softmax() throws {
        let recorded = try #require(try Self.fixture("activations")["softmax"] as? [String: Any])
        let x = Self.floats(recorded["x"])
        let units = 3, rows = x.count / units
        // jacobian[row][j][k] = d softmax(x)[row, j] / d x[row, k]: the backward pass of the one-hot upstream e_j.
        var jacobian = [Float](repeating: .nan, count: rows * units * units)
        var value: [Float] = []
        for j in 0..<units {
            let upstream = (0..<x.count).map { Float($0 % units == j ? 1 : 0) }
            let (a, gradient) = Self.apply(.softmax, x, units: units, upstream: upstream)
            value = a
            for row in 0..<rows {
                for k in 0..<units { jacobian[(row * units + j) * units + k] = gradient[row * units + k] }
            }
        }
        Self.expectClose(value, Self.floats(recorded["value"]), "softmax")
        Self.expectClose(jacobian, Self.floats(recorded["jacobian"]), "softmax Jacobian")
    }

    // MARK: Losses

    /// The recorded losses by their name in `losses.json`.
    static let losses: [String: Loss] = [
        "mae": .meanAbsoluteError, "mape": .meanAbsolutePercentageError, "msle": .meanSquaredLogarithmicError,
        "mse": .meanSquaredError, "huber_1": Loss(.huber, delta: 1), "huber_0.5": Loss(.huber, delta: 0.5),
        "log_cosh": .logCosh, "poisson": .poisson, "cosine_similarity": .cosineSimilarity,
        "kl_divergence": .klDivergence, "hinge": .hinge, "squared_hinge": .squaredHinge,
        "categorical_hinge": .categoricalHinge, "binary_crossentropy": .binaryCrossentropy,
        "binary_crossentropy_smoothing": Loss(.binaryCrossentropy, labelSmoothing: 0.1),
        "binary_crossentropy_logits": Loss(.binaryCrossentropy, fromLogits: true),
        "binary_crossentropy_logits_smoothing": Loss(.binaryCrossentropy, fromLogits: true, labelSmoothing: 0.1),
        "categorical_crossentropy": .categoricalCrossentropy,
        "categorical_crossentropy_logits": Loss(.categoricalCrossentropy, fromLogits: true),
        "sparse_categorical_crossentropy": .sparseCategoricalCrossentropy,
        "sparse_categorical_crossentropy_logits": Loss(.sparseCategoricalCrossentropy, fromLogits: true),
    ]

    /// A recorded batch: labels, outputs (rows of `units`) and the per-row weights.
    struct Batch {
        let yTrue: [Float], yPred: [Float], weights: [Float], rows: Int, units: Int

        init(_ batches: [String: Any], _ name: String) throws {
            let batch = try #require(batches[name] as? [String: Any], "no batch \(name)")
            yTrue = GoldenHandPointTests.floats(batch["y_true"])
            yPred = GoldenHandPointTests.floats(batch["y_pred"])
            weights = GoldenHandPointTests.floats(batch["sample_weight"])
            rows = GoldenHandPointTests.rows(batch["y_pred"])
            units = yPred.count / max(rows, 1)
        }

        /// `body` with the outputs and the labels.
        func withPointers<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> R) -> R {
            yPred.withUnsafeBufferPointer { p in yTrue.withUnsafeBufferPointer { y in body(p.baseAddress!, y.baseAddress!) } }
        }
    }

    /// The recorded batches, and the entries of `losses.json`'s list `key` (`"losses"` or `"metrics"`).
    static func recorded(_ key: String) throws -> (batches: [String: Any], entries: [[String: Any]]) {
        let root = try fixture("losses")
        return (try #require(root["batches"] as? [String: Any]), try #require(root[key] as? [[String: Any]]))
    }

    @Test("each loss's value and gradient with respect to the outputs (without sample_weight)")
    func lossValues() throws {
        let (batches, entries) = try Self.recorded("losses")
        #expect(entries.count == 62)
        for entry in entries {
            let name = entry["name"] as? String ?? "", batchName = entry["batch"] as? String ?? ""
            let loss = try #require(Self.losses[name], "no loss for \(name)")
            let batch = try Batch(batches, batchName)
            // The outputs are the loss's input itself: a linear layer's z and a are both y_pred.
            var gradient = [Float](repeating: .nan, count: batch.yPred.count)
            let value = batch.withPointers { p, y in
                gradient.withUnsafeMutableBufferPointer {
                    loss.evaluate(z: p, a: p, y: y, rows: batch.rows, units: batch.units, activation: .linear,
                                  gradient: $0.baseAddress!)
                }
            }
            Self.expectClose([value], Self.floats(entry["value"]), "\(name) on \(batchName)")
            Self.expectClose(gradient, Self.floats(entry["gradient"]), "\(name) gradient on \(batchName)")
        }
    }

    // MARK: Metrics

    /// The recorded metrics by their name in `losses.json`.
    static let metrics: [String: Metric] = [
        "mae": .mean(.meanAbsoluteError), "mae_signed": .mean(.meanAbsoluteError), "mse": .mean(.meanSquaredError),
        "mape": .mean(.meanAbsolutePercentageError), "msle": .mean(.meanSquaredLogarithmicError),
        "rmse": .rootMeanSquaredError, "binary_accuracy": .binaryAccuracy(threshold: 0.5),
        "binary_accuracy_0.7": .binaryAccuracy(threshold: 0.7), "categorical_accuracy": .categoricalAccuracy,
        "sparse_categorical_accuracy": .sparseCategoricalAccuracy,
        "top_k_categorical_accuracy_2": .topKCategoricalAccuracy(k: 2), "auc_roc": .auc(thresholds: 200, curve: .roc),
        "auc_pr": .auc(thresholds: 200, curve: .pr), "precision": .precision, "recall": .recall,
    ]

    @Test("each metric's result after two batches (without sample_weight)")
    func metricResults() throws {
        let (batches, entries) = try Self.recorded("metrics")
        #expect(entries.count == 15)
        for entry in entries {
            let name = entry["name"] as? String ?? ""
            let metric = try #require(Self.metrics[name], "no metric for \(name)")
            var state = [Float](repeating: 0, count: metric.stateCount)
            var rows = 0, units = 0
            for batchName in entry["batches"] as? [String] ?? [] {
                let batch = try Batch(batches, batchName)
                batch.withPointers { p, y in
                    state.withUnsafeMutableBufferPointer {
                        metric.update($0.baseAddress!, z: p, a: p, y: y, rows: batch.rows, units: batch.units, activation: .linear)
                    }
                }
                rows += batch.rows
                units = batch.units
            }
            let result = state.withUnsafeBufferPointer { metric.result($0.baseAddress!, rows: rows, units: units) }
            Self.expectClose([result], Self.floats(entry["result"]), "\(name)")
        }
    }

    @Test("each metric's weighted result after two batches (Keras's weighted_metrics, with sample_weight)")
    func weightedMetricResults() throws {
        let (batches, entries) = try Self.recorded("metrics")
        for entry in entries {
            let name = entry["name"] as? String ?? ""
            let metric = try #require(Self.metrics[name], "no metric for \(name)")
            var state = [Float](repeating: 0, count: metric.weightedStateCount)
            var units = 0
            for batchName in entry["batches"] as? [String] ?? [] {
                let batch = try Batch(batches, batchName)
                #expect(batch.weights.count == batch.rows)
                batch.withPointers { p, y in
                    batch.weights.withUnsafeBufferPointer { w in
                        state.withUnsafeMutableBufferPointer {
                            metric.update($0.baseAddress!, z: p, a: p, y: y, rows: batch.rows, units: batch.units,
                                          activation: .linear, weights: w.baseAddress!)
                        }
                    }
                }
                units = batch.units
            }
            let result = state.withUnsafeBufferPointer { metric.weightedResult($0.baseAddress!, units: units) }
            Self.expectClose([result], Self.floats(entry["weighted_result"]), "weighted \(name)")
        }
    }
}
