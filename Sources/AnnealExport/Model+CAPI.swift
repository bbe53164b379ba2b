import Anneal
import CAnneal

/// Runs `body` with the model behind `handle`, holding it for this call (see `Handles.holding`).
func withModel<R>(_ handle: OpaquePointer?, _ access: Access = .use, _ body: (Sequential) throws -> R) throws -> R {
    let (entry, model) = try Handles.entry(handle, .model, holding: Sequential.self, argument: "model")
    return try Handles.holding([entry], access) { try body(model) }
}

/// Registers a model made here (created or loaded), silenced first: the library never prints.
func registerModel(_ model: Sequential) throws -> OpaquePointer {
    model.output = { _ in }
    return try Handles.register(model, .model)
}

/// Tries a copy of every weight of `model` (`copies` of them) before one is made: getting, setting, saving
/// and loading weights copy them into Swift arrays, whose refused allocation would end the process.
func reserveWeightCopies(_ model: Sequential, _ copies: Int = 1) throws {
    let count = model.weightShapes.reduce(0) { $0 + $1.reduce(1, *) }
    try reserve(count * copies, of: MemoryLayout<Float>.stride, "the model's \(count) weights")
}

/// A C metric index (`anneal_model_metric_count` of them) as a Swift one.
private func metricIndex(_ index: Int32, of model: Sequential) throws -> Int {
    try check(index >= 0 && Int(index) < model.metricNames.count,
              "index must be in [0, \(model.metricNames.count)). Received: index=\(index)")
    return Int(index)
}

/// `ANNEAL_E_INVALID_STATE` for `function`, a call that changes a compiled model's loss or metrics, on a model
/// not compiled yet.
private func needsCompiledModel(_ function: String) -> CAPIError {
    CAPIError(ANNEAL_E_INVALID_STATE,
              "\(function) needs a compiled model; call anneal_model_compile first")
}

/// The C calls that re-parameterize metric `index` of a compiled model: the metric there becomes
/// `change(metric)`, under the same log name.
private func changeMetric(
    _ model: OpaquePointer?, _ index: Int32, _ function: String, _ change: (Metric) throws -> Metric
) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            guard model.optimizer != nil else { throw needsCompiledModel(function) }
            let at = try metricIndex(index, of: model)
            let compiled = model.compiledMetrics[at]
            try model.setMetric(at: at, name: compiled.name, metric: try change(compiled.metric))
        }
    }
}

/// A C weight index (`anneal_model_weight_count` of them) as a Swift one.
private func weightIndex(_ index: Int32, of model: Sequential) throws -> Int {
    try AnnealExport.index(index, count: model.weightShapes.count, "weight")
}

/// The compiled optimizer, or Keras's message.
private func optimizer(of model: Sequential) throws -> Optimizer {
    guard let optimizer = model.optimizer else {
        throw CAPIError(ANNEAL_E_INVALID_STATE, "the model is not compiled, so it has no optimizer: call anneal_model_compile first")
    }
    return optimizer
}

@c @implementation
public func anneal_model_create(_ seed: UInt64, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    capiCreate(out_model, "out_model") { try registerModel(Sequential(seed: seed)) }
}

@c @implementation
public func anneal_model_free(_ model: OpaquePointer?) {
    Handles.remove(model, .model)
}

@c @implementation
public func anneal_model_add_dropout(_ model: OpaquePointer?, _ rate: Double, _ seed: UnsafePointer<UInt64>?) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            try model.add(Dropout(rate: rate, seed: seed?.pointee))
        }
    }
}

@c @implementation
public func anneal_model_build(_ model: OpaquePointer?, _ input_dim: Int32) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            // The core's own message speaks of "input features"; a C caller passed input_dim.
            if let built = model.inputDimension, !model.layers.isEmpty, input_dim >= 1, Int(input_dim) != built {
                throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                                "input_dim must be \(built), the width the model is built for. Received: input_dim=\(input_dim)")
            }
            try model.build(inputDimension: Int(input_dim))
        }
    }
}

@c @implementation
public func anneal_model_set_activation(
    _ model: OpaquePointer?, _ layer: Int32, _ activation: Int32, _ alpha: Double
) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            var value = try decode(activation, activationCodes, "activation")
            if case .leakyRelu = value {
                try check(alpha.isFinite, "alpha must be a finite number. Received: alpha=\(alpha)")
                value = .leakyRelu(alpha: Float(alpha))
            }
            try check(layer >= 0 && Int(layer) < model.layers.count,
                      "layer must be in [0, \(model.layers.count)). Received: layer=\(layer)")
            guard model.optimizer == nil else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "anneal_model_set_activation changes a layer before compile; this model is compiled")
            }
            try model.setActivation(value, ofLayer: Int(layer))
        }
    }
}

@c @implementation
public func anneal_model_set_loss_options(
    _ model: OpaquePointer?, _ from_logits: Bool, _ label_smoothing: Double, _ delta: Double
) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            guard let loss = model.loss else {
                throw needsCompiledModel("anneal_model_set_loss_options")
            }
            try check(label_smoothing.isFinite && label_smoothing >= 0 && label_smoothing <= 1,
                      "label_smoothing must be in [0, 1]. Received: label_smoothing=\(label_smoothing)")
            try check(delta.isFinite, "delta must be a finite number. Received: delta=\(delta)")
            let crossentropies: Set<Loss.Kind> = [.binaryCrossentropy, .categoricalCrossentropy, .sparseCategoricalCrossentropy]
            try check(!from_logits || crossentropies.contains(loss.kind),
                      "from_logits is for the cross-entropy losses only; the model's loss is \(loss.name)")
            try check(label_smoothing == 0 || loss.kind == .binaryCrossentropy || loss.kind == .categoricalCrossentropy,
                      "label_smoothing is for binary_crossentropy and categorical_crossentropy only; the model's loss is \(loss.name)")
            try model.setLoss(Loss(loss.kind, fromLogits: from_logits, labelSmoothing: Float(label_smoothing),
                                   delta: Float(delta)))
        }
    }
}

@c @implementation
public func anneal_model_set_metric(
    _ model: OpaquePointer?, _ index: Int32, _ metric: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?,
    _ threshold: Double, _ k: Int32, _ num_thresholds: Int32, _ curve: Int32
) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            guard model.optimizer != nil else {
                throw needsCompiledModel("anneal_model_set_metric")
            }
            let kind = try string(metric, "metric")
            let logName = try string(name, "name")
            try check(!logName.isEmpty, "name must not be empty")
            let value = try parameterizedMetric(kind, threshold: threshold, k: k, numThresholds: num_thresholds, curve: curve)
            let at = try metricIndex(index, of: model)
            try model.setMetric(at: at, name: logName, metric: value)
        }
    }
}

@c @implementation
public func anneal_model_set_metric_weighted(_ model: OpaquePointer?, _ index: Int32, _ weighted: Bool) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            guard model.optimizer != nil else {
                throw needsCompiledModel("anneal_model_set_metric_weighted")
            }
            let at = try metricIndex(index, of: model)
            try model.setMetricWeighted(at: at, weighted)
        }
    }
}

@c @implementation
public func anneal_model_set_metric_top_k(_ model: OpaquePointer?, _ index: Int32, _ top_k: Int32, _ class_id: Int32) -> Int32 {
    changeMetric(model, index, "anneal_model_set_metric_top_k") { try limited($0, topK: top_k, classId: class_id) }
}

@c @implementation
public func anneal_model_metric_weighted(
    _ model: OpaquePointer?, _ index: Int32, _ out_weighted: UnsafeMutablePointer<Bool>?
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            let out = try required(out_weighted, "out_weighted")
            let at = try metricIndex(index, of: model)
            out.pointee = try model.metricIsWeighted(at: at)
        }
    }
}

@c @implementation
public func anneal_model_set_metric_auc_labels(
    _ model: OpaquePointer?, _ index: Int32, _ multi_label: Bool, _ label_weights: UnsafePointer<Float>?,
    _ label_weight_count: Int32
) -> Int32 {
    changeMetric(model, index, "anneal_model_set_metric_auc_labels") {
        try labelled($0, multiLabel: multi_label, labels: 0, weights: label_weights, count: label_weight_count)
    }
}

@c @implementation
public func anneal_model_set_metric_auc_method(
    _ model: OpaquePointer?, _ index: Int32, _ summation_method: Int32, _ thresholds: UnsafePointer<Float>?,
    _ threshold_count: Int32, _ from_logits: Bool
) -> Int32 {
    capiCall {
        try withModel(model, .restructure) { model in
            guard model.optimizer != nil else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "anneal_model_set_metric_auc_method needs a compiled model; call anneal_model_compile first")
            }
            try check(index >= 0 && Int(index) < model.metricNames.count,
                      "index must be in [0, \(model.metricNames.count)). Received: index=\(index)")
            let compiled = model.compiledMetrics[Int(index)]
            try model.setMetric(at: Int(index), name: compiled.name,
                                metric: try summed(compiled.metric, summation: summation_method, thresholds: thresholds,
                                                   count: threshold_count, fromLogits: from_logits))
        }
    }
}

/// The getters' one body: the model held for use, `out` (the C argument `name`) checked, then `value` of the
/// model written to it.
private func modelValue<T>(
    function: String = #function, _ model: OpaquePointer?, _ out: UnsafeMutablePointer<T>?, _ name: String,
    _ value: (Sequential) throws -> T
) -> Int32 {
    capiCall(function: function) {
        try withModel(model) { model in
            let out = try required(out, name)
            out.pointee = try value(model)
        }
    }
}

@c @implementation
public func anneal_model_layer_count(_ model: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    modelValue(model, out_count, "out_count") { Int32(clamping: $0.stack.count) }
}

@c @implementation
public func anneal_model_input_dim(_ model: OpaquePointer?, _ out_dim: UnsafeMutablePointer<Int32>?) -> Int32 {
    modelValue(model, out_dim, "out_dim") { Int32(clamping: $0.inputDimension ?? 0) }
}

@c @implementation
public func anneal_model_output_dim(_ model: OpaquePointer?, _ out_dim: UnsafeMutablePointer<Int32>?) -> Int32 {
    modelValue(model, out_dim, "out_dim") { Int32(clamping: $0.layers.last?.units ?? 0) }
}

@c @implementation
public func anneal_model_weight_count(_ model: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    modelValue(model, out_count, "out_count") { Int32(clamping: $0.weightShapes.count) }
}

@c @implementation
public func anneal_model_metric_count(_ model: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    modelValue(model, out_count, "out_count") { Int32(clamping: $0.metricNames.count) }
}

@c @implementation
public func anneal_model_metric_name(
    _ model: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try copyOut(model.metricNames, at: index, "metric", to: buffer, capacity: capacity, length: out_length)
        }
    }
}

@c @implementation
public func anneal_model_weight_shape(
    _ model: OpaquePointer?, _ index: Int32, _ out_rank: UnsafeMutablePointer<Int32>?,
    _ out_dims: UnsafeMutablePointer<Int64>?, _ dims_capacity: Int32, _ out_size: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            let shape = model.weightShapes[try weightIndex(index, of: model)]
            let outRank = try required(out_rank, "out_rank")
            try nonNegative(dims_capacity, "dims_capacity")
            outRank.pointee = Int32(shape.count)
            out_size?.pointee = Int64(shape.reduce(1, *))
            guard dims_capacity > 0 else { return }
            let dims = try required(out_dims, "out_dims")
            guard Int(dims_capacity) >= shape.count else {
                throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL, "out_dims holds \(dims_capacity) dimensions; the shape has \(shape.count)")
            }
            for (i, dimension) in shape.enumerated() { dims[i] = Int64(dimension) }
        }
    }
}

@c @implementation
public func anneal_model_get_weight(
    _ model: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<Float>?, _ capacity: Int64
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            let at = try weightIndex(index, of: model)
            try reserve(model.weightShapes[at].reduce(1, *), of: MemoryLayout<Float>.stride, "weight \(index)")
            try copyOut(try model.getWeight(at).values, to: buffer, capacity: capacity, "buffer")
        }
    }
}

@c @implementation
public func anneal_model_set_weight(
    _ model: OpaquePointer?, _ index: Int32, _ values: UnsafePointer<Float>?, _ count: Int64
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            guard model.isBuilt else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "the model is not built yet: give the first layer an input_dim or call anneal_model_build")
            }
            let at = try weightIndex(index, of: model)
            let base = try required(values, "values")
            let shape = model.weightShapes[at]
            let size = shape.reduce(1, *)
            guard count == Int64(size) else {
                throw CAPIError(ANNEAL_E_SHAPE_MISMATCH, "weight \(index) has shape \(shape) (\(size) values); received count=\(count)")
            }
            try reserve(size, of: MemoryLayout<Float>.stride, "weight \(index)")
            // Only this weight is copied; the core checks it before writing it, so a refused one changes nothing.
            try model.setWeight(at, to: WeightTensor(shape: shape, values: Array(UnsafeBufferPointer(start: base, count: size))))
        }
    }
}

@c @implementation
public func anneal_model_save_weights(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try reserveWeightCopies(model, 2)  // the tensors, then the file's bytes
            try model.saveWeights(to: try string(path, "path"))
        }
    }
}

@c @implementation
public func anneal_model_load_weights(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try reserveWeightCopies(model, 2)  // the file's bytes, then the tensors read from them
            try model.loadWeights(from: try string(path, "path"))
        }
    }
}

@c @implementation
public func anneal_model_predict(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ batch_size: Int32,
    _ out: UnsafeMutablePointer<Float>?, _ capacity: Int64
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            guard let units = model.layers.last?.units else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "the model has no layers: call anneal_model_add_dense first")
            }
            try check(batch_size >= 1, "batch_size must be at least 1. Received: batch_size=\(batch_size)")
            try checkWidths(of: model, rows: rows, cols: cols)
            _ = try elementCount(rows: rows, columns: cols, "x")
            let out = try required(out, "out")
            let (needed, overflow) = Int(rows).multipliedReportingOverflow(by: units)
            guard !overflow, capacity >= Int64(needed) else {
                throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL,
                                "out holds \(capacity) floats; rows x output_dim = \(rows) x \(units) are needed")
            }
            let inputs = try matrix(x, rows: rows, columns: cols, "x")
            let outputs = try model.predict(inputs, batchSize: Int(batch_size))
            try copyOut(outputs.values, to: out, capacity: capacity, "out")
        }
    }
}

@c @implementation
public func anneal_model_evaluate(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ batch_size: Int32, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    evaluate(model, x, rows, cols, y, y_cols, nil, batch_size, out_values, capacity, out_count, "anneal_model_evaluate")
}

@c @implementation
public func anneal_model_evaluate_weighted(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ sample_weight: UnsafePointer<Float>?, _ batch_size: Int32,
    _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32, _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    evaluate(model, x, rows, cols, y, y_cols, sample_weight, batch_size, out_values, capacity, out_count,
             "anneal_model_evaluate_weighted")
}

/// The C evaluate calls: `function`'s checks in its words, then `Sequential.evaluate` with the weights when
/// `sample_weight` is not NULL.
private func evaluate(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ sample_weight: UnsafePointer<Float>?, _ batch_size: Int32,
    _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32, _ out_count: UnsafeMutablePointer<Int32>?,
    _ function: String
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try checkCompiled(model, function)
            try check(batch_size >= 1, "batch_size must be at least 1. Received: batch_size=\(batch_size)")
            try checkWidths(of: model, rows: rows, cols: cols, yCols: y_cols)
            let inputs = try matrix(x, rows: rows, columns: cols, "x")
            let labels = try matrix(y, rows: rows, columns: y_cols, "y", columnsName: "y_cols")
            let weights = sample_weight == nil ? nil : try sampleWeights(sample_weight, count: rows, "sample_weight")
            let logs = try model.evaluate(inputs, labels, batchSize: Int(batch_size), sampleWeight: weights)
            try copyOut(logs.values, to: out_values, capacity: capacity, count: out_count, "out_values")
        }
    }
}

/// Writes one value of the model's optimizer to the caller's `out` (the C argument `name`).
private func optimizerValue<T>(
    function: String = #function, _ model: OpaquePointer?, _ out: UnsafeMutablePointer<T>?, _ name: String,
    _ value: (Optimizer) -> T
) -> Int32 {
    modelValue(function: function, model, out, name) { value(try optimizer(of: $0)) }
}

@c @implementation
public func anneal_model_learning_rate(_ model: OpaquePointer?, _ out_rate: UnsafeMutablePointer<Double>?) -> Int32 {
    optimizerValue(model, out_rate, "out_rate") { Double($0.baseLearningRate) }
}

@c @implementation
public func anneal_model_set_learning_rate(_ model: OpaquePointer?, _ rate: Double) -> Int32 {
    capiCall { try withModel(model) { try optimizer(of: $0).setLearningRate(rate) } }
}

@c @implementation
public func anneal_model_effective_learning_rate(_ model: OpaquePointer?, _ out_rate: UnsafeMutablePointer<Double>?) -> Int32 {
    optimizerValue(model, out_rate, "out_rate") { Double($0.effectiveLearningRate) }
}

@c @implementation
public func anneal_model_iterations(_ model: OpaquePointer?, _ out_iterations: UnsafeMutablePointer<Int64>?) -> Int32 {
    optimizerValue(model, out_iterations, "out_iterations") { $0.iterations }
}

/// The fit calls' one body (anneal_model_fit, anneal_model_fit_dataset): the model held, `options` read
/// (`fitDefaults()` where NULL) and checked, a session made and run by `runFit`, its history registered.
///
/// `data` looks up the call's training data right after the model; `check` compares it (and
/// `options->validation_data`) with the compiled model; `training` gives its matrices, copied only once every
/// check has passed. `function` is the C name, for messages.
func fitCall<Data>(
    _ function: String, _ model: OpaquePointer?, _ options: UnsafePointer<anneal_fit_options>?,
    _ out_history: UnsafeMutablePointer<OpaquePointer?>?, data: () throws -> Data,
    check checkData: (Sequential, Data, DatasetBox?) throws -> Void, training: (Data) throws -> (x: Matrix, y: Matrix)
) -> Int32 {
    out_history?.pointee = nil
    return capiCall(function: function) {
        let (entry, sequential) = try Handles.entry(model, .model, holding: Sequential.self, argument: "model")
        let data = try data()
        let settings = try AnnealExport.options(options, "options", type: "anneal_fit_options", defaults: fitDefaults())
        let validation = try settings.validation_data.map { try AnnealExport.dataset($0, argument: "options->validation_data") }
        let rates = try settings.schedule.map { try AnnealExport.schedule($0) }
        let history = try Handles.holding([entry], .restructure) { () throws -> History in
            try checkCompiled(sequential, function)
            try checkData(sequential, data, validation)
            try check(settings.epochs >= 0, "options->epochs must be at least 0. Received: epochs=\(settings.epochs)")
            try check(settings.batch_size >= 1, "options->batch_size must be at least 1. Received: batch_size=\(settings.batch_size)")
            let (x, y) = try training(data)
            let session = try TrainingSession(
                model: sequential, x: x, y: y, batchSize: Int(settings.batch_size),
                validationSplit: settings.validation_split,
                validationData: validation.map { (x: $0.features, y: $0.labels) }, shuffle: settings.shuffle,
                seed: settings.has_seed ? settings.seed : nil)
            return try runFit(session, modelHandle: model, modelEntry: entry, epochs: settings.epochs, initialEpoch: 0,
                              schedule: rates, callback: settings.callback, userData: settings.user_data)
        }
        out_history?.pointee = try Handles.register(history, .history)
    }
}

@c @implementation
public func anneal_model_fit(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ options: UnsafePointer<anneal_fit_options>?, _ out_history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    fitCall(
        "anneal_model_fit", model, options, out_history,
        data: {},
        check: { sequential, _, validation in
            try checkWidths(of: sequential, rows: rows, cols: cols, yCols: y_cols)
            if let validation, validation.features.columns != Int(cols) || validation.labels.columns != Int(y_cols) {
                throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                                "options->validation_data is \(validation.features.columns) features and \(validation.labels.columns) label columns; x and y are cols=\(cols) and y_cols=\(y_cols)")
            }
        },
        training: { _ in
            (x: try matrix(x, rows: rows, columns: cols, "x"),
             y: try matrix(y, rows: rows, columns: y_cols, "y", columnsName: "y_cols"))
        })
}
