import Anneal
import CAnneal
import Foundation
import Testing

/// Keras 2's other optimizers through the C API: the golden Keras runs of every optimizer, loss and metric
/// replayed from their initial weights (every epoch value and rate within 1e-5, final weights within 1e-4),
/// decay and schedules with `effective_lr` logged, and the constructors' argument checks.
@Suite("Optimizers through the C API")
struct OptimizerParityTests {
    /// The golden runs of an optimizer other than SGD, then those of other networks, losses and metrics
    /// (`Fixtures/*.json` and `Fixtures/golden/*.json`).
    static let runs = [
        "adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "adam_amsgrad", "rmsprop_momentum",
        "rmsprop_centered", "adam_decay", "adam_expdecay", "regression_mae", "regression_huber", "metrics_binary",
        "metrics_categorical", "metrics_sparse", "metrics_confusion", "metrics_auc_labels", "metrics_auc_methods",
        "metrics_thresholds",
    ]

    /// The run's data as its README describes it (as `GoldenParityTests.data` gives it to the Swift core).
    static func data(_ name: String) throws -> (x: [Float], y: [Float], columns: Int32, yColumns: Int32) {
        let data = try CData.ionosphere()
        let columns = Int(data.columns)
        switch name {
        case "metrics_categorical", "metrics_confusion", "metrics_auc_labels", "metrics_auc_methods":
            return (data.x, data.y.flatMap { $0 == 0 ? [Float(1), 0] : [0, 1] }, data.columns, 2)
        case "regression_mae", "regression_huber":
            let shift: Float = name == "regression_huber" ? 1 : 0
            let x = data.x.enumerated().filter { $0.offset % columns != 2 }.map(\.element)
            return (x, stride(from: 2, to: data.x.count, by: columns).map { data.x[$0] + shift }, data.columns - 1, 1)
        default:
            return (data.x, data.y, data.columns, 1)
        }
    }

    struct Golden {
        let optimizer: [String: Any]
        let initialWeights: [[Float]]
        let finalWeights: [[Float]]
        let history: [String: [Double]]
        let lrAfterEpoch: [Double]
        let layers: [[String: Any]]
        /// A loss name, or a loss object as `{"class": "Huber", "delta": ..., "fn": "huber"}`.
        let loss: Any
        /// Metric names, or metric objects as `{"class": "AUC", "name": "auc_1", "curve": "PR", ...}`.
        let metrics: [Any]

        init(_ name: String) throws {
            let url = Support.goldenURL(name)
            let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
            optimizer = root["optimizer"] as? [String: Any] ?? [:]
            initialWeights = Self.flatten(root["initial_weights"])
            finalWeights = Self.flatten(root["final_weights"])
            // A C program compiles a Precision or Recall of several thresholds as one metric per threshold,
            // named name[0], name[1]...: History's keys, where Keras records one array per epoch.
            var history: [String: [Double]] = [:]
            for (key, epochs) in root["history"] as? [String: [Any]] ?? [:] {
                guard let arrays = epochs as? [[Double]] else { history[key] = epochs as? [Double]; continue }
                for index in arrays[0].indices { history["\(key)[\(index)]"] = arrays.map { $0[index] } }
            }
            self.history = history
            lrAfterEpoch = root["lr_after_epoch"] as? [Double] ?? []
            layers = root["layers"] as? [[String: Any]] ?? []
            loss = root["loss"] ?? "binary_crossentropy"
            metrics = (root["metrics"] as? [Any] ?? ["accuracy"]).flatMap { metric -> [Any] in
                guard let config = metric as? [String: Any], config["class"] as? String != "AUC",
                      let thresholds = config["thresholds"] as? [Double] else { return [metric] }
                let name = config["name"] as? String ?? ""
                return thresholds.enumerated().map { index, threshold in
                    config.merging(["name": thresholds.count > 1 ? "\(name)[\(index)]" : name, "thresholds": threshold]) { $1 }
                }
            }
        }

        /// Each tensor's values, row-major.
        static func flatten(_ value: Any?) -> [[Float]] {
            (value as? [Any] ?? []).map { item in
                if let matrix = item as? [[Double]] { return matrix.flatMap { $0.map(Float.init) } }
                return (item as? [Double] ?? []).map(Float.init)
            }
        }

        func number(_ key: String) -> Double { optimizer[key] as? Double ?? 0 }

        func flag(_ key: String) -> Bool { optimizer[key] as? Bool ?? false }

        /// The run's optimizer through C with its recorded arguments (Keras's defaults for the others); the
        /// recorded `ExponentialDecay` as a per-update schedule.
        func makeOptimizer() throws -> OpaquePointer? {
            var schedule: OpaquePointer?
            defer { anneal_schedule_free(schedule) }
            if let config = optimizer["learning_rate"] as? [String: Any] {
                try #require(config["class"] as? String == "ExponentialDecay", "no replay for \(config)")
                ok(anneal_schedule_exponential_decay(
                    config["initial_learning_rate"] as? Double ?? .nan, Int64(config["decay_steps"] as? Int ?? 0),
                    config["decay_rate"] as? Double ?? .nan, config["staircase"] as? Bool ?? false,
                    ANNEAL_UNIT_DEFAULT, &schedule))
            }
            let rate = number("learning_rate"), decay = number("decay")
            var made: OpaquePointer?
            switch optimizer["name"] as? String {
            case "Adam": ok(anneal_optimizer_adam(rate, 0.9, 0.999, 1e-7, flag("amsgrad"), decay, schedule, &made))
            case "RMSprop":
                ok(anneal_optimizer_rmsprop(rate, 0.9, number("momentum"), 1e-7, flag("centered"), decay, schedule, &made))
            case "Adagrad": ok(anneal_optimizer_adagrad(rate, 0.1, 1e-7, decay, schedule, &made))
            case "Adadelta": ok(anneal_optimizer_adadelta(rate, 0.95, 1e-7, decay, schedule, &made))
            case "Adamax": ok(anneal_optimizer_adamax(rate, 0.9, 0.999, 1e-7, decay, schedule, &made))
            case "Nadam": ok(anneal_optimizer_nadam(rate, 0.9, 0.999, 1e-7, 0.004, &made))
            case let name: Issue.record("no C replay for the optimizer \(name ?? "nil")")
            }
            return made
        }

        /// The run's network through C for `inputs` features, from its initial weights, compiled with its
        /// optimizer, loss and metrics as recorded.
        func makeModel(inputs: Int32) throws -> OpaquePointer? {
            var model: OpaquePointer?
            ok(anneal_model_create(1, &model))
            for (index, layer) in layers.enumerated() {
                var activation: Int32 = -1
                ok(anneal_activation_from_name(layer["activation"] as? String ?? "", &activation))
                ok(addDense(model, Int32(layer["units"] as? Int ?? 0), activation, ANNEAL_INITIALIZER_NORMAL,
                                          ANNEAL_INITIALIZER_ZEROS, true, index == 0 ? inputs : 0))
            }
            var lossCode: Int32 = -1
            ok(anneal_loss_from_name(loss as? String ?? (loss as? [String: Any])?["fn"] as? String ?? "", &lossCode))
            // A metric object is compiled by its class name, then given its name and parameters.
            let copies = metrics.map { strdup($0 as? String ?? ($0 as? [String: Any])?["class"] as? String ?? "") }
            defer { copies.forEach { free($0) } }
            var names = copies.map { UnsafePointer($0) }
            if optimizer["name"] as? String == "SGD" {
                var sgd: OpaquePointer?
                ok(anneal_sgd_create(number("learning_rate"), number("momentum"), number("decay"), false, &sgd))
                ok(compileSGD(model, sgd, lossCode, &names, Int32(names.count)))
                anneal_sgd_free(sgd)
            } else {
                let made = try makeOptimizer()
                ok(compileOptimizer(model, made, lossCode, &names, Int32(names.count)))
                anneal_optimizer_free(made)
            }
            if let delta = (loss as? [String: Any])?["delta"] as? Double { ok(anneal_model_set_loss_options(model, false, 0, delta)) }
            for (index, metric) in metrics.enumerated() {
                guard let config = metric as? [String: Any] else { continue }
                let curve = config["curve"] as? String == "PR" ? ANNEAL_CURVE_PR : ANNEAL_CURVE_ROC
                let topK = config["top_k"] as? Int
                // Keras's default threshold: 0.5, or -1e10 with top_k.
                let threshold = config["thresholds"] as? Double ?? (topK == nil ? 0.5 : -1e10)
                ok(anneal_model_set_metric(model, Int32(index), config["class"] as? String ?? "", config["name"] as? String ?? "",
                                           threshold, Int32(config["k"] as? Int ?? 5), Int32(config["num_thresholds"] as? Int ?? 200), curve))
                if topK != nil || config["class_id"] != nil {
                    ok(anneal_model_set_metric_top_k(model, Int32(index), Int32(topK ?? 0), Int32(config["class_id"] as? Int ?? -1)))
                }
                let labelWeights = (config["label_weights"] as? [Double])?.map(Float.init)
                if config["multi_label"] as? Bool == true || labelWeights != nil {
                    ok(anneal_model_set_metric_auc_labels(model, Int32(index), config["multi_label"] as? Bool == true, labelWeights,
                                                          Int32(labelWeights?.count ?? 0)))
                }
                let thresholds = (config["thresholds"] as? [Double])?.map(Float.init)
                let summation = ["interpolation": ANNEAL_SUMMATION_INTERPOLATION, "minoring": ANNEAL_SUMMATION_MINORING,
                                 "majoring": ANNEAL_SUMMATION_MAJORING][config["summation_method"] as? String ?? ""]
                if thresholds != nil || config["from_logits"] as? Bool == true || (summation ?? 0) != 0 {
                    ok(anneal_model_set_metric_auc_method(model, Int32(index), summation ?? ANNEAL_SUMMATION_INTERPOLATION,
                                                          thresholds, Int32(thresholds?.count ?? 0),
                                                          config["from_logits"] as? Bool == true))
                }
            }
            for (index, values) in initialWeights.enumerated() {
                ok(anneal_model_set_weight(model, Int32(index), values, Int64(values.count)))
            }
            return model
        }
    }

    /// The tutorial's model built through C, compiled with `optimizer`.
    static func model(_ optimizer: OpaquePointer?, seed: UInt64 = 1) -> OpaquePointer? {
        var model: OpaquePointer?
        ok(anneal_model_create(seed, &model))
        ok(addDense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 34))
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 0))
        let metric = strdup("accuracy")
        defer { free(metric) }
        var metrics: [UnsafePointer<CChar>?] = [UnsafePointer(metric)]
        ok(compileOptimizer(model, optimizer, ANNEAL_LOSS_BINARY_CROSSENTROPY, &metrics, 1))
        return model
    }

    @Test("the golden Keras runs", arguments: Self.runs)
    func golden(name: String) throws {
        let run = try Golden(name)
        let data = try Self.data(name)
        let model = try run.makeModel(inputs: data.columns)
        defer { anneal_model_free(model) }
        var history: OpaquePointer?
        ok(fitArrays(model, data.x, Int64(data.y.count) / Int64(data.yColumns), data.columns, data.y, data.yColumns,
                            50, 28, 0.33, false, nil, nil, nil, nil, &history))
        defer { anneal_history_free(history) }
        let actual = historyValues(history)
        for (key, expected) in run.history {
            let values = try #require(actual[key], "no \(key)")
            #expect(values.count == expected.count)
            for (epoch, (a, e)) in zip(values, expected).enumerated() {
                // relative above 1 (mape is in the millions)
                #expect(abs(a - e) <= Support.goldenEpochValue * max(1, abs(e)), "\(name) \(key) epoch \(epoch): \(a) vs Keras \(e)")
            }
        }
        // History logs `effective_lr` only with `decay`; a schedule's rate after the last epoch is read back.
        for (epoch, (a, e)) in zip(actual["effective_lr"] ?? [], run.lrAfterEpoch).enumerated() {
            #expect(abs(a - e) <= Support.goldenEpochValue, "\(name) effective rate after epoch \(epoch): \(a) vs Keras \(e)")
        }
        if let last = run.lrAfterEpoch.last {
            var rate = Double.nan
            ok(anneal_model_effective_learning_rate(model, &rate))
            #expect(abs(rate - last) <= Support.goldenEpochValue, "\(name) effective rate after the fit: \(rate) vs Keras \(last)")
        }
        for (index, expected) in run.finalWeights.enumerated() {
            var values = [Float](repeating: .nan, count: expected.count)
            ok(anneal_model_get_weight(model, Int32(index), &values, Int64(values.count)))
            let worst = zip(values, expected).map { abs(Double($0) - Double($1)) }.max() ?? .nan
            #expect(worst <= Support.goldenFinalWeight, "\(name) weight \(index) differs by up to \(worst)")
        }
    }

    @Test("every optimizer: a per-update schedule, decay, and effective_lr logged")
    func scheduleAndDecay() throws {
        var schedule: OpaquePointer?
        ok(anneal_schedule_exponential_decay(0.01, 9, 0.5, true, ANNEAL_UNIT_DEFAULT, &schedule))
        defer { anneal_schedule_free(schedule) }
        var made: [OpaquePointer?] = []
        for index in 0..<5 {
            var optimizer: OpaquePointer?
            switch index {
            case 0: ok(anneal_optimizer_adam(99, 0.9, 0.999, 1e-7, true, 0.01, schedule, &optimizer))
            case 1: ok(anneal_optimizer_rmsprop(99, 0.9, 0.5, 1e-7, true, 0.01, schedule, &optimizer))
            case 2: ok(anneal_optimizer_adagrad(99, 0.1, 1e-7, 0.01, schedule, &optimizer))
            case 3: ok(anneal_optimizer_adadelta(99, 0.95, 1e-7, 0.01, schedule, &optimizer))
            default: ok(anneal_optimizer_adamax(99, 0.9, 0.999, 1e-7, 0.01, schedule, &optimizer))
            }
            made.append(optimizer)
        }
        let data = try CData.ionosphere()
        for optimizer in made {
            let model = Self.model(optimizer)
            anneal_optimizer_free(optimizer)
            defer { anneal_model_free(model) }
            var history: OpaquePointer?
            ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 2, 28, 0.33, true, nil, nil, nil, nil, &history))
            defer { anneal_history_free(history) }
            // 2 epochs of 9 updates: base 0.01 · 0.5^(18 / 9), then / (1 + 0.01 · 18) in float32.
            let expected = Double(Float(0.01 * 0.25) / (1 + Float(0.01) * 18))
            let logged = try #require(historyValues(history)["effective_lr"])
            #expect(logged.last == expected)
            var rate = 0.0
            ok(anneal_model_effective_learning_rate(model, &rate))
            #expect(rate == expected)
        }
    }

    @Test("Nadam compiles and trains; its rate is set between epochs like any other")
    func nadam() throws {
        var optimizer: OpaquePointer?
        ok(anneal_optimizer_nadam(0.002, 0.9, 0.999, 1e-7, 0.004, &optimizer))
        let model = Self.model(optimizer)
        anneal_optimizer_free(optimizer)
        defer { anneal_model_free(model) }
        let data = try CData.ionosphere()
        var history: OpaquePointer?
        ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 3, 28, 0.33, true, nil, nil, nil, nil, &history))
        defer { anneal_history_free(history) }
        let loss = try #require(historyValues(history)["loss"])
        #expect(loss.count == 3 && loss[2] < loss[0])
        ok(anneal_model_set_learning_rate(model, 0.0005))
        var rate = 0.0
        ok(anneal_model_effective_learning_rate(model, &rate))
        #expect(rate == Double(Float(0.0005)))
    }

    @Test("constructors: Keras's checks as statuses naming the argument, never a crash")
    func argumentChecks() {
        var optimizer: OpaquePointer?
        fails(anneal_optimizer_adam(0.001, 1.0, 0.999, 1e-7, false, 0, nil, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("beta_1") && optimizer == nil)
        fails(anneal_optimizer_rmsprop(0.001, 0.9, 1.5, 1e-7, false, 0, nil, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("momentum"))
        fails(anneal_optimizer_adagrad(0.001, -0.1, 1e-7, 0, nil, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("initial_accumulator_value"))
        fails(anneal_optimizer_adadelta(.nan, 0.95, 1e-7, 0, nil, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("learning_rate"))
        fails(anneal_optimizer_adamax(0.001, 0.9, 0.999, 1e-7, -1, nil, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("decay"))
        fails(anneal_optimizer_nadam(0.001, 0.9, 0.999, -1, 0.004, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        #expect(Support.lastError.contains("epsilon"))
        fails(anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, nil, nil), ANNEAL_E_NULL_POINTER)
        var epochSchedule: OpaquePointer?
        ok(anneal_schedule_step_decay(0.1, 0.5, 10, ANNEAL_UNIT_EPOCH, &epochSchedule))
        fails(anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, epochSchedule, &optimizer), ANNEAL_E_INVALID_ARGUMENT)
        anneal_schedule_free(epochSchedule)
        fails(anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, epochSchedule, &optimizer), ANNEAL_E_INVALID_HANDLE)
        // An SGD handle is not an optimizer handle, nor the other way round.
        var sgd: OpaquePointer?
        ok(anneal_sgd_create(0.1, 0, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        var model: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 2))
        fails(compileOptimizer(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0), ANNEAL_E_INVALID_HANDLE)
        #expect(Support.lastError.contains("optimizer"))
        ok(anneal_optimizer_adam(0.001, 0.9, 0.999, 0, false, 0, nil, &optimizer))
        fails(compileSGD(model, optimizer, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0), ANNEAL_E_INVALID_HANDLE)
        ok(compileOptimizer(model, optimizer, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0))
        anneal_optimizer_free(optimizer)
        anneal_optimizer_free(optimizer)  // freeing twice does nothing
        anneal_optimizer_free(nil)
    }
}
