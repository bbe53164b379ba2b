import Anneal
import CAnneal

// anneal_model_add_dense and anneal_model_compile: the layer and compile settings as named fields of
// versioned structs, and metrics by ANNEAL_METRIC_* code as losses are (the codes: Names+CAPI.swift).

/// ANNEAL_DENSE_OPTIONS_INIT.
private func denseDefaults() -> anneal_dense_options {
    anneal_dense_options(
    struct_size: Int64(MemoryLayout<anneal_dense_options>.stride), activation: ANNEAL_ACTIVATION_LINEAR,
    kernel_initializer: ANNEAL_INITIALIZER_GLOROT_UNIFORM, bias_initializer: ANNEAL_INITIALIZER_ZEROS,
    use_bias: true, input_dim: 0)
}

@c @implementation
public func anneal_model_add_dense(
    _ model: OpaquePointer?, _ units: Int32, _ options: UnsafePointer<anneal_dense_options>?
) -> Int32 {
    capiCall(function: "anneal_model_add_dense") {
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
public func anneal_model_compile(_ model: OpaquePointer?, _ options: UnsafePointer<anneal_compile_options>?) -> Int32 {
    capiCall(function: "anneal_model_compile") {
        let pointer = try required(options, "options")
        try withModel(model, .restructure) { model in
            let settings = try AnnealExport.options(pointer, "options", type: "anneal_compile_options", defaults: pointer.pointee)
            let optimizer: Optimizer
            switch (settings.optimizer, settings.sgd) {
            case (.some, .some):
                throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                                "options->optimizer and options->sgd are both set: give one of them (or neither, for the inline SGD settings)")
            case (let handle?, nil):
                optimizer = try Handles.object(handle, .optimizer, as: OptimizerBox.self, argument: "options->optimizer").make()
            case (nil, let handle?):
                optimizer = try Handles.object(handle, .sgd, as: SGDBox.self, argument: "options->sgd").makeOptimizer()
            case (nil, nil):
                optimizer = try inlineSGD(settings)
            }
            let loss = Loss(try decode(settings.loss, lossCodes, "options->loss"))
            try check(settings.metric_count >= 0,
                      "options->metric_count must be non-negative. Received: metric_count=\(settings.metric_count)")
            try check(settings.metric_name_count >= 0,
                      "options->metric_name_count must be non-negative. Received: metric_name_count=\(settings.metric_name_count)")
            var names: [String] = []
            if settings.metric_count > 0 {
                let codes = UnsafeBufferPointer(start: try required(settings.metrics, "options->metrics"),
                                                count: Int(settings.metric_count))
                for (i, code) in codes.enumerated() { names.append(try decode(code, metricCodes, "options->metrics[\(i)]")) }
            }
            if settings.metric_name_count > 0 {
                let list = UnsafeBufferPointer(start: try required(settings.metric_names, "options->metric_names"),
                                               count: Int(settings.metric_name_count))
                for (i, name) in list.enumerated() { names.append(try string(name, "options->metric_names[\(i)]")) }
            }
            try model.compile(optimizer: optimizer, loss: loss, metrics: names)
        }
    }
}
