import CAnneal
import Foundation
import Testing

/// Sample weights through the C API: the real-Keras weighted_sample run replayed by a session, a weighted
/// evaluate worked by hand, and every bad weights argument as its documented status.
@Suite("C sample weights")
struct SampleWeightTests {
    let data: CData

    init() throws { data = try CData.ionosphere() }

    @Test func sessionReplaysKerasWeightedSampleRun() throws {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/weighted_sample.json")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let initial = try #require(run["initial_weights"] as? [Any])
        let history = try #require(run["history"] as? [String: [Double]])
        let model = tutorialModel(seed: 1, learningRate: 0.1, momentum: 0.8)
        defer { anneal_model_free(model) }
        for (index, tensor) in initial.enumerated() {
            let values = ((tensor as? [[Double]])?.flatMap { $0 } ?? (tensor as? [Double]) ?? []).map { Float($0) }
            ok(anneal_model_set_weight(model, Int32(index), values, Int64(values.count)))
        }
        let split = 235
        let columns = Int(data.columns)
        let weights = (0..<Int(data.rows)).map { Float(1 + $0 % 3) }
        var session: OpaquePointer?
        ok(anneal_session_create_with_validation(
            model, data.x, Int64(split), data.columns, data.y, 1, Array(data.x[(split * columns)...]),
            Array(data.y[split...]), data.rows - Int64(split), 28, false, nil, &session))
        defer { anneal_session_free(session) }
        ok(anneal_session_set_sample_weights(session, Array(weights[..<split]), Int64(split)))
        ok(anneal_session_set_validation_sample_weights(session, Array(weights[split...]), data.rows - Int64(split)))
        var values = [Double](repeating: 0, count: 50 * 4)
        var epochs: Int32 = 0, width: Int32 = 0
        var trained = 0
        while trained < 50 {
            ok(values.withUnsafeMutableBufferPointer { buffer in
                anneal_session_run_epochs(session, Int32(50 - trained), 0, buffer.baseAddress! + trained * 4,
                                          Int64(buffer.count - trained * 4), &epochs, &width)
            })
            #expect(width == 4 && epochs > 0)
            trained += Int(max(epochs, 1))
        }
        for (offset, key) in ["loss", "accuracy", "val_loss", "val_accuracy"].enumerated() {
            for (epoch, expected) in (history[key] ?? []).enumerated() {
                let actual = values[epoch * 4 + offset]
                #expect(abs(actual - expected) <= 1e-5, "\(key) epoch \(epoch): \(actual) vs Keras \(expected)")
            }
        }
    }

    /// The weighted_metrics_sample run: metrics=["accuracy"], weighted_metrics=[accuracy, auc, precision,
    /// recall, root_mean_squared_error, mae, binary_crossentropy], compiled by name, the second "accuracy"
    /// renamed weighted_accuracy and every weighted one flagged with anneal_model_set_metric_weighted.
    @Test func sessionReplaysKerasWeightedMetricsRun() throws {
        let url = Support.packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/golden/weighted_metrics_sample.json")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let initial = try #require(run["initial_weights"] as? [Any])
        let history = try #require(run["history"] as? [String: [Double]])
        let model = tutorialModel(seed: 1, learningRate: 0.1, momentum: 0.8)
        defer { anneal_model_free(model) }
        let names = ["accuracy", "accuracy", "auc", "precision", "recall", "root_mean_squared_error", "mae",
                     "binary_crossentropy"]
        let logNames = ["accuracy", "weighted_accuracy"] + names[2...]
        var sgd: OpaquePointer?
        ok(anneal_sgd_create(0.1, 0.8, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        let strings = names.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var pointers = strings.map { UnsafePointer<CChar>($0) }
        ok(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, &pointers, Int32(names.count)))
        ok(anneal_model_set_metric(model, 1, "accuracy", "weighted_accuracy", 0.5, 5, 200, ANNEAL_CURVE_ROC))
        for index in 1..<names.count { ok(anneal_model_set_metric_weighted(model, Int32(index), true)) }
        var flag = false
        ok(anneal_model_metric_weighted(model, 0, &flag))
        #expect(!flag)
        ok(anneal_model_metric_weighted(model, 1, &flag))
        #expect(flag)
        for (index, tensor) in initial.enumerated() {
            let values = ((tensor as? [[Double]])?.flatMap { $0 } ?? (tensor as? [Double]) ?? []).map { Float($0) }
            ok(anneal_model_set_weight(model, Int32(index), values, Int64(values.count)))
        }
        let split = 235
        let columns = Int(data.columns)
        let weights = (0..<Int(data.rows)).map { Float(1 + $0 % 3) }
        var session: OpaquePointer?
        ok(anneal_session_create_with_validation(
            model, data.x, Int64(split), data.columns, data.y, 1, Array(data.x[(split * columns)...]),
            Array(data.y[split...]), data.rows - Int64(split), 28, false, nil, &session))
        defer { anneal_session_free(session) }
        ok(anneal_session_set_sample_weights(session, Array(weights[..<split]), Int64(split)))
        ok(anneal_session_set_validation_sample_weights(session, Array(weights[split...]), data.rows - Int64(split)))
        let keys = ["loss"] + logNames + ["val_loss"] + logNames.map { "val_" + $0 }
        let width = keys.count
        var values = [Double](repeating: 0, count: 50 * width)
        var epochs: Int32 = 0, got: Int32 = 0
        var trained = 0
        while trained < 50 {
            ok(values.withUnsafeMutableBufferPointer { buffer in
                anneal_session_run_epochs(session, Int32(50 - trained), 0, buffer.baseAddress! + trained * width,
                                          Int64(buffer.count - trained * width), &epochs, &got)
            })
            #expect(Int(got) == width && epochs > 0)
            trained += Int(max(epochs, 1))
        }
        #expect(Set(keys) == Set(history.keys))
        for (offset, key) in keys.enumerated() {
            for (epoch, expected) in (history[key] ?? []).enumerated() {
                let actual = values[epoch * width + offset]
                #expect(abs(actual - expected) <= 1e-5, "\(key) epoch \(epoch): \(actual) vs Keras \(expected)")
            }
        }
    }

    @Test func weightedEvaluateByHand() {
        var model: OpaquePointer?
        var sgd: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        ok(addDense(model, 1, ANNEAL_ACTIVATION_LINEAR, ANNEAL_INITIALIZER_ZEROS, ANNEAL_INITIALIZER_ZEROS, true, 1))
        ok(anneal_sgd_create(0.1, 0, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        ok(compileSGD(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR, nil, 0))
        ok(anneal_model_set_weight(model, 0, [1], 1))
        // Squared errors 1 and 4, weights 2 and 0.5: (2 + 2) / 2 rows = 2.
        let x: [Float] = [1, 2], y: [Float] = [0, 0]
        var values = [Double](repeating: 0, count: 2)
        var count: Int32 = 0
        ok(anneal_model_evaluate_weighted(model, x, 2, 1, y, 1, [2, 0.5], 32, &values, 2, &count))
        #expect(count == 1 && values[0] == 2)
        ok(anneal_model_evaluate_weighted(model, x, 2, 1, y, 1, nil, 32, &values, 2, &count))
        #expect(values[0] == 2.5)
        fails(anneal_model_evaluate_weighted(model, x, 2, 1, y, 1, [1, .nan], 32, &values, 2, &count),
              ANNEAL_E_NON_FINITE, "NaN weight")
        #expect(Support.lastError.contains("sample_weight[1]"))
        fails(anneal_model_evaluate_weighted(nil, x, 2, 1, y, 1, [1, 1], 32, &values, 2, &count),
              ANNEAL_E_INVALID_HANDLE, "NULL model")
    }

    @Test func badSessionWeights() {
        let model = tutorialModel(seed: 2, learningRate: 0.1, momentum: 0)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 64, 0, false, nil, &session))
        defer { anneal_session_free(session) }
        let rows = Int(data.rows)
        let ones = [Float](repeating: 1, count: rows + 1)
        fails(anneal_session_set_sample_weights(session, ones, data.rows + 1), ANNEAL_E_SHAPE_MISMATCH, "one too many")
        #expect(Support.lastError.contains("count is \(rows + 1)"))
        fails(anneal_session_set_sample_weights(session, ones, -1), ANNEAL_E_SHAPE_MISMATCH, "count -1")
        fails(anneal_session_set_sample_weights(session, nil, 3), ANNEAL_E_NULL_POINTER, "NULL weights, count 3")
        var bad = [Float](repeating: 1, count: rows)
        bad[7] = .infinity
        fails(anneal_session_set_sample_weights(session, bad, data.rows), ANNEAL_E_NON_FINITE, "infinite weight")
        #expect(Support.lastError.contains("weights[7]"))
        fails(anneal_session_set_validation_sample_weights(session, ones, 1), ANNEAL_E_INVALID_STATE, "no validation")
        fails(anneal_session_set_sample_weights(nil, ones, data.rows), ANNEAL_E_INVALID_HANDLE, "NULL session")
        ok(anneal_session_set_sample_weights(session, Array(ones[..<rows]), data.rows))
        ok(anneal_session_set_sample_weights(session, nil, 0))
        ok(anneal_session_train_epoch(session, nil, 0, nil))
    }
}
