#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The losses Anneal trains with, computed as Keras computes them.
///
/// Every loss is the mean over a sample's outputs, then the mean over the batch's samples.
/// When the output layer's activation is the loss's natural link, Keras computes the loss from the
/// pre-activation `z` (the logits), and so does Anneal:
/// ```
/// binary_crossentropy + sigmoid:   max(z, 0) - z * y + log(1 + exp(-|z|))        dL/dz = sigmoid(z) - y
/// categorical_crossentropy + softmax:   logsumexp(z) * sum(y) - sum(y * z)       dL/dz = softmax(z) * sum(y) - y
/// sparse_categorical_crossentropy + softmax: the same with y one-hot from the class index
/// ```
/// With any other activation the loss sees probabilities `p`, clipped to `[1e-7, 1 - 1e-7]` as Keras does:
/// ```
/// binary_crossentropy:       -(y log(p + 1e-7) + (1 - y) log(1 - p + 1e-7))
/// categorical_crossentropy:  -sum(y log(clip(p / sum(p))))                      (normalise, then clip)
/// sparse_categorical_crossentropy:  log(sum(clip(p))) - log(clip(p)[label])   (clip, then normalise)
/// mean_squared_error:        mean((p - y)^2)
/// ```
public enum Loss: String, Sendable, CaseIterable {
    case binaryCrossentropy = "binary_crossentropy"
    case categoricalCrossentropy = "categorical_crossentropy"
    case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
    case meanSquaredError = "mean_squared_error"

    /// Looks a loss up by its Keras name or alias (`"mse"`, `"bce"`...).
    public init(name: String) throws {
        switch name.lowercased() {
        case "binary_crossentropy", "bce", "binarycrossentropy": self = .binaryCrossentropy
        case "categorical_crossentropy", "cce", "categoricalcrossentropy": self = .categoricalCrossentropy
        case "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy": self = .sparseCategoricalCrossentropy
        case "mean_squared_error", "mse", "meansquarederror": self = .meanSquaredError
        default:
            throw AnnealError.invalidArgument(
                "Unknown loss function: '\(name)'. Expected one of: "
                    + Loss.allCases.map(\.rawValue).joined(separator: ", ") + " (or mse, bce)")
        }
    }

    /// The label columns this loss expects for a model with `units` outputs: 1 for the sparse loss (the class
    /// index), `units` otherwise.
    public func labelWidth(units: Int) -> Int {
        self == .sparseCategoricalCrossentropy ? 1 : units
    }

    static let epsilon: Float = 1e-7

    /// The batch's mean loss; when `gradient` is given, also dL/dz of the output layer (already divided by
    /// the batch size, as the mean makes it).
    ///
    /// `z` and `a` are the output layer's pre-activations and activations, `y` the labels
    /// (`rows x labelWidth(units:)`).
    func evaluate(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rows: Int, units: Int, activation: Activation, gradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        let scale = 1 / Float(rows * units)
        var total: Float = 0
        switch (self, activation) {
        case (.binaryCrossentropy, .sigmoid):
            for i in 0..<(rows * units) {
                let logit = z[i]
                // log(1 + e) for e = exp(-|z|) in (0, 1]: logf of the rounded 1 + e is within 1.2e-7 of log1p
                // and half its cost (this sum is the loss's hot loop; nothing trains on its value).
                total += max(logit, 0) - logit * y[i] + log(1 + exp(-abs(logit)))
                gradient?[i] = (a[i] - y[i]) * scale
            }
            return total * scale

        case (.categoricalCrossentropy, .softmax), (.sparseCategoricalCrossentropy, .softmax):
            let sparse = self == .sparseCategoricalCrossentropy
            for row in 0..<rows {
                let zRow = z + row * units
                var largest = -Float.infinity
                for u in 0..<units { largest = max(largest, zRow[u]) }
                var sum: Float = 0
                for u in 0..<units { sum += exp(zRow[u] - largest) }
                let logSumExp = largest + log(sum)
                if sparse {
                    let label = Int(y[row])
                    total += logSumExp - zRow[label]
                    if let gradient {
                        let g = gradient + row * units
                        for u in 0..<units { g[u] = a[row * units + u] / Float(rows) }
                        g[label] -= 1 / Float(rows)
                    }
                } else {
                    let yRow = y + row * units
                    var labelSum: Float = 0
                    for u in 0..<units {
                        labelSum += yRow[u]
                        total -= yRow[u] * zRow[u]
                    }
                    total += logSumExp * labelSum
                    if let gradient {
                        let g = gradient + row * units
                        for u in 0..<units { g[u] = (a[row * units + u] * labelSum - yRow[u]) / Float(rows) }
                    }
                }
            }
            return total / Float(rows)

        case (.binaryCrossentropy, _):
            let eps = Loss.epsilon
            for i in 0..<(rows * units) {
                let p = min(max(a[i], eps), 1 - eps)
                let label = y[i]
                total -= label * log(p + eps) + (1 - label) * log(1 - p + eps)
                if let gradient {
                    let clipped = a[i] < eps || a[i] > 1 - eps
                    gradient[i] = clipped ? 0 : -(label / (p + eps) - (1 - label) / (1 - p + eps)) * scale
                }
            }
            if let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
            return total * scale

        case (.sparseCategoricalCrossentropy, _):
            // Keras clips each output first, then takes log_softmax(log p): log(sum p) - log(p_label).
            // dL/da_u = (1 / sum p - [u == label] / p_label), zero where a_u was clipped.
            let eps = Loss.epsilon
            for row in 0..<rows {
                let aRow = a + row * units
                let label = Int(y[row])
                var sum: Float = 0
                for u in 0..<units { sum += min(max(aRow[u], eps), 1 - eps) }
                let p = min(max(aRow[label], eps), 1 - eps)
                total += log(sum) - log(p)
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units {
                        let clipped = aRow[u] < eps || aRow[u] > 1 - eps
                        let dp: Float = u == label ? 1 / sum - 1 / p : 1 / sum
                        g[u] = clipped ? 0 : dp / Float(rows)
                    }
                }
            }
            if let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
            return total / Float(rows)

        case (.categoricalCrossentropy, _):
            let eps = Loss.epsilon
            for row in 0..<rows {
                let aRow = a + row * units
                var sum: Float = 0
                for u in 0..<units { sum += aRow[u] }
                // dL/dp_u = -y_u / p_u (zero where clipped); dp_u/da_k = (δ_uk - p_u) / sum.
                var weighted: Float = 0
                for u in 0..<units {
                    let label = y[row * units + u]
                    let raw = aRow[u] / sum
                    let p = min(max(raw, eps), 1 - eps)
                    total -= label * log(p)
                    let dp: Float = (raw < eps || raw > 1 - eps) ? 0 : -label / p
                    gradient?[row * units + u] = dp
                    weighted += dp * raw
                }
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units { g[u] = (g[u] - weighted) / sum / Float(rows) }
                }
            }
            if let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
            return total / Float(rows)

        case (.meanSquaredError, _):
            for i in 0..<(rows * units) {
                let difference = a[i] - y[i]
                total += difference * difference
                gradient?[i] = 2 * difference * scale
            }
            if let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
            return total * scale
        }
    }
}
