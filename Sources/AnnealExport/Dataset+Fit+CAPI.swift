import Anneal
import CAnneal

// Fit, evaluate and predict on an anneal_dataset: the dataset's matrices go to the core as they are (no
// copy), so the results are those of the matrix functions on the same numbers, bit for bit.

/// Compares a dataset's widths with the model's (input width; the loss's label columns when `labels`) before
/// anything runs, in the words of the C argument `name`.
private func checkWidths(of model: Sequential, _ data: DatasetBox, _ name: String, labels: Bool) throws {
    if let inputs = model.inputDimension, data.features.columns != inputs {
        throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                        "\(name) has \(data.features.columns) features; the model's input width is \(inputs)")
    }
    guard labels, let loss = model.loss, let units = model.layers.last?.units else { return }
    let width = loss.labelWidth(units: units)
    if data.labels.columns != width {
        throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                        "\(name) has \(data.labels.columns) label columns; \(loss.name) over \(units) output units takes \(width)")
    }
}

/// ANNEAL_FIT_OPTIONS_INIT.
func fitDefaults() -> anneal_fit_options {
    anneal_fit_options(
    struct_size: Int64(MemoryLayout<anneal_fit_options>.stride), epochs: 1, batch_size: 32, validation_split: 0,
    validation_data: nil, shuffle: true, has_seed: false, seed: 0, schedule: nil, callback: nil, user_data: nil)
}

@c @implementation
public func anneal_model_fit_dataset(
    _ model: OpaquePointer?, _ dataset: OpaquePointer?, _ options: UnsafePointer<anneal_fit_options>?,
    _ out_history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    fitCall(
        "anneal_model_fit_dataset", model, options, out_history,
        data: { try AnnealExport.dataset(dataset) },
        check: { sequential, data, validation in
            try checkWidths(of: sequential, data, "dataset", labels: true)
            guard let validation else { return }
            try checkWidths(of: sequential, validation, "options->validation_data", labels: true)
            guard validation.features.columns == data.features.columns, validation.labels.columns == data.labels.columns else {
                throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                                "options->validation_data is \(validation.features.columns) features and \(validation.labels.columns) label columns; dataset is \(data.features.columns) and \(data.labels.columns)")
            }
        },
        training: { (x: $0.features, y: $0.labels) })
}

@c @implementation
public func anneal_model_evaluate_dataset(
    _ model: OpaquePointer?, _ dataset: OpaquePointer?, _ batch_size: Int32, _ out_values: UnsafeMutablePointer<Double>?,
    _ capacity: Int32, _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall(function: "anneal_model_evaluate_dataset") {
        try withModel(model) { model in
            let data = try AnnealExport.dataset(dataset)
            try checkCompiled(model, "anneal_model_evaluate_dataset")
            try check(batch_size >= 1, "batch_size must be at least 1. Received: batch_size=\(batch_size)")
            try checkWidths(of: model, data, "dataset", labels: true)
            let logs = try model.evaluate(data.features, data.labels, batchSize: Int(batch_size))
            try copyOut(logs.values, to: out_values, capacity: capacity, count: out_count, "out_values")
        }
    }
}

@c @implementation
public func anneal_model_predict_dataset(
    _ model: OpaquePointer?, _ dataset: OpaquePointer?, _ batch_size: Int32, _ out: UnsafeMutablePointer<Float>?,
    _ capacity: Int64
) -> Int32 {
    capiCall(function: "anneal_model_predict_dataset") {
        try withModel(model) { model in
            let data = try AnnealExport.dataset(dataset)
            guard let units = model.layers.last?.units else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "the model has no layers: call anneal_model_add_dense first")
            }
            try check(batch_size >= 1, "batch_size must be at least 1. Received: batch_size=\(batch_size)")
            try checkWidths(of: model, data, "dataset", labels: false)
            let out = try required(out, "out")
            let (needed, overflow) = data.features.rows.multipliedReportingOverflow(by: units)
            guard !overflow, capacity >= Int64(needed) else {
                throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL,
                                "out holds \(capacity) floats; rows x output_dim = \(data.features.rows) x \(units) are needed")
            }
            let outputs = try model.predict(data.features, batchSize: Int(batch_size))
            try copyOut(outputs.values, to: out, capacity: capacity, "out")
        }
    }
}
