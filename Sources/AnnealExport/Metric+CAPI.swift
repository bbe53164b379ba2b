import Anneal
import CAnneal

// anneal_metric: a metric on its own (Keras's metric objects outside fit), over the core's StandaloneMetric.

/// The metric named `name` (as anneal_model_compile takes it) with the parameters of anneal_model_set_metric
/// and anneal_metric_create, checked in the C arguments' terms.
func parameterizedMetric(_ name: String, threshold: Double, k: Int32, numThresholds: Int32, curve: Int32) throws -> Metric {
    try check(threshold.isFinite, "threshold must be a finite number. Received: threshold=\(threshold)")
    try check(k > 0, "k must be a positive integer. Received: k=\(k)")
    try check(numThresholds > 1, "num_thresholds must be an integer > 1. Received: num_thresholds=\(numThresholds)")
    let curveValue = try decode(curve, curveCodes, "curve")
    let value = try Metric(name: name)
    switch value {
    case .binaryAccuracy: return .binaryAccuracy(threshold: Float(threshold))
    case .precision: return .precision(threshold: Float(threshold))
    case .recall: return .recall(threshold: Float(threshold))
    case .topKCategoricalAccuracy: return .topKCategoricalAccuracy(k: Int(k))
    case .sparseTopKCategoricalAccuracy: return .sparseTopKCategoricalAccuracy(k: Int(k))
    case .auc: return .auc(thresholds: Int(numThresholds), curve: curveValue)
    default: return value
    }
}

/// `metric`, a precision or recall, with the C arguments top_k (0: none) and class_id (-1: none).
func limited(_ metric: Metric, topK: Int32, classId: Int32) throws -> Metric {
    try check(topK >= 0, "top_k must be a positive integer, or 0 for none. Received: top_k=\(topK)")
    try check(classId >= -1, "class_id must be a non-negative integer, or -1 for none. Received: class_id=\(classId)")
    let k = topK == 0 ? nil : Int(topK)
    let id = classId == -1 ? nil : Int(classId)
    switch metric {
    case .precision(let threshold, _, _): return .precision(threshold: threshold, topK: k, classId: id)
    case .recall(let threshold, _, _): return .recall(threshold: threshold, topK: k, classId: id)
    default: throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "top_k and class_id are for precision and recall metrics only")
    }
}

/// `metric`, an auc, with the C arguments multi_label, num_labels (0: none) and label_weights.
func labelled(_ metric: Metric, multiLabel: Bool, labels: Int32, weights: UnsafePointer<Float>?, count: Int32) throws -> Metric {
    guard case .auc(let thresholds, let curve, _, _, _, let summation, let values, let fromLogits) = metric else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "multi_label, num_labels and label_weights are for auc metrics only")
    }
    try check(labels >= 0, "num_labels must be a positive integer, or 0 for none. Received: num_labels=\(labels)")
    try nonNegative(count, "label_weight_count")
    var labelWeights: [Float]?
    if count > 0 {
        try reserve(Int(count), of: MemoryLayout<Float>.stride, "label_weights")
        labelWeights = Array(UnsafeBufferPointer(start: try required(weights, "label_weights"), count: Int(count)))
    }
    return .auc(thresholds: thresholds, curve: curve, multiLabel: multiLabel, labels: labels == 0 ? nil : Int(labels),
                labelWeights: labelWeights, summation: summation, thresholdValues: values, fromLogits: fromLogits)
}

/// `metric`, an auc, with the C arguments summation_method, thresholds (threshold_count 0: none) and from_logits.
func summed(_ metric: Metric, summation: Int32, thresholds: UnsafePointer<Float>?, count: Int32, fromLogits: Bool) throws -> Metric {
    guard case .auc(let number, let curve, let multiLabel, let labels, let labelWeights, _, _, _) = metric else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "summation_method, thresholds and from_logits are for auc metrics only")
    }
    let method = try decode(summation, summationCodes, "summation_method")
    try nonNegative(count, "threshold_count")
    guard count > 0 else {
        return .auc(thresholds: number, curve: curve, multiLabel: multiLabel, labels: labels, labelWeights: labelWeights,
                    summation: method, fromLogits: fromLogits)
    }
    try reserve(Int(count), of: MemoryLayout<Float>.stride, "thresholds")
    let values = Array(UnsafeBufferPointer(start: try required(thresholds, "thresholds"), count: Int(count)))
    for value in values {
        try check(value.isFinite, "thresholds must be finite numbers. Received: \(value)")
    }
    return .auc(thresholdValues: values, curve: curve, multiLabel: multiLabel, labels: labels, labelWeights: labelWeights,
                summation: method, fromLogits: fromLogits)
}

/// The metric behind `handle`, held for the call (one call at a time).
private func withMetric<R>(_ handle: OpaquePointer?, _ argument: String = "metric",
                           _ body: (StandaloneMetric) throws -> R) throws -> R {
    let (entry, metric) = try Handles.entry(handle, .metric, holding: StandaloneMetric.self, argument: argument)
    return try Handles.holding([entry], .use) { try body(metric) }
}

/// The C calls that re-parameterize a metric object: it becomes `change(metric)`, its totals reset.
/// `function` is the export's name, for its messages.
private func reconfigure(
    _ metric: OpaquePointer?, function: String = #function, _ change: (Metric) throws -> Metric
) -> Int32 {
    capiCall(function: function) {
        try withMetric(metric) { object in try object.reconfigure(try change(object.metric)) }
    }
}

@c @implementation
public func anneal_metric_create(
    _ metric: UnsafePointer<CChar>?, _ threshold: Double, _ k: Int32, _ num_thresholds: Int32, _ curve: Int32,
    _ out_metric: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_metric, "out_metric") {
        let value = try parameterizedMetric(try string(metric, "metric"), threshold: threshold, k: k,
                                            numThresholds: num_thresholds, curve: curve)
        return try Handles.register(try StandaloneMetric(value), .metric)
    }
}

@c @implementation
public func anneal_metric_free(_ metric: OpaquePointer?) {
    Handles.remove(metric, .metric)
}

@c @implementation
public func anneal_metric_update(
    _ metric: OpaquePointer?, _ y_true: UnsafePointer<Float>?, _ y_pred: UnsafePointer<Float>?, _ rows: Int64,
    _ units: Int32, _ sample_weight: UnsafePointer<Float>?
) -> Int32 {
    capiCall {
        try withMetric(metric) { object in
            try check(units >= 1, "units must be at least 1. Received: units=\(units)")
            _ = try elementCount(rows: rows, columns: units, "y_pred", columnsName: "units")
            let width = Int32(object.labelWidth(units: Int(units)))
            let labels = try matrix(try required(y_true, "y_true"), rows: rows, columns: width, "y_true", columnsName: "units")
            let outputs = try matrix(try required(y_pred, "y_pred"), rows: rows, columns: units, "y_pred", columnsName: "units")
            var weights: [Float]?
            if let sample_weight {
                try reserve(Int(rows), of: MemoryLayout<Float>.stride, "sample_weight")
                weights = Array(UnsafeBufferPointer(start: sample_weight, count: Int(rows)))
            }
            try object.update(yTrue: labels, yPred: outputs, sampleWeight: weights)
        }
    }
}

@c @implementation
public func anneal_metric_result(_ metric: OpaquePointer?, _ out_value: UnsafeMutablePointer<Double>?) -> Int32 {
    capiCall {
        try withMetric(metric) { object in
            let out = try required(out_value, "out_value")
            out.pointee = Double(object.result())
        }
    }
}

@c @implementation
public func anneal_metric_label_columns(
    _ metric: OpaquePointer?, _ units: Int32, _ out_columns: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall {
        try withMetric(metric) { object in
            let out = try required(out_columns, "out_columns")
            try check(units >= 1, "units must be at least 1. Received: units=\(units)")
            out.pointee = Int32(object.labelWidth(units: Int(units)))
        }
    }
}

@c @implementation
public func anneal_metric_reset(_ metric: OpaquePointer?) -> Int32 {
    capiCall { try withMetric(metric) { $0.reset() } }
}

@c @implementation
public func anneal_metric_merge(_ metric: OpaquePointer?, _ other: OpaquePointer?) -> Int32 {
    capiCall {
        let (source, otherMetric) = try Handles.entry(other, .metric, holding: StandaloneMetric.self, argument: "other")
        try withMetric(metric) { object in
            if object === otherMetric {
                try object.merge(otherMetric)
            } else {
                try Handles.holding([source], .use) { try object.merge(otherMetric) }
            }
        }
    }
}

@c @implementation
public func anneal_metric_set_top_k(_ metric: OpaquePointer?, _ top_k: Int32, _ class_id: Int32) -> Int32 {
    reconfigure(metric) { try limited($0, topK: top_k, classId: class_id) }
}

@c @implementation
public func anneal_metric_set_auc_labels(
    _ metric: OpaquePointer?, _ multi_label: Bool, _ num_labels: Int32, _ label_weights: UnsafePointer<Float>?,
    _ label_weight_count: Int32
) -> Int32 {
    reconfigure(metric) {
        try labelled($0, multiLabel: multi_label, labels: num_labels, weights: label_weights, count: label_weight_count)
    }
}

@c @implementation
public func anneal_metric_set_auc_method(
    _ metric: OpaquePointer?, _ summation_method: Int32, _ thresholds: UnsafePointer<Float>?, _ threshold_count: Int32,
    _ from_logits: Bool
) -> Int32 {
    reconfigure(metric) {
        try summed($0, summation: summation_method, thresholds: thresholds, count: threshold_count,
                   fromLogits: from_logits)
    }
}
