import Foundation
import Testing
@testable import Anneal

/// The rest of Keras's AUC at hand-worked points: summation_method minoring and majoring, an explicit
/// thresholds list (unclipped counts; bucketed when evenly spaced) and from_logits, and their refusals.
@Suite("AUC summation, thresholds and from_logits")
struct AUCMethodTests {
    /// Labels 1, 0, 1, 0 and outputs 0.7, 0.6, -0.3, 1.5 (two outside [0, 1]).
    static let y: [Float] = [1, 0, 1, 0]
    static let p: [Float] = [0.7, 0.6, -0.3, 1.5]

    static func value(_ metric: Metric, _ y: [Float] = y, _ p: [Float] = p) throws -> Float {
        let object = try StandaloneMetric(metric)
        try object.update(yTrue: Matrix(column: y), yPred: Matrix(column: p))
        return object.result()
    }

    @Test("thresholds [0.4]: -1e-7, 0.4, 1 + 1e-7 count the unclipped outputs")
    func explicitThresholds() throws {
        // -1e-7 and 0.4: 0.7, 0.6, 1.5 are positive (TP 1, FP 2: TPR 1/2, FPR 1); 1 + 1e-7: only 1.5 (TPR 0,
        // FPR 1/2). -0.3 is below every threshold (clipped to 0, it would count at -1e-7).
        let roc = Metric.auc(thresholdValues: [0.4], curve: .roc)
        #expect(roc == .auc(thresholds: 3, curve: .roc, thresholdValues: [0.4]))
        #expect(try Self.value(roc) == 0.125)  // (1 - 1/2) (1/2 + 0) / 2
        #expect(try Self.value(.auc(thresholdValues: [0.4], curve: .roc, summation: .majoring)) == 0.25)
        #expect(try Self.value(.auc(thresholdValues: [0.4], curve: .roc, summation: .minoring)) == 0)
        // PR: x recall (1/2, 1/2, 0), y precision (1/3, 1/3, 0).
        #expect(abs(try Self.value(.auc(thresholdValues: [0.4], curve: .pr, summation: .majoring)) - 1.0 / 6) < 1e-7)
        #expect(try Self.value(.auc(thresholdValues: [0.4], curve: .pr, summation: .minoring)) == 0)
        // Sorted as Keras sorts them.
        #expect(Metric.auc(thresholdValues: [0.9, 0.1], curve: .roc) == .auc(thresholdValues: [0.1, 0.9], curve: .roc))
    }

    @Test("evenly spaced thresholds are Keras's bucketed, clipped counts: [0.5] is num_thresholds=3")
    func evenThresholds() throws {
        // Clipped, -0.3 is 0 and counts at -1e-7 (TPR 1, FPR 1); 0.5: 0.7, 0.6, 1 (TPR 1/2, FPR 1); 1 + 1e-7: none.
        #expect(try Self.value(.auc(thresholdValues: [0.5], curve: .roc)) == 0.25)
        #expect(try Self.value(.auc(thresholds: 3, curve: .roc)) == 0.25)
        #expect(Metric.evenlySpaced([0.25, 0.5, 0.75]) && !Metric.evenlySpaced([0.25, 0.5, 0.76]))
    }

    @Test("from_logits: the sigmoid of the outputs is counted")
    func fromLogits() throws {
        // sigmoid(0.2) = 0.55 and sigmoid(-0.1) = 0.475 split at 0.5 (area 1); clipped, 0.2 and 0 do not (1/2).
        #expect(try Self.value(.auc(thresholds: 3, curve: .roc, fromLogits: true), [1, 0], [0.2, -0.1]) == 1)
        #expect(try Self.value(.auc(thresholds: 3, curve: .roc), [1, 0], [0.2, -0.1]) == 0.5)
    }

    @Test("fit and evaluate log the same formula as the standalone metric")
    func evaluateAgrees() throws {
        let metric = Metric.auc(thresholdValues: [0.3, 0.45, 0.8], curve: .pr, summation: .majoring, fromLogits: true)
        let model = Sequential(seed: 3)
        try model.add(Dense(1, activation: .linear, inputDimension: 2))
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: .meanSquaredError, namedMetrics: [("m", metric)])
        let x = try Matrix(rows: 6, columns: 2, values: [1, 2, -1, 0.5, 0.3, -2, 2, 2, -0.4, 0.1, 0, 1])
        let y = Matrix(column: [1, 0, 0, 1, 0, 1])
        let logs = try model.evaluate(x, y, batchSize: 4)
        let object = try StandaloneMetric(metric)
        try object.update(yTrue: y, yPred: try model.predict(x))
        #expect(logs["m"].map { abs($0 - Double(object.result())) < 1e-7 } == true)
    }

    @Test("bad thresholds are refused in Keras's terms")
    func refusals() throws {
        #expect(throws: AnnealError.self) { try StandaloneMetric(.auc(thresholdValues: [.nan], curve: .roc)) }
        #expect(throws: AnnealError.self) { try StandaloneMetric(.auc(thresholdValues: [], curve: .roc)) }
        #expect(throws: AnnealError.self) {
            try StandaloneMetric(.auc(thresholds: 5, curve: .roc, thresholdValues: [0.2]))
        }
        #expect(throws: AnnealError.self) {
            try StandaloneMetric(.auc(thresholds: 4, curve: .roc, thresholdValues: [0.7, 0.2]))
        }
    }
}
