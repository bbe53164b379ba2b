import Anneal
import CAnneal

// anneal_model_add_dense_ex and anneal_model_compile_ex: the layer and compile settings as named fields of
// versioned structs, and metrics by ANNEAL_METRIC_* code as losses are (the codes: Names+CAPI.swift).

/// ANNEAL_DENSE_OPTIONS_INIT.
private func denseDefaults() -> anneal_dense_options {
    anneal_dense_options(
    struct_size: Int64(MemoryLayout<anneal_dense_options>.stride), activation: ANNEAL_ACTIVATION_LINEAR,
    kernel_initializer: ANNEAL_INITIALIZER_GLOROT_UNIFORM, bias_initializer: ANNEAL_INITIALIZER_ZEROS,
    use_bias: true, input_dim: 0)
}

@c @implementation
public func anneal_model_add_dense_ex(
    _ model: OpaquePointer?, _ units: Int32, _ options: UnsafePointer<anneal_dense_options>?
) -> Int32 {
    capiCall(function: "anneal_model_add_dense_ex") {
        try withModel(model, .restructure) { model in
            let settings = try AnnealExport.options(options, "options", type: "anneal_dense_options", defaults: denseDefaults())
            try check(settings.input_dim >= 0,
                      "options->input_dim must be a positive integer, or 0 for none. Received: input_dim=\(settings.input_dim)")
            let layer = Dense(
                Int(units), activation: try decode(settings.activation, activationCodes, "options->activation"),
                kernelInitializer: try decode(settings.kernel_initializer, initializerCodes, "options->kernel_initializer"),
                biasInitializer: try decode(settings.bias_initializer, initializerCodes, "options->bias_initializer"),
                useBias: settings.use_bias, inputDimension: settings.input_dim == 0 ? nil : Int(settings.input_dim))
            try model.add(layer)
        }
    }
}

/// SGD from the inline fields of anneal_compile_options, checked in the caller's terms first.
private func inlineSGD(_ settings: anneal_compile_options) throws -> Optimizer {
    for (value, name) in [(settings.learning_rate, "learning_rate"), (settings.momentum, "momentum"), (settings.decay, "decay")] {
        try check(value.isFinite, "options->\(name) must be a finite number. Received: \(name)=\(value)")
    }
    try check(settings.learning_rate >= 0,
              "options->learning_rate must be a non-negative finite number. Received: learning_rate=\(settings.learning_rate)")
    try check(settings.momentum >= 0 && settings.momentum <= 1,
              "options->momentum must be between [0, 1]. Received: momentum=\(settings.momentum)")
    try check(settings.decay >= 0, "options->decay must be a non-negative number. Received: decay=\(settings.decay)")
    return try SGDBox(learningRate: settings.learning_rate, schedule: nil, momentum: settings.momentum,
                      decay: settings.decay, nesterov: settings.nesterov).makeOptimizer()
}

@c @implementation
public func anneal_model_compile_ex(_ model: OpaquePointer?, _ options: UnsafePointer<anneal_compile_options>?) -> Int32 {
    capiCall(function: "anneal_model_compile_ex") {
        let pointer = try required(options, "options")
        try withModel(model, .restructure) { model in
            let settings = try AnnealExport.options(pointer, "options", type: "anneal_compile_options", defaults: pointer.pointee)
            let optimizer: Optimizer
            if let handle = settings.optimizer {
                optimizer = try Handles.object(handle, .optimizer, as: OptimizerBox.self, argument: "options->optimizer").make()
            } else {
                optimizer = try inlineSGD(settings)
            }
            let loss = Loss(try decode(settings.loss, lossCodes, "options->loss"))
            try check(settings.metric_count >= 0,
                      "options->metric_count must be non-negative. Received: metric_count=\(settings.metric_count)")
            var names: [String] = []
            if settings.metric_count > 0 {
                let codes = UnsafeBufferPointer(start: try required(settings.metrics, "options->metrics"),
                                                count: Int(settings.metric_count))
                for (i, code) in codes.enumerated() { names.append(try decode(code, metricCodes, "options->metrics[\(i)]")) }
            }
            try model.compile(optimizer: optimizer, loss: loss, metrics: names)
        }
    }
}
