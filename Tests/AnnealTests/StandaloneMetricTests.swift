import Foundation
import Testing
@testable import Anneal

/// Metric objects on their own (`StandaloneMetric`): the same state and result as `evaluate` logs, values at
/// hand-worked points, weights as Keras's `sample_weight`, merge, reset, and refusals instead of traps.
@Suite("Standalone metrics")
struct StandaloneMetricTests {
    static let p: [Float] = [0.9, 0.2, 0.65, 0.4, 0.05, 0.8, 0.5, 0.3]
    static let y: [Float] = [1, 0, 0, 1, 0, 1, 1, 0]

    /// Updates `metric` with `p` and `y` (rows of `units`, labels of `width`) in batches of 3, as evaluate's.
    static func batched(_ metric: StandaloneMetric, p: [Float], y: [Float], units: Int, width: Int) throws {
        let rows = p.count / units
        var start = 0
        while start < rows {
            let count = min(3, rows - start)
            try y.withUnsafeBufferPointer { labels in
                try p.withUnsafeBufferPointer { outputs in
                    try metric.update(yTrue: labels.baseAddress! + start * width, yPred: outputs.baseAddress! + start * units,
                                      rows: count, units: units)
                }
            }
            start += count
        }
    }

    static func update(_ metric: StandaloneMetric, _ y: [Float], _ p: [Float], units: Int = 1, weights: [Float]? = nil) throws {
        try y.withUnsafeBufferPointer { labels in
            try p.withUnsafeBufferPointer { outputs in
                if let weights {
                    try weights.withUnsafeBufferPointer {
                        try metric.update(yTrue: labels.baseAddress!, yPred: outputs.baseAddress!, rows: p.count / units,
                                          units: units, sampleWeight: $0.baseAddress!)
                    }
                } else {
                    try metric.update(yTrue: labels.baseAddress!, yPred: outputs.baseAddress!, rows: p.count / units, units: units)
                }
            }
        }
    }

    /// An identity model whose outputs are its inputs, evaluated in batches of 3.
    static func evaluated(_ metric: Metric, p: [Float], y: [Float], units: Int, width: Int, loss: Loss) throws -> Double {
        let model = Sequential(seed: 1)
        try model.add(Dense(units, useBias: false, inputDimension: units))
        try model.setWeights([WeightTensor(shape: [units, units], values: (0..<(units * units)).map { Float($0 / units == $0 % units ? 1 : 0) })])
        try model.compile(optimizer: SGD(), loss: loss, namedMetrics: [("m", metric)])
        let rows = p.count / units
        let logs = try model.evaluate(Matrix(rows: rows, columns: units, values: p), Matrix(rows: rows, columns: width, values: y),
                                      batchSize: 3)
        return try #require(logs["m"])
    }

    static let binary: [Metric] = [
        .binaryAccuracy, .binaryAccuracy(threshold: 0.35), .precision, .precision(threshold: 0.3), .recall(threshold: 0.7),
        .auc, .auc(thresholds: 7, curve: .pr), .auc(thresholds: 50, curve: .roc), .rootMeanSquaredError,
        .mean(.meanAbsoluteError), .mean(.meanSquaredError), .mean(.huber), .mean(.logCosh), .cosineSimilarity,
    ]

    @Test("one output: the value evaluate logs, to the bit", arguments: 0..<binary.count)
    func matchesEvaluate(_ index: Int) throws {
        let metric = Self.binary[index]
        let standalone = try StandaloneMetric(metric)
        try Self.batched(standalone, p: Self.p, y: Self.y, units: 1, width: 1)
        let logged = try Self.evaluated(metric, p: Self.p, y: Self.y, units: 1, width: 1, loss: .meanSquaredError)
        #expect(Double(standalone.result()) == logged, "\(metric)")
    }

    static let scores: [Float] = [0.1, 0.6, 0.3, 0.5, 0.2, 0.3, 0.2, 0.2, 0.6, 0.7, 0.1, 0.2]
    static let oneHot: [Float] = [0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]
    static let indices: [Float] = [1, 0, 2, 1]

    @Test("several outputs: categorical, top-k and their sparse forms as evaluate logs them")
    func categorical() throws {
        for metric in [Metric.categoricalAccuracy, .topKCategoricalAccuracy(k: 1), .topKCategoricalAccuracy(k: 2)] {
            let standalone = try StandaloneMetric(metric)
            try Self.batched(standalone, p: Self.scores, y: Self.oneHot, units: 3, width: 3)
            let logged = try Self.evaluated(metric, p: Self.scores, y: Self.oneHot, units: 3, width: 3, loss: .categoricalCrossentropy)
            #expect(Double(standalone.result()) == logged, "\(metric)")
        }
        for metric in [Metric.sparseCategoricalAccuracy, .sparseTopKCategoricalAccuracy(k: 2), .mean(.sparseCategoricalCrossentropy)] {
            let standalone = try StandaloneMetric(metric)
            #expect(standalone.labelWidth(units: 3) == 1)
            try Self.batched(standalone, p: Self.scores, y: Self.indices, units: 3, width: 1)
            let logged = try Self.evaluated(metric, p: Self.scores, y: Self.indices, units: 3, width: 1, loss: .sparseCategoricalCrossentropy)
            #expect(abs(Double(standalone.result()) - logged) <= 1e-6 * max(1, abs(logged)), "\(metric)")
        }
        // Hand-worked: argmaxes 1, 0, 0, 1 against labels 1, 0, 2, 1.
        let accuracy = try StandaloneMetric(.sparseCategoricalAccuracy)
        try Self.update(accuracy, Self.indices, Self.scores, units: 3)
        #expect(accuracy.result() == 0.75)
    }

    @Test("hand-worked values: AUC, precision, recall, rmse")
    func handWorked() throws {
        // ROC AUC of scores 0.1, 0.4 (negatives) and 0.35, 0.8 (positives): 3 of 4 pairs ordered, 0.75.
        let auc = try StandaloneMetric(.auc)
        try Self.update(auc, [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        #expect(abs(auc.result() - 0.75) < 1e-6)
        // Above 0.3: 0.4 (negative), 0.35 and 0.8 (positives): precision 2/3, recall 2/2.
        let precision = try StandaloneMetric(.precision(threshold: 0.3))
        try Self.update(precision, [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        #expect(precision.result() == Float(2) / 3)
        let recall = try StandaloneMetric(.recall(threshold: 0.5))
        try Self.update(recall, [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        #expect(recall.result() == 0.5)
        let rmse = try StandaloneMetric(.rootMeanSquaredError)
        try Self.update(rmse, [1, 2, 3, 4], [1, 2, 3, 6], units: 2)
        #expect(rmse.result() == 1)  // sqrt(4 / 4)
        #expect(try StandaloneMetric(.auc).result() == 0)  // before any update
    }

    @Test("sample weights as Keras weighs them")
    func weighted() throws {
        // binary_accuracy: rows right, wrong, right with weights 1, 3, 0.5: (1 + 0.5) / 4.5.
        let accuracy = try StandaloneMetric(.binaryAccuracy)
        try Self.update(accuracy, [1, 0, 0], [0.7, 0.6, 0.2], weights: [1, 3, 0.5])
        #expect(abs(accuracy.result() - Float(1.5 / 4.5)) < 1e-7)
        // mae of |1 - 2| and |2 - 4| weighted 2 and 1: (2 + 2) / 3.
        let mae = try StandaloneMetric(.mean(.meanAbsoluteError))
        try Self.update(mae, [1, 2], [2, 4], weights: [2, 1])
        #expect(abs(mae.result() - Float(4) / 3) < 1e-6)
        // precision at 0.5: predicted positive 0.9 (positive, weight 2) and 0.6 (negative, weight 1): 2/3.
        let precision = try StandaloneMetric(.precision)
        try Self.update(precision, [1, 0, 1], [0.9, 0.6, 0.1], weights: [2, 1, 5])
        #expect(abs(precision.result() - Float(2) / 3) < 1e-7)
        // rmse: errors 1 and 2 (weights 3 and 1) on one output: sqrt((3 + 4) / 4).
        let rmse = try StandaloneMetric(.rootMeanSquaredError)
        try Self.update(rmse, [0, 0], [1, 2], weights: [3, 1])
        #expect(abs(rmse.result() - Float(7.0 / 4).squareRoot()) < 1e-6)
        // Weights of 1 give the unweighted value.
        let plain = try StandaloneMetric(.auc(thresholds: 20, curve: .pr)), ones = try StandaloneMetric(.auc(thresholds: 20, curve: .pr))
        try Self.update(plain, Self.y, Self.p)
        try Self.update(ones, Self.y, Self.p, weights: [Float](repeating: 1, count: Self.p.count))
        #expect(abs(plain.result() - ones.result()) < 1e-6)
    }

    @Test("reset forgets, merge adds another's state")
    func resetAndMerge() throws {
        let whole = try StandaloneMetric(.auc(thresholds: 30, curve: .pr))
        try Self.update(whole, Self.y, Self.p)
        let first = try StandaloneMetric(.auc(thresholds: 30, curve: .pr)), second = try StandaloneMetric(.auc(thresholds: 30, curve: .pr))
        try Self.update(first, Array(Self.y[..<5]), Array(Self.p[..<5]))
        try Self.update(second, Array(Self.y[5...]), Array(Self.p[5...]))
        try first.merge(second)
        #expect(first.result() == whole.result())
        #expect(first.rows == 8)
        #expect(throws: AnnealError.self) { try first.merge(try StandaloneMetric(.auc)) }
        first.reset()
        #expect(first.result() == 0 && first.rows == 0)
        try Self.update(first, [1, 0], [0.9, 0.1])
        #expect(first.result() == 1)
    }

    /// tf_keras 2.21's values (python/tests/test_metric_objects.py records them): rows with a tie at row 1,
    /// which tf.math.top_k breaks towards the lower index.
    static let limitLabels: [Float] = [0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    static let limitScores: [Float] = [
        0.9186109304428101, 0.48841118812561035, 0.6117438673973083, 0.765907883644104,
        0.51841801404953, 0.29680049419403076, 0.51841801404953, 0.0807412713766098,
        0.7384402751922607, 0.44130921363830566, 0.15830986201763153, 0.8799370527267456,
        0.27408647537231445, 0.41423502564430237, 0.29607993364334106, 0.6287879347801208,
        0.5798377990722656, 0.5999292135238647, 0.26581913232803345, 0.284685879945755,
        0.2535881996154785, 0.32756394147872925, 0.1441642940044403, 0.1656128615140915,
    ]

    @Test("precision and recall with top_k and class_id as tf_keras computes them")
    func topKAndClassId() throws {
        let cases: [(Metric, Float, Float)] = [
            (.precision(threshold: Metric.negativeInfinity, topK: 2), 0.3333333432674408, 0.2916666567325592),
            (.recall(threshold: Metric.negativeInfinity, topK: 1), 0.1666666716337204, 0.0833333358168602),
            (.precision(threshold: 0.5, classId: 3), 0.6666666865348816, 1.0),
            (.recall(threshold: 0.4, classId: 0), 0, 0),
            (.precision(threshold: 0.5, topK: 2, classId: 2), 1, 1),
        ]
        let weights: [Float] = [1, 2, 0.5, 0, 1.5, 1]
        for (metric, plain, weighted) in cases {
            let first = try StandaloneMetric(metric), second = try StandaloneMetric(metric)
            try Self.update(first, Self.limitLabels, Self.limitScores, units: 4)
            try Self.update(second, Self.limitLabels, Self.limitScores, units: 4, weights: weights)
            #expect(abs(first.result() - plain) < 1e-6, "\(metric)")
            #expect(abs(second.result() - weighted) < 1e-6, "\(metric)")
        }
        let outOfRange = try StandaloneMetric(.recall(threshold: 0.5, classId: 4))
        #expect(throws: AnnealError.self) { try Self.update(outOfRange, Self.limitLabels, Self.limitScores, units: 4) }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.precision(threshold: 0.5, topK: 0)) }
        // A model checks class_id against its outputs at compile.
        let model = Sequential(seed: 1)
        try model.add(Dense(4, activation: .softmax, inputDimension: 4))
        #expect(throws: AnnealError.self) {
            try model.compile(optimizer: SGD(), loss: .categoricalCrossentropy, namedMetrics: [("p", .precision(threshold: 0.5, classId: 4))])
        }
    }

    /// tf_keras 2.21's AUC over three outputs (python/tests/test_metric_objects.py records them).
    static let labels3: [Float] = [0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0]
    static let scores3: [Float] = [
        0.9509640336036682, 0.038748376071453094, 0.6991074085235596, 0.5727598071098328, 0.8980070948600769,
        0.6668989658355713, 0.5478377938270569, 0.7024274468421936, 0.38647717237472534, 0.6944386959075928,
        0.8248704671859741, 0.4656684696674347, 0.9405243992805481, 0.8037397861480713, 0.9833592772483826,
        0.16963626444339752, 0.521084725856781, 0.9455174207687378, 0.6495404839515686, 0.8608319163322449,
        0.9708459973335266, 0.18554168939590454, 0.24311567842960358, 0.873400866985321,
    ]

    @Test("AUC with multi_label and label_weights as tf_keras computes it")
    func aucLabels() throws {
        let cases: [(Metric, Float, Float)] = [
            (.auc(thresholds: 200, curve: .roc, multiLabel: true), 0.6023809313774109, 0.4877290725708008),
            (.auc(thresholds: 200, curve: .pr, multiLabel: true, labels: 3), 0.458319753408432, 0.5398604273796082),
            (.auc(thresholds: 200, curve: .roc, labelWeights: [0.2, 1, 0.5]), 0.6333606243133545, 0.6412254571914673),
            (.auc(thresholds: 20, curve: .roc, multiLabel: true, labelWeights: [2, 0, 1]), 0.49444445967674255, 0.36281678080558777),
            (.auc(thresholds: 200, curve: .pr, labelWeights: [1, 0.5, 2]), 0.4340702295303345, 0.5400616526603699),
        ]
        let weights: [Float] = [1, 2, 0.5, 0, 1.5, 1, 3, 0.25]
        for (metric, plain, weighted) in cases {
            let first = try StandaloneMetric(metric), second = try StandaloneMetric(metric)
            try Self.update(first, Self.labels3, Self.scores3, units: 3)
            try Self.update(second, Self.labels3, Self.scores3, units: 3, weights: weights)
            #expect(abs(first.result() - plain) < 2e-6, "\(metric)")
            #expect(abs(second.result() - weighted) < 2e-6, "\(metric)")
        }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.auc(thresholds: 200, curve: .roc, labels: 3)) }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.auc(thresholds: 200, curve: .roc, labelWeights: [-1])) }
        let mismatch = try StandaloneMetric(.auc(thresholds: 200, curve: .roc, labelWeights: [1, 2]))
        #expect(throws: AnnealError.self) { try Self.update(mismatch, Self.labels3, Self.scores3, units: 3) }
        // A model gives a multi-label auc its outputs as labels; weights must match them.
        let model = Sequential(seed: 1)
        try model.add(Dense(3, activation: .sigmoid, inputDimension: 3))
        try model.compile(optimizer: SGD(), loss: .binaryCrossentropy, namedMetrics: [("m", .auc(thresholds: 200, curve: .roc, multiLabel: true))])
        #expect(model.compiledMetrics[0].metric == .auc(thresholds: 200, curve: .roc, multiLabel: true, labels: 3))
        #expect(throws: AnnealError.self) {
            try model.compile(optimizer: SGD(), loss: .binaryCrossentropy,
                              namedMetrics: [("m", .auc(thresholds: 200, curve: .roc, labelWeights: [1, 2]))])
        }
    }

    @Test("bad input is refused, nothing added")
    func refusals() throws {
        #expect(throws: AnnealError.self) { try StandaloneMetric(.accuracy) }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.auc(thresholds: 1, curve: .roc)) }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.topKCategoricalAccuracy(k: 0)) }
        let auc = try StandaloneMetric(.auc)
        #expect(throws: AnnealError.self) { try Self.update(auc, [1], [.nan]) }
        #expect(throws: AnnealError.self) { try Self.update(auc, [.infinity], [0.5]) }
        #expect(throws: AnnealError.self) { try Self.update(auc, [1], [0.5], weights: [-1]) }
        #expect(auc.rows == 0 && auc.units == nil)
        try Self.update(auc, [1, 0], [0.5, 0.5], units: 2)
        #expect(throws: AnnealError.self) { try Self.update(auc, [1], [0.5], units: 1) }
        let sparse = try StandaloneMetric(.mean(.sparseCategoricalCrossentropy))
        #expect(throws: AnnealError.self) { try Self.update(sparse, [3], [0.2, 0.3, 0.5], units: 3) }
        #expect(throws: AnnealError.self) { try Self.update(sparse, [0.5], [0.2, 0.3, 0.5], units: 3) }
        #expect(sparse.rows == 0)
    }
}
