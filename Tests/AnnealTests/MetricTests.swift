import Foundation
import Testing
import Anneal

/// Every metric at hand-worked points, computed here in `Double` over the whole data set, while the model
/// evaluates batch by batch: the batch size is 3 on 8 samples, so a metric that averaged per-batch values
/// instead of accumulating state as Keras's stateful metrics do would disagree.
@Suite("Metric values")
struct MetricTests {
    /// Outputs (the inputs themselves: identity kernel, no bias) and labels for one output unit.
    static let p: [Double] = [0.9, 0.2, 0.65, 0.4, 0.05, 0.8, 0.5, 0.3]
    static let y: [Double] = [1, 0, 0, 1, 0, 1, 1, 0]

    /// `evaluate`'s logs for outputs `p` (rows of `units`) and labels `y` with a linear output.
    static func evaluate(p: [[Double]], y: [[Double]], loss: Loss = .meanSquaredError,
                         metrics: [(name: String, metric: Metric)]) throws -> Logs {
        let units = p[0].count
        let model = Sequential(seed: 1)
        try model.add(Dense(units, useBias: false, inputDimension: units))
        let kernel = (0..<(units * units)).map { Float($0 / units == $0 % units ? 1 : 0) }
        try model.setWeights([WeightTensor(shape: [units, units], values: kernel)])
        try model.compile(optimizer: SGD(), loss: loss, namedMetrics: metrics)
        return try model.evaluate(Matrix(p.map { $0.map(Float.init) }), Matrix(y.map { $0.map(Float.init) }), batchSize: 3)
    }

    static func column(_ values: [Double]) -> [[Double]] { values.map { [$0] } }

    static func value(_ metric: Metric, _ name: String = "m", p: [[Double]] = column(p), y: [[Double]] = column(y),
                      loss: Loss = .meanSquaredError) throws -> Double {
        try #require(try evaluate(p: p, y: y, loss: loss, metrics: [(name, metric)])[name])
    }

    @Test("regression metrics: mae, mse, mape, msle, rmse over all samples")
    func regression() throws {
        let n = Double(Self.p.count)
        let pairs = zip(Self.p, Self.y)
        let mae = pairs.map { abs($0 - $1) }.reduce(0, +) / n
        let mse = pairs.map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / n
        let labels = Self.y.map { $0 + 1 }  // mape needs labels away from 0
        let mape = 100 * zip(Self.p, labels).map { abs(($1 - $0) / $1) }.reduce(0, +) / n
        let msle = pairs.map { let d = log($0 + 1) - log(max($1, 1e-7) + 1); return d * d }.reduce(0, +) / n
        #expect(isClose(try Self.value(.mean(.meanAbsoluteError)), mae, tolerance: Tolerance.float32))
        #expect(isClose(try Self.value(.mean(.meanSquaredError)), mse, tolerance: Tolerance.float32))
        #expect(isClose(try Self.value(.mean(.meanAbsolutePercentageError), y: Self.column(labels)), mape, tolerance: Tolerance.float32))
        #expect(isClose(try Self.value(.mean(.meanSquaredLogarithmicError)), msle, tolerance: Tolerance.float32))
        // RMSE is the root of the mean over every sample: not the mean of per-batch roots.
        #expect(isClose(try Self.value(.rootMeanSquaredError), mse.squareRoot(), tolerance: Tolerance.float32))
    }

    @Test("binary accuracy with a threshold; precision and recall count over the whole epoch")
    func classification() throws {
        func predicted(_ t: Double) -> [Bool] { Self.p.map { $0 > t } }
        let truth = Self.y.map { $0 != 0 }
        for t in [0.5, 0.35] {
            let hits = zip(predicted(t), truth).filter { $0 == $1 }.count
            let tp = Double(zip(predicted(t), truth).filter { $0 && $1 }.count)
            let fp = Double(zip(predicted(t), truth).filter { $0 && !$1 }.count)
            let fn = Double(zip(predicted(t), truth).filter { !$0 && $1 }.count)
            let threshold = Float(t)
            #expect(isClose(try Self.value(.binaryAccuracy(threshold: threshold)), Double(hits) / 8, tolerance: Tolerance.float32))
            #expect(isClose(try Self.value(.precision(threshold: threshold)), tp / (tp + fp), tolerance: Tolerance.float32))
            #expect(isClose(try Self.value(.recall(threshold: threshold)), tp / (tp + fn), tolerance: Tolerance.float32))
        }
        // No predicted positive: precision is 0 (divide_no_nan), not NaN.
        #expect(try Self.value(.precision(threshold: 0.95)) == 0)
    }

    /// Keras's AUC computed directly: for each threshold `t` of the list, counts of `p > t`; then the ROC
    /// Riemann sum with mid-point heights, or the interpolated PR sum.
    static func referenceAUC(_ p: [Double], _ y: [Double], thresholds n: Int, curve: Metric.Curve) -> Double {
        let inner: [Double] = (1..<(n - 1)).map { Double($0) / Double(n - 1) }
        let thresholds: [Double] = [-1e-7] + inner + [1 + 1e-7]
        let clipped = p.map { min(max($0, 0), 1) }
        func count(_ t: Double, _ positive: Bool) -> Double {
            Double(zip(clipped, y).filter { $0.0 > t && ($0.1 != 0) == positive }.count)
        }
        let tp = thresholds.map { count($0, true) }
        let fp = thresholds.map { count($0, false) }
        let positives = Double(y.filter { $0 != 0 }.count)
        let negatives = Double(y.count) - positives
        var total = 0.0
        for i in 0..<(n - 1) {
            switch curve {
            case .roc:
                let x0: Double = fp[i] / negatives, x1: Double = fp[i + 1] / negatives
                let y0: Double = tp[i] / positives, y1: Double = tp[i + 1] / positives
                total += (x0 - x1) * (y0 + y1) / 2
            case .pr:
                let dtp: Double = tp[i] - tp[i + 1]
                let p0: Double = tp[i] + fp[i]
                let p1: Double = tp[i + 1] + fp[i + 1]
                let dp: Double = max(p0 - p1, 0)
                let slope: Double = dp == 0 ? 0 : dtp / dp
                let intercept: Double = tp[i + 1] - slope * p1
                let ratio: Double = p0 > 0 && p1 > 0 ? p0 / p1 : 1
                // Both data sets here have positives, so the denominator (all positives) is never 0.
                total += slope * (dtp + intercept * log(ratio)) / positives
            }
        }
        return total
    }

    @Test("AUC: Keras's thresholds, ROC and interpolated PR", arguments: [Metric.Curve.roc, .pr])
    func auc(_ curve: Metric.Curve) throws {
        for thresholds in [200, 7] {
            let expected = Self.referenceAUC(Self.p, Self.y, thresholds: thresholds, curve: curve)
            let got = try Self.value(.auc(thresholds: thresholds, curve: curve))
            #expect(isClose(got, expected, tolerance: Tolerance.float32), "\(curve) \(thresholds): \(got) vs \(expected)")
        }
        // Separable scores: the ROC area is 1 exactly; outputs outside [0, 1] are clipped first.
        let separable = try Self.value(.auc(thresholds: 200, curve: .roc), p: Self.column([-0.5, 0.1, 0.7, 1.8]),
                                       y: Self.column([0, 0, 1, 1]))
        #expect(separable == 1)
    }

    @Test("categorical, sparse and top-k accuracies")
    func categorical() throws {
        let p: [[Double]] = [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5], [0.3, 0.3, 0.4]]
        let oneHot: [[Double]] = [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]
        let classes: [[Double]] = [[1], [2], [0], [1]]
        // argmax hits rows 0 only; in the top 2: rows 0, 1 (0.3 has one above it), 3 (0.3 tied, one above).
        #expect(try Self.value(.categoricalAccuracy, p: p, y: oneHot, loss: .categoricalCrossentropy) == 0.25)
        #expect(try Self.value(.topKCategoricalAccuracy(k: 2), p: p, y: oneHot, loss: .categoricalCrossentropy) == 0.75)
        #expect(try Self.value(.topKCategoricalAccuracy(k: 1), p: p, y: oneHot, loss: .categoricalCrossentropy) == 0.25)
        #expect(try Self.value(.sparseCategoricalAccuracy, p: p, y: classes, loss: .sparseCategoricalCrossentropy) == 0.25)
        #expect(try Self.value(.sparseTopKCategoricalAccuracy(k: 2), p: p, y: classes,
                               loss: .sparseCategoricalCrossentropy) == 0.75)
        // A metric that reads one column per output cannot follow the sparse loss's class indices.
        #expect(throws: AnnealError.self) {
            try Self.value(.categoricalAccuracy, p: p, y: classes, loss: .sparseCategoricalCrossentropy)
        }
    }

    @Test("a loss as a metric has the loss's value; cosine_similarity is the loss negated")
    func lossesAsMetrics() throws {
        let p: [[Double]] = [[0.3, -1.2, 2.5], [1.1, 0.05, -0.4]]
        let y: [[Double]] = [[0.5, -1, 1.5], [2, 0, -0.7]]
        for kind in [Loss.Kind.meanAbsoluteError, .huber, .logCosh, .hinge, .cosineSimilarity] {
            let logs = try Self.evaluate(p: p, y: y, loss: Loss(kind), metrics: [(kind.rawValue, .mean(Loss(kind)))])
            let loss = try #require(logs["loss"]), metric = try #require(logs[kind.rawValue])
            #expect(isClose(metric, loss, tolerance: Tolerance.float32), "\(kind.rawValue)")
        }
        let logs = try Self.evaluate(p: p, y: y, loss: .cosineSimilarity, metrics: [("cosine", .cosineSimilarity)])
        #expect(isClose(try #require(logs["cosine"]), -(try #require(logs["loss"])), tolerance: Tolerance.float32))
    }

    @Test("metric names resolve with Keras's defaults and log under the name given")
    func names() throws {
        let expected: [String: Metric] = [
            "mae": .mean(.meanAbsoluteError), "binary_crossentropy": .mean(.binaryCrossentropy), "AUC": .auc,
            "auc": .auc, "precision": .precision, "Recall": .recall, "rmse": .rootMeanSquaredError,
            "RootMeanSquaredError": .rootMeanSquaredError, "top_k_categorical_accuracy": .topKCategoricalAccuracy(k: 5),
            "binary_accuracy": .binaryAccuracy(threshold: 0.5), "kld": .mean(.klDivergence),
        ]
        for (name, metric) in expected { #expect(try Metric(name: name) == metric, "\(name)") }
        #expect(throws: AnnealError.self) { try Metric(name: "f1_score") }
        let model = Sequential(seed: 1)
        try model.add(Dense(1, activation: .sigmoid, inputDimension: 2))
        try model.compile(optimizer: SGD(), loss: .binaryCrossentropy, metrics: ["mae", "AUC", "binary_crossentropy"])
        #expect(model.metricNames == ["mae", "AUC", "binary_crossentropy"])
        #expect(throws: AnnealError.self) {
            try model.compile(optimizer: SGD(), loss: .binaryCrossentropy, namedMetrics: [("auc", .auc), ("auc", .precision)])
        }
        let x = try Matrix([[0.5, -1], [1, 2], [-0.3, 0.2]])
        let logs = try model.evaluate(x, Matrix(column: [1, 0, 1]))
        // binary_crossentropy as a metric reads the logits, as the loss does: the same value.
        #expect(isClose(try #require(logs["binary_crossentropy"]), try #require(logs["loss"]), tolerance: Tolerance.float32))
    }

    @Test("fit logs every metric and its val_ twin, epoch after epoch")
    func fitLogs() throws {
        let x = try Support.randomMatrix(rows: 40, columns: 3, seed: 5)
        let y = Matrix(column: (0..<40).map { Float(($0 * 7) % 3 == 0 ? 1 : 0) })
        let model = Sequential(seed: 2)
        try model.add(Dense(4, activation: .gelu, inputDimension: 3))
        try model.add(Dense(1, activation: .sigmoid))
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: .binaryCrossentropy,
                          metrics: ["auc", "precision", "recall", "rmse", "mae"])
        let history = try model.fit(x, y, epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.25)
        for key in ["loss", "auc", "precision", "recall", "rmse", "mae", "val_loss", "val_auc", "val_precision",
                    "val_recall", "val_rmse", "val_mae"] {
            let values = try #require(history[key], "\(key) missing")
            #expect(values.count == 3 && values.allSatisfy(\.isFinite), "\(key): \(values)")
        }
        // The last epoch's validation values are evaluate's over the validation rows (the last 10).
        let validation = try model.evaluate(Matrix(rows: 10, columns: 3, values: Array(x.values[90...])),
                                            Matrix(column: Array(y.values[30...])), batchSize: 8)
        for key in ["auc", "precision", "recall", "rmse", "mae"] {
            #expect(isClose(try #require(history["val_" + key]?.last), try #require(validation[key]), tolerance: Tolerance.float32))
        }
    }
}
