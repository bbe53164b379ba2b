/// A compiled metric as a model-file record, and back: its log name (percent-encoded, as the Python package
/// writes its layers' names), the concrete metric and every parameter it carries, so that a loaded model logs
/// and computes the same metrics under the same names.
///
/// ```
/// metric name=accuracy kind=binary_accuracy threshold=0.5
/// metric name=pr_auc kind=auc num_thresholds=50 curve=PR
/// metric name=top3 kind=top_k_categorical_accuracy k=3
/// metric name=precision kind=precision threshold=-1e+10 top_k=1 class_id=2
/// metric name=auc kind=auc num_thresholds=200 curve=ROC multi_label=true num_labels=3 label_weights=1.0,0.5,2.0
/// metric name=auc_1 kind=auc num_thresholds=5 curve=PR summation_method=minoring thresholds=0.2,0.5,0.7 from_logits=true
/// metric name=mae kind=mean loss=mean_absolute_error from_logits=false label_smoothing=0.0 delta=1.0
/// ```
/// `accuracy` is stored as what compile resolved it to (binary, categorical or sparse categorical). A record
/// may leave parameters out (Keras's defaults then) and name its kind as compile does (`kind=mae`), as the
/// Python package writes the metrics of a Keras file.
extension CompiledMetric {
    var descriptionRecord: ModelDescription.Record {
        var fields: [(String, String)] = [("name", ModelDescription.percentEncoded(name)), ("kind", metric.descriptionKind)]
        switch metric {
        case .binaryAccuracy(let threshold):
            fields.append(("threshold", "\(threshold)"))
        case .precision(let threshold, let topK, let classId), .recall(let threshold, let topK, let classId):
            fields.append(("threshold", "\(threshold)"))
            if let topK { fields.append(("top_k", "\(topK)")) }
            if let classId { fields.append(("class_id", "\(classId)")) }
        case .topKCategoricalAccuracy(let k), .sparseTopKCategoricalAccuracy(let k):
            fields.append(("k", "\(k)"))
        case .auc(let thresholds, let curve, let multiLabel, let labels, let labelWeights, let summation, let values, let fromLogits):
            fields += [("num_thresholds", "\(thresholds)"), ("curve", curve.rawValue)]
            if multiLabel { fields.append(("multi_label", "true")) }
            if let labels { fields.append(("num_labels", "\(labels)")) }
            if let labelWeights { fields.append(("label_weights", labelWeights.map { "\($0)" }.joined(separator: ","))) }
            if summation != .interpolation { fields.append(("summation_method", summation.rawValue)) }
            if let values { fields.append(("thresholds", values.map { "\($0)" }.joined(separator: ","))) }
            if fromLogits { fields.append(("from_logits", "true")) }
        case .mean(let loss):
            fields += [("loss", loss.name), ("from_logits", "\(loss.fromLogits)"),
                       ("label_smoothing", "\(loss.labelSmoothing)"), ("delta", "\(loss.delta)")]
        default:
            break
        }
        return ModelDescription.Record("metric", fields)
    }

    /// The log name and metric a `metric` record describes.
    static func make(from record: ModelDescription.Record, _ read: DescriptionReader) throws -> (name: String, metric: Metric) {
        let encoded = try read.string(record, "name")
        guard let name = ModelDescription.percentDecoded(encoded), !name.isEmpty else {
            throw read.fail(record, "name=\(encoded) is not a percent-encoded name")
        }
        let kind = try read.string(record, "kind")
        // A parameter absent from the record (one the Python package wrote from a Keras file) is Keras's default.
        func float(_ key: String, _ fallback: Float) throws -> Float { record[key] == nil ? fallback : try read.float(record, key) }
        func int(_ key: String, _ fallback: Int) throws -> Int { record[key] == nil ? fallback : try read.int(record, key) }
        let metric: Metric
        switch kind {
        case "binary_accuracy": metric = .binaryAccuracy(threshold: try float("threshold", 0.5))
        case "precision", "recall":
            let topK = record["top_k"] == nil ? nil : try read.int(record, "top_k")
            let classId = record["class_id"] == nil ? nil : try read.int(record, "class_id")
            // Keras's default threshold is -1e10 with top_k (every output of the top k is positive), 0.5 without.
            let threshold = try float("threshold", topK == nil ? 0.5 : Metric.negativeInfinity)
            metric = kind == "precision" ? .precision(threshold: threshold, topK: topK, classId: classId)
                : .recall(threshold: threshold, topK: topK, classId: classId)
        case "top_k_categorical_accuracy": metric = .topKCategoricalAccuracy(k: try int("k", 5))
        case "sparse_top_k_categorical_accuracy": metric = .sparseTopKCategoricalAccuracy(k: try int("k", 5))
        case "auc":
            let curveText = record["curve"] ?? "ROC"
            guard let curve = Metric.Curve(rawValue: curveText) else { throw read.fail(record, "unknown curve=\(curveText)") }
            let labels = record["num_labels"] == nil ? nil : try read.int(record, "num_labels")
            var labelWeights: [Float]?
            if record["label_weights"] != nil {
                labelWeights = try read.list(record, "label_weights").map { text in
                    guard let value = Float(text) else { throw read.fail(record, "label_weights=\(text) is not a number") }
                    return value
                }
            }
            let summationText = record["summation_method"] ?? "interpolation"
            guard let summation = Metric.Summation(rawValue: summationText) else {
                throw read.fail(record, "unknown summation_method=\(summationText)")
            }
            var values: [Float]?
            if record["thresholds"] != nil {
                values = try read.list(record, "thresholds").map { text in
                    guard let value = Float(text) else { throw read.fail(record, "thresholds=\(text) is not a number") }
                    return value
                }
            }
            metric = .auc(thresholds: try int("num_thresholds", values.map { $0.count + 2 } ?? 200), curve: curve,
                          multiLabel: record["multi_label"] == nil ? false : try read.bool(record, "multi_label"),
                          labels: labels, labelWeights: labelWeights, summation: summation, thresholdValues: values,
                          fromLogits: record["from_logits"] == nil ? false : try read.bool(record, "from_logits"))
        case "mean":
            var loss = try Loss(name: try read.string(record, "loss"))
            if record["from_logits"] != nil { loss.fromLogits = try read.bool(record, "from_logits") }
            loss.labelSmoothing = try float("label_smoothing", loss.labelSmoothing)
            loss.delta = try float("delta", loss.delta)
            metric = .mean(loss)
        default:
            // Any other name compile takes ("accuracy", "mae", "cosine_similarity"...), at Keras's defaults.
            guard let named = try? Metric(name: kind) else { throw read.fail(record, "unknown metric kind=\(kind)") }
            metric = named
        }
        do {
            try metric.validate()
        } catch let error as AnnealError {
            throw read.fail(record, error.message)
        }
        return (name, metric)
    }
}

extension Metric {
    /// The `kind` of a `metric` record.
    var descriptionKind: String {
        switch self {
        case .accuracy: "accuracy"
        case .binaryAccuracy: "binary_accuracy"
        case .categoricalAccuracy: "categorical_accuracy"
        case .sparseCategoricalAccuracy: "sparse_categorical_accuracy"
        case .topKCategoricalAccuracy: "top_k_categorical_accuracy"
        case .sparseTopKCategoricalAccuracy: "sparse_top_k_categorical_accuracy"
        case .mean: "mean"
        case .cosineSimilarity: "cosine_similarity"
        case .rootMeanSquaredError: "root_mean_squared_error"
        case .precision: "precision"
        case .recall: "recall"
        case .auc: "auc"
        }
    }
}

extension ModelDescription {
    /// `text` with every byte but ASCII letters, digits and `_.-~` written `%XX` (Python's
    /// `urllib.parse.quote(text, safe="")`), so that it holds no space, `=`, `,` or newline.
    public static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "_.-~".unicodeScalars.contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// The text `percentEncoded` wrote, or nil for a malformed `%` sequence or bytes that are not UTF-8.
    public static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
