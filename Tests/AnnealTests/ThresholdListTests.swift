import Foundation
import Testing

@testable import Anneal

/// Precision and Recall at a list of thresholds in `compile`: one metric per threshold logged as `name[i]`,
/// presented as Keras's one array `name` by the progress bar (its mean), CSVLogger (`"[a, b]"`) and the
/// monitoring callbacks (an error, as Keras's); by hand and against tf_keras 2.21 (`metrics_thresholds.json`).
@Suite("Precision / Recall at a list of thresholds")
struct ThresholdListTests {
    /// Outputs sigmoid(x) = 0.2, 0.4, 0.6, 0.8 for labels 0, 1, 0, 1 (one input, kernel 1, bias 0). At 0.3:
    /// 0.4, 0.6, 0.8 positive, TP 2, FP 1, FN 0; at 0.7: 0.8 positive, TP 1, FP 0, FN 1. So precision
    /// [2/3, 1], recall [1, 1/2]; the progress bar prints their means 0.8333 and 0.7500.
    static let x = Matrix(column: [0.2, 0.4, 0.6, 0.8].map { Float(log($0 / (1 - $0))) })
    static let y = Matrix(column: [0, 1, 0, 1])
    static let precision: [Double] = [Double(Float(2) / 3), 1]
    static let recall: [Double] = [1, 0.5]

    /// The model above, compiled with learning rate 0 so that every epoch sees the same outputs.
    static func model() throws -> Sequential {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, activation: .sigmoid, inputDimension: 1))
        try model.setWeights([WeightTensor(shape: [1, 1], values: [1]), WeightTensor(shape: [1], values: [0])])
        let metrics = Metric.perThreshold("precision", thresholds: [0.3, 0.7]) { .precision(threshold: $0) }
            + Metric.perThreshold("recall", thresholds: [0.3, 0.7]) { .recall(threshold: $0) }
        try model.compile(optimizer: SGD(learningRate: 0), loss: .binaryCrossentropy, namedMetrics: metrics)
        return model
    }

    @Test("one metric per threshold, logged name[i]; the entries are Keras's arrays")
    func handWorkedLogs() throws {
        let model = try Self.model()
        #expect(model.metricNames == ["precision[0]", "precision[1]", "recall[0]", "recall[1]"])
        let history = try model.fit(Self.x, Self.y, epochs: 2, batchSize: 4, verbose: 0,
                                    validationData: (Self.x, Self.y), shuffle: false)
        for prefix in ["", "val_"] {
            for (name, expected) in [("precision", Self.precision), ("recall", Self.recall)] {
                for (index, value) in expected.enumerated() {
                    #expect(history[Logs.elementKey(prefix + name, index)] == [value, value])
                }
            }
        }
        let logs = try model.evaluate(Self.x, Self.y)
        #expect(logs.entries.map(\.key) == ["loss", "precision", "recall"])
        #expect(logs.entries[1].values == Self.precision && logs.entries[2].values == Self.recall)
        // One threshold is one metric under its own name: Keras's result is then a number.
        #expect(Metric.perThreshold("p", thresholds: [0.6]) { .precision(threshold: $0) }.map(\.name) == ["p"])
    }

    @Test("a run of two or more consecutive name[0], name[1]... is one entry; anything else is a key of its own")
    func grouping() {
        var logs = Logs()
        for (key, value) in [("a[0]", 1.0), ("a[1]", 2), ("a[2]", 3), ("b[0]", 4), ("c[1]", 5), ("c[0]", 6),
                             ("d[0]", 7), ("d[2]", 8), ("e[0]x", 9), ("[0]", 10), ("[1]", 11)] {
            logs[key] = value
        }
        #expect(logs.entries == [
            .init(key: "a", values: [1, 2, 3]), .init(key: "b[0]", values: [4]), .init(key: "c[1]", values: [5]),
            .init(key: "c[0]", values: [6]), .init(key: "d[0]", values: [7]), .init(key: "d[2]", values: [8]),
            .init(key: "e[0]x", values: [9]), .init(key: "[0]", values: [10]), .init(key: "[1]", values: [11]),
        ])
    }

    @Test("the progress bar prints an array's mean, as Keras's Progbar (np.mean of the float32 values)")
    func progressText() throws {
        let model = try Self.model()
        var text = ""
        model.output = { text += $0 }
        try model.fit(Self.x, Self.y, epochs: 1, batchSize: 4, verbose: 2, validationData: (Self.x, Self.y), shuffle: false)
        #expect(text.contains(" - precision: 0.8333 - recall: 0.7500 - val_loss: "), "\(text)")
        #expect(text.contains(" - val_precision: 0.8333 - val_recall: 0.7500 - "), "\(text)")
        // numpy's pairwise sum: eight running sums from 8 values on, so np.sum of these is 3.7099998, not the
        // in-order 3.71 (both recorded from numpy 2.4).
        let values: [Float] = [0.09, 0.24, 0.8, 0.58, 0.09, 0.43, 0.48, 0.16, 0.73, 0.11]
        #expect(ProgressLogger.pairwiseSum(values[...]) == 3.7099998)
        #expect(values.reduce(0, +) == 3.71)
    }

    @Test("CSVLogger writes an array as Keras's handle_value, quoted again by the csv module")
    func csvText() throws {
        try Support.withTemporaryDirectory { folder in
            let path = folder + "/log.csv"
            let model = try Self.model()
            try model.fit(Self.x, Self.y, epochs: 1, batchSize: 4, verbose: 0, callbacks: [try CSVLogger(filename: path)],
                          shuffle: false)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n")
            #expect(lines[0] == "epoch,loss,precision,recall")
            #expect(lines[1].hasSuffix(",\"\"\"[0.6666667, 1.0]\"\"\",\"\"\"[1.0, 0.5]\"\"\""), "\(lines[1])")
        }
    }

    @Test("monitoring an array is an error, as Keras's ValueError; a checkpoint path cannot name one")
    func monitors() throws {
        let callbacks: [(any Callback, String)] = [
            (try EarlyStopping(monitor: "precision"), "EarlyStopping cannot monitor 'precision'"),
            (try ReduceLROnPlateau(monitor: "val_recall"), "ReduceLROnPlateau cannot monitor 'val_recall'"),
            (try ModelCheckpoint(filepath: "/nonexistent/w.h5", monitor: "recall", saveBestOnly: true),
             "ModelCheckpoint cannot monitor 'recall'"),
            (try ModelCheckpoint(filepath: "/nonexistent/w_{precision:.2f}.h5"), "names {precision}, a metric of several thresholds"),
        ]
        for (callback, message) in callbacks {
            let model = try Self.model()
            expectAnnealError(.invalidArgument, mentioning: [message]) {
                try model.fit(Self.x, Self.y, epochs: 1, batchSize: 4, verbose: 0, callbacks: [callback],
                              validationData: (Self.x, Self.y), shuffle: false)
            }
        }
        // Before start_from_epoch the value is not read, as Keras's.
        let model = try Self.model()
        try model.fit(Self.x, Self.y, epochs: 2, batchSize: 4, verbose: 0,
                      callbacks: [try EarlyStopping(monitor: "precision", startFromEpoch: 5)], shuffle: false)
    }

    @Test("a model file keeps the thresholds: the same metrics and logs after loading")
    func saveLoad() throws {
        try Support.withTemporaryDirectory { folder in
            let model = try Self.model()
            try model.save(to: folder + "/model")
            let loaded = try Sequential(contentsOf: folder + "/model")
            #expect(loaded.compiledMetrics.map(\.name) == model.compiledMetrics.map(\.name))
            #expect(loaded.compiledMetrics.map(\.metric) == model.compiledMetrics.map(\.metric))
            #expect(try loaded.evaluate(Self.x, Self.y).entries == (try model.evaluate(Self.x, Self.y)).entries)
        }
    }

    @Test("metrics_thresholds after its fit: evaluate, its verbose=2 line and CSVLogger's text follow Keras")
    func goldenAfterFit() throws {
        let (_, replay) = try GoldenParityTests.replay("metrics_thresholds")
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/metrics_thresholds.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let model = replay.model
        let (x, y) = try GoldenParityTests.data("metrics_thresholds")
        let logs = try model.evaluate(x.rows(235..<351), y.rows(235..<351), batchSize: 28)
        let recorded = try #require(root["evaluate_dict"] as? [String: Any])
        #expect(logs.entries.map(\.key) == ["loss", "precision", "recall_3", "precision_one"])
        for entry in logs.entries {
            let expected = (recorded[entry.key] as? [Double]) ?? [(recorded[entry.key] as? Double) ?? .nan]
            #expect(entry.values.count == expected.count, "\(entry.key)")
            for (a, e) in zip(entry.values, expected) {
                #expect(isClose(a, e, tolerance: Tolerance.goldenEpochValue), "evaluate \(entry.key): \(a) vs Keras \(e)")
            }
        }
        // evaluate's line is the progress logger's over one epoch of its 5 batches; the timings cut as recorded.
        var text = ""
        model.output = { text += $0 }
        let logger = try ProgressLogger(verbose: 2, epochs: 1, steps: 5)
        var evaluated = logs
        try logger.onEpochBegin(0, model: model)
        try logger.onEpochEnd(0, logs: &evaluated, model: model)
        let line = text.trimmingCharacters(in: .newlines).replacing(/\ -\ \d+s\ -\ /, with: " - ")
            .replacing(/\ -\ \d+[mu]?s\/epoch\ -\ \d+[mu]?s\/step$/, with: "")
        #expect(line == root["evaluate_line"] as? String)

        try Support.withTemporaryDirectory { folder in
            let path = folder + "/log.csv"
            try model.fit(x, y, epochs: 2, batchSize: 28, verbose: 0, callbacks: [try CSVLogger(filename: path)],
                          validationSplit: 0.33, shuffle: false)
            let rows = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n")
            let expected = try #require(root["csv_text"] as? String).components(separatedBy: "\r\n")
            #expect(rows.count == expected.count && rows[0] == expected[0])
            for (row, keras) in zip(rows.dropFirst(), expected.dropFirst()) {
                #expect(Self.numbers(row).count == Self.numbers(keras).count, "\(row) vs Keras \(keras)")
                for (a, e) in zip(Self.numbers(row), Self.numbers(keras)) {
                    #expect(isClose(a, e, tolerance: Tolerance.goldenEpochValue), "CSV \(row) vs Keras \(keras)")
                }
                // The layout (quotes, brackets, separators) is Keras's exactly.
                #expect(row.replacing(/[0-9.e+-]+/, with: "n") == keras.replacing(/[0-9.e+-]+/, with: "n"))
            }
        }
    }

    /// The numbers in a CSV row, in order.
    static func numbers(_ row: String) -> [Double] {
        row.matches(of: /[0-9.e+-]+/).compactMap { Double($0.output) }
    }
}
