import Foundation
import Testing
import Anneal

/// Replays the runs recorded from real Keras 2 (`Fixtures/*.json`) from their initial weights with
/// `shuffle: false`: every epoch value must follow Keras, with the optimizer each run names.
@Suite("Golden Keras runs")
struct GoldenParityTests {
    struct Replay {
        let history: History
        let effectiveRates: [Double]
        let model: Sequential
        let validationPredictions: Matrix
    }

    /// Every recorded run: the tutorial's three SGD experiments, one per other optimizer and setting, then the
    /// runs of other networks, losses and metrics (`Fixtures/golden/README.md`).
    static let runs = [
        "time", "step", "base", "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "adam_amsgrad",
        "rmsprop_momentum", "rmsprop_centered", "adam_decay", "adam_expdecay", "regression_mae",
        "regression_huber", "metrics_binary", "metrics_categorical", "metrics_sparse", "metrics_confusion",
        "metrics_auc_labels", "metrics_auc_methods", "metrics_thresholds",
    ]

    /// The run's data as its README describes it: the ionosphere features and 0/1 labels (class indices),
    /// except `metrics_categorical` (one-hot labels) and the regression runs (feature column 2 predicted from
    /// the other 33, plus 1 for `regression_huber`).
    static func data(_ name: String) throws -> (x: Matrix, y: Matrix) {
        let data = try Support.ionosphere()
        let x = data.featureMatrix, labels = data.labelMatrix
        switch name {
        case "metrics_categorical", "metrics_confusion", "metrics_auc_labels", "metrics_auc_methods":
            let oneHot = (0..<labels.rows).flatMap { labels[$0, 0] == 0 ? [Float(1), 0] : [0, 1] }
            return (x, try Matrix(rows: labels.rows, columns: 2, values: oneHot))
        case "regression_mae", "regression_huber":
            let shift: Float = name == "regression_huber" ? 1 : 0
            let inputs = (0..<x.rows).flatMap { row in (0..<x.columns).filter { $0 != 2 }.map { x[row, $0] } }
            return (try Matrix(rows: x.rows, columns: x.columns - 1, values: inputs),
                    Matrix(column: (0..<x.rows).map { x[$0, 2] + shift }))
        default:
            return (x, labels)
        }
    }

    static func replay(_ name: String) throws -> (GoldenRun, Replay) {
        let golden = try Support.golden(name)
        let (x, y) = try Self.data(name)
        let model = try golden.makeModel(inputs: x.columns)
        var effectiveRates: [Double] = []
        var callbacks: [any Callback] = [
            LambdaCallback(onEpochEnd: { _, _, model in
                effectiveRates.append(Double(model.optimizer?.effectiveLearningRate ?? .nan))
            }),
        ]
        if name == "step" {
            callbacks.insert(LearningRateScheduler(Support.tutorialStepDecay), at: 0)
        }
        let history = try model.fit(
            x, y, epochs: 50, batchSize: 28, verbose: 0, callbacks: callbacks, validationSplit: 0.33, shuffle: false)
        let validation = x.rows(235..<240)
        return (golden, Replay(history: history, effectiveRates: effectiveRates, model: model,
                               validationPredictions: try model.predict(validation)))
    }

    @Test("every epoch follows Keras", arguments: Self.runs)
    func epochs(name: String) throws {
        let (golden, replay) = try Self.replay(name)
        for (key, expected) in golden.history {
            let actual = try #require(replay.history[key], "History has no \(key)")
            #expect(actual.count == expected.count, "\(key): \(actual.count) epochs, Keras recorded \(expected.count)")
            for (epoch, (a, e)) in zip(actual, expected).enumerated() {
                #expect(isClose(a, e, tolerance: Tolerance.goldenEpochValue), "\(name) \(key) epoch \(epoch): \(a) vs Keras \(e)")
            }
        }
        for (epoch, (a, e)) in zip(replay.effectiveRates, golden.lrAfterEpoch).enumerated() {
            #expect(isClose(a, e, tolerance: Tolerance.goldenEpochValue), "\(name) effective rate after epoch \(epoch): \(a) vs \(e)")
        }
    }

    @Test("final weights and predictions follow Keras", arguments: Self.runs)
    func finalState(name: String) throws {
        let (golden, replay) = try Self.replay(name)
        let weights = replay.model.getWeights()
        #expect(weights.map(\.shape) == golden.finalWeights.map(\.shape))
        for (index, (a, e)) in zip(weights, golden.finalWeights).enumerated() {
            let worst = zip(a.values, e.values).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst <= Tolerance.goldenFinalWeight, "\(name) weight \(index) differs by up to \(worst)")
        }
        #expect(replay.validationPredictions.values.count == golden.firstValidationPredictions.count)
        for (index, (a, expected)) in zip(replay.validationPredictions.values, golden.firstValidationPredictions).enumerated() {
            let actual = Double(a)
            #expect(isClose(actual, expected, tolerance: Tolerance.goldenEpochValue), "\(name) prediction \(index): \(actual) vs \(expected)")
        }
    }
}
