import Foundation
import Testing
@testable import Anneal

/// Whole-model save keeps every metric's name, kind and parameters: a loaded model logs the same metrics and
/// trains on bit for bit.
@Suite("Metric save and load")
struct MetricSaveTests {
    static let metrics: [(name: String, metric: Metric)] = [
        ("accuracy", .accuracy), ("acc_at_0.3", .binaryAccuracy(threshold: 0.3)), ("p 70%", .precision(threshold: 0.7)),
        ("recall", .recall(threshold: 0.25)), ("pr,auc=", .auc(thresholds: 37, curve: .pr)), ("auc", .auc),
        ("mae", .mean(.meanAbsoluteError)), ("rmse", .rootMeanSquaredError), ("bce", .mean(Loss(.binaryCrossentropy, labelSmoothing: 0.1))),
        ("données", .cosineSimilarity), ("precision", .precision(threshold: Metric.negativeInfinity, topK: 1)),
        ("r0", .recall(threshold: 0.4, topK: 1, classId: 0)),
        ("ml", .auc(thresholds: 30, curve: .pr, multiLabel: true, labelWeights: [0.5])), ("lw", .auc(thresholds: 200, curve: .roc, labelWeights: [2])),
        ("minor", .auc(thresholds: 9, curve: .pr, summation: .minoring)),
        ("tv", .auc(thresholdValues: [0.7, 0.2], curve: .roc, summation: .majoring, fromLogits: true)),
    ]

    static func model() throws -> Sequential {
        let model = Sequential(seed: 5)
        try model.add(Dense(6, activation: .relu, inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid))
        try model.compile(optimizer: Adam(learningRate: 0.01), loss: .binaryCrossentropy, namedMetrics: metrics)
        return model
    }

    @Test("names, kinds and parameters round-trip; fit goes on bit for bit with the same logs")
    func roundTrip() throws {
        let data = try Support.ionosphere()
        let x = data.featureMatrix, y = data.labelMatrix
        let straight = try Self.model()
        _ = try straight.fit(x, y, epochs: 1, batchSize: 32, verbose: 0, validationSplit: 0.2)
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/metrics.anneal"
            try straight.save(to: path)
            let text = try straight.describe().text
            #expect(text.contains("metric name=pr%2Cauc%3D kind=auc num_thresholds=37 curve=PR"))
            #expect(text.contains("metric name=p%2070%25 kind=precision threshold=0.7"))
            #expect(text.contains("metric name=accuracy kind=binary_accuracy threshold=0.5"))
            #expect(text.contains("metric name=donn%C3%A9es kind=cosine_similarity"))
            #expect(text.contains("metric name=r0 kind=recall threshold=0.4 top_k=1 class_id=0"))
            #expect(text.contains("metric name=ml kind=auc num_thresholds=30 curve=PR multi_label=true num_labels=1 label_weights=0.5"))
            #expect(text.contains("metric name=minor kind=auc num_thresholds=9 curve=PR summation_method=minoring\n"))
            #expect(text.contains("metric name=tv kind=auc num_thresholds=4 curve=ROC summation_method=majoring thresholds=0.2,0.7 from_logits=true"))
            let resumed = try Sequential(contentsOf: path)
            #expect(resumed.metricNames == straight.metricNames)
            #expect(resumed.metrics.map(\.metric) == straight.metrics.map(\.metric))
            let expected = try straight.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            let history = try resumed.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            #expect(history.history == expected.history)
            #expect(resumed.getWeights().map { $0.values.map(\.bitPattern) } == straight.getWeights().map { $0.values.map(\.bitPattern) })
        }
    }

    @Test("a file without metric records compiles the names at Keras's defaults; a bad record is a corrupt file")
    func olderAndCorruptFiles() throws {
        let model = try Self.model()
        let full = try model.describe()
        // The older form: no `metric` records, names only.
        var older = full
        older.records.removeAll { $0.kind == "metric" }
        older.records = older.records.map { record in
            guard record.kind == "compile" else { return record }
            var copy = record
            copy.fields = copy.fields.map { $0.key == "metrics" ? (key: "metrics", value: "accuracy,auc,mae") : $0 }
            return copy
        }
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/old.anneal"
            try ModelFile.write(description: older.text, tensors: model.getWeights(), to: path)
            let loaded = try Sequential(contentsOf: path)
            #expect(loaded.metricNames == ["accuracy", "auc", "mae"])
            #expect(loaded.metrics.map(\.metric) == [.binaryAccuracy, .auc, .mean(.meanAbsoluteError)])
            for (find, replace) in [("kind=auc num_thresholds=37", "kind=auc num_thresholds=1"), ("curve=PR", "curve=XY"),
                                    ("kind=recall", "kind=nonsense"), ("name=mae", "name=%zz"),
                                    ("threshold=0.7", "threshold=seven")] {
                let bad = full.text.replacingOccurrences(of: find, with: replace)
                #expect(bad != full.text, "\(find)")
                let badPath = directory + "/bad.anneal"
                try ModelFile.write(description: bad, tensors: model.getWeights(), to: badPath)
                #expect { try Sequential(contentsOf: badPath) } throws: { ($0 as? AnnealError)?.kind == .corruptFile }
            }
        }
    }
}
