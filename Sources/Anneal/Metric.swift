/// The accuracy metrics, with Keras's names and definitions.
///
/// ```
/// binary_accuracy:             mean over outputs of [(p > 0.5) == y]
/// categorical_accuracy:        argmax(p) == argmax(y)          (ties go to the first index, as tf.argmax)
/// sparse_categorical_accuracy: argmax(p) == y
/// ```
/// `"accuracy"` (or `"acc"`) is resolved at compile time as Keras does: binary for a one-unit output, sparse
/// categorical for the sparse loss, categorical otherwise. Logs use the name the user passed.
public enum Metric: String, Sendable, CaseIterable {
    case accuracy
    case binaryAccuracy = "binary_accuracy"
    case categoricalAccuracy = "categorical_accuracy"
    case sparseCategoricalAccuracy = "sparse_categorical_accuracy"

    /// Looks a metric up by name; `"acc"` is kept as the log name (see `CompiledMetric`).
    public init(name: String) throws {
        switch name {
        case "accuracy", "acc": self = .accuracy
        default:
            guard let metric = Metric(rawValue: name) else {
                throw AnnealError.invalidArgument(
                    "Unknown metric function: '\(name)'. Expected one of: accuracy, acc, "
                        + Metric.allCases.dropFirst().map(\.rawValue).joined(separator: ", "))
            }
            self = metric
        }
    }

    /// The concrete accuracy for a model with `units` outputs trained with `loss`.
    func resolved(units: Int, loss: Loss) -> Metric {
        guard self == .accuracy else { return self }
        if units == 1 { return .binaryAccuracy }
        return loss == .sparseCategoricalCrossentropy ? .sparseCategoricalAccuracy : .categoricalAccuracy
    }

    /// The sum over the batch's samples of each sample's value (accumulated, then divided by the row count).
    func sum(a: UnsafePointer<Float>, y: UnsafePointer<Float>, rows: Int, units: Int) -> Float {
        var total: Float = 0
        switch self {
        case .binaryAccuracy, .accuracy:
            for row in 0..<rows {
                var hits: Float = 0
                for u in 0..<units {
                    let predicted: Float = a[row * units + u] > 0.5 ? 1 : 0
                    if predicted == y[row * units + u] { hits += 1 }
                }
                total += hits / Float(units)
            }
        case .categoricalAccuracy:
            for row in 0..<rows where Self.argmax(a + row * units, units) == Self.argmax(y + row * units, units) {
                total += 1
            }
        case .sparseCategoricalAccuracy:
            for row in 0..<rows where Float(Self.argmax(a + row * units, units)) == y[row] {
                total += 1
            }
        }
        return total
    }

    private static func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for i in 1..<max(count, 1) where values[i] > values[best] { best = i }
        return best
    }
}

/// A metric as compiled into a model: the name logs use and the concrete definition.
struct CompiledMetric: Sendable {
    let name: String
    let metric: Metric
}
