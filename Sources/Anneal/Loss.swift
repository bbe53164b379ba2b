#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A loss Anneal trains with, computed as tf_keras 2 computes it: a kind (`Kind`) and the parameters Keras's
/// loss classes take (`from_logits`, `label_smoothing`, Huber's `delta`).
///
/// Every loss gives one value per sample (the mean over its outputs, or a sum over them where Keras sums),
/// then the batch's value is the sum over samples divided by the batch size (Keras's
/// `SUM_OVER_BATCH_SIZE`). With `y` the labels, `p` the outputs and `ε = 1e-7`:
/// ```
/// binary_crossentropy             mean(-(y log(p + ε) + (1 - y) log(1 - p + ε)))   p clipped to [ε, 1 - ε]
///          from logits l:         mean(max(l, 0) - l y + log(1 + exp(-|l|)))
/// categorical_crossentropy        -sum(y log(clip(p / sum(p))))                     (normalise, then clip)
///          from logits l:         logsumexp(l) sum(y) - sum(y l)
/// sparse_categorical_crossentropy log(sum(clip(p))) - log(clip(p)[label])          (clip, then normalise)
/// mean_squared_error              mean((p - y)^2)
/// mean_absolute_error             mean(|p - y|)
/// mean_absolute_percentage_error  100 mean(|y - p| / max(|y|, ε))
/// mean_squared_logarithmic_error  mean((log(max(p, ε) + 1) - log(max(y, ε) + 1))^2)
/// huber                           mean(|e| <= δ ? e^2 / 2 : δ |e| - δ^2 / 2),  e = p - y
/// log_cosh                        mean(e + softplus(-2 e) - log 2),            e = p - y
/// hinge                           mean(max(1 - y p, 0))           y in {0, 1} over the batch -> 2 y - 1
/// squared_hinge                   mean(max(1 - y p, 0)^2)         (the same label conversion)
/// categorical_hinge               max(max((1 - y) p) - sum(y p) + 1, 0)
/// kl_divergence                   sum(y' log(y' / p')),  y', p' clipped to [ε, 1]
/// poisson                         mean(p - y log(p + ε))
/// cosine_similarity               -sum(y / ||y|| * p / ||p||),  ||v|| = sqrt(max(sum v^2, 1e-12))
/// ```
/// When the output layer's activation is the cross-entropy's natural link (sigmoid for binary, softmax for
/// the categorical ones), Keras computes the loss from the pre-activation `z` (the logits), and so does
/// Anneal; with `fromLogits` the outputs themselves are the logits. `labelSmoothing` s replaces the labels
/// by `y (1 - s) + s / 2` (binary) or `y (1 - s) + s / units` (categorical) first.
public struct Loss: Equatable, Sendable {
    /// The loss functions, by their Keras names.
    public enum Kind: String, Sendable, CaseIterable {
        case binaryCrossentropy = "binary_crossentropy"
        case categoricalCrossentropy = "categorical_crossentropy"
        case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
        case meanSquaredError = "mean_squared_error"
        case meanAbsoluteError = "mean_absolute_error"
        case meanAbsolutePercentageError = "mean_absolute_percentage_error"
        case meanSquaredLogarithmicError = "mean_squared_logarithmic_error"
        case huber
        case logCosh = "log_cosh"
        case hinge
        case squaredHinge = "squared_hinge"
        case categoricalHinge = "categorical_hinge"
        case klDivergence = "kl_divergence"
        case poisson
        case cosineSimilarity = "cosine_similarity"
    }

    public var kind: Kind
    /// The outputs are logits (binary and categorical cross-entropies only).
    public var fromLogits: Bool
    /// In [0, 1]: how far the labels are pulled towards uniform (binary and categorical cross-entropy only).
    public var labelSmoothing: Float
    /// Huber's threshold between the quadratic and the linear part.
    public var delta: Float

    public init(_ kind: Kind, fromLogits: Bool = false, labelSmoothing: Float = 0, delta: Float = 1) {
        self.kind = kind
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
        self.delta = delta
    }

    public static let binaryCrossentropy = Loss(.binaryCrossentropy)
    public static let categoricalCrossentropy = Loss(.categoricalCrossentropy)
    public static let sparseCategoricalCrossentropy = Loss(.sparseCategoricalCrossentropy)
    public static let meanSquaredError = Loss(.meanSquaredError)
    public static let meanAbsoluteError = Loss(.meanAbsoluteError)
    public static let meanAbsolutePercentageError = Loss(.meanAbsolutePercentageError)
    public static let meanSquaredLogarithmicError = Loss(.meanSquaredLogarithmicError)
    public static let huber = Loss(.huber)
    public static let logCosh = Loss(.logCosh)
    public static let hinge = Loss(.hinge)
    public static let squaredHinge = Loss(.squaredHinge)
    public static let categoricalHinge = Loss(.categoricalHinge)
    public static let klDivergence = Loss(.klDivergence)
    public static let poisson = Loss(.poisson)
    public static let cosineSimilarity = Loss(.cosineSimilarity)

    /// Every kind with its default parameters.
    public static var allCases: [Loss] { Kind.allCases.map { Loss($0) } }

    /// The Keras function name (`"mean_absolute_error"`).
    public var name: String { kind.rawValue }

    /// Keras's aliases and class names (lowercased) for each kind, besides its function name.
    static let aliases: [String: Kind] = [
        "bce": .binaryCrossentropy, "binarycrossentropy": .binaryCrossentropy,
        "cce": .categoricalCrossentropy, "categoricalcrossentropy": .categoricalCrossentropy,
        "sparsecategoricalcrossentropy": .sparseCategoricalCrossentropy,
        "mse": .meanSquaredError, "meansquarederror": .meanSquaredError,
        "mae": .meanAbsoluteError, "meanabsoluteerror": .meanAbsoluteError,
        "mape": .meanAbsolutePercentageError, "meanabsolutepercentageerror": .meanAbsolutePercentageError,
        "msle": .meanSquaredLogarithmicError, "meansquaredlogarithmicerror": .meanSquaredLogarithmicError,
        "huber_loss": .huber,
        "logcosh": .logCosh,
        "squaredhinge": .squaredHinge, "categoricalhinge": .categoricalHinge,
        "kld": .klDivergence, "kullback_leibler_divergence": .klDivergence, "kldivergence": .klDivergence,
        "cosinesimilarity": .cosineSimilarity,
    ]

    /// Looks a loss up by its Keras name, alias or class name, in any case (`"mse"`, `"kld"`, `"Huber"`...).
    public init(name: String) throws {
        let key = name.lowercased()
        guard let kind = Kind(rawValue: key) ?? Self.aliases[key] else {
            throw AnnealError.invalidArgument(
                "Unknown loss function: '\(name)'. Expected one of: "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    + " (or bce, cce, mse, mae, mape, msle, logcosh, kld)")
        }
        self.init(kind)
    }

    /// Checks the parameters against what the kind accepts.
    func validate() throws {
        guard labelSmoothing.isFinite, labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw AnnealError.invalidArgument("`label_smoothing` must be in [0, 1]. Received: label_smoothing=\(labelSmoothing)")
        }
        guard delta.isFinite else {
            throw AnnealError.invalidArgument("`delta` must be a finite number. Received: delta=\(delta)")
        }
        let crossentropy: Set<Kind> = [.binaryCrossentropy, .categoricalCrossentropy, .sparseCategoricalCrossentropy]
        if fromLogits, !crossentropy.contains(kind) {
            throw AnnealError.invalidArgument("\(name) has no `from_logits` argument; only the cross-entropies do")
        }
        if labelSmoothing != 0, kind != .binaryCrossentropy, kind != .categoricalCrossentropy {
            throw AnnealError.invalidArgument(
                "\(name) has no `label_smoothing` argument; only binary_crossentropy and categorical_crossentropy do")
        }
    }

    /// The label columns this loss expects for a model with `units` outputs: 1 for the sparse loss (the class
    /// index), `units` otherwise.
    public func labelWidth(units: Int) -> Int {
        kind == .sparseCategoricalCrossentropy ? 1 : units
    }

    static let epsilon: Float = 1e-7

    /// The batch's mean loss; when `gradient` is given, also dL/dz of the output layer (already divided by
    /// the batch size, as the mean makes it).
    ///
    /// `z` and `a` are the output layer's pre-activations and activations, `y` the labels
    /// (`rows x labelWidth(units:)`). `binaryHingeLabels` overrides the hinge losses' look at the labels (whether
    /// they are all 0 or 1), which Keras makes over the whole batch: `rowLosses` evaluates one row at a time.
    func evaluate(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rows: Int, units: Int, activation: Activation, gradient: UnsafeMutablePointer<Float>?,
        binaryHingeLabels: Bool? = nil, needsValue: Bool = true
    ) -> Float {
        switch kind {
        case .binaryCrossentropy:
            if fromLogits || activation == .sigmoid {
                let total = binaryFromLogits(
                    fromLogits ? a : z, sigmoid: fromLogits ? nil : a, y: y, count: rows * units, gradient: gradient,
                    needsValue: needsValue)
                if fromLogits, let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
                return total
            }
        case .categoricalCrossentropy, .sparseCategoricalCrossentropy:
            if fromLogits || activation == .softmax {
                let total = categoricalFromLogits(
                    fromLogits ? a : z, softmax: fromLogits ? nil : a, y: y, rows: rows, units: units, gradient: gradient)
                if fromLogits, let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
                return total
            }
        default:
            break
        }
        let total = fromOutputs(
            a, y: y, rows: rows, units: units, gradient: gradient, binaryHingeLabels: binaryHingeLabels)
        if let gradient { activation.backward(gradient, z: z, a: a, rows: rows, units: units) }
        return total
    }

    /// The label after smoothing: `y (1 - s) + s / classes`.
    @inline(__always)
    private func smoothed(_ label: Float, classes: Int) -> Float {
        labelSmoothing == 0 ? label : label * (1 - labelSmoothing) + labelSmoothing / Float(classes)
    }

    /// Binary cross-entropy from logits `l`; dL/dl = (sigmoid(l) - y) / count, with `sigmoid` the layer's
    /// outputs when they are sigmoid(l) (computed here otherwise).
    private func binaryFromLogits(
        _ l: UnsafePointer<Float>, sigmoid: UnsafePointer<Float>?, y: UnsafePointer<Float>, count: Int, gradient: UnsafeMutablePointer<Float>?,
        needsValue: Bool
    ) -> Float {
        let scale = 1 / Float(count)
        var total: Float = 0
        for i in 0..<count {
            let logit = l[i]
            let label = smoothed(y[i], classes: 2)
            // log(1 + e) for e = exp(-|l|) in (0, 1]: logf of the rounded 1 + e is within 1.2e-7 of log1p
            // and half its cost (this sum is the loss's hot loop; nothing trains on its value).
            if needsValue { total += max(logit, 0) - logit * label + log(1 + exp(-abs(logit))) }
            if let gradient { gradient[i] = ((sigmoid?[i] ?? 1 / (1 + exp(-logit))) - label) * scale }
        }
        return total * scale
    }

    /// Categorical (or, for the sparse kind, sparse) cross-entropy from logits `l`;
    /// dL/dl = (softmax(l) sum(y) - y) / rows, with `softmax` the layer's outputs when they are softmax(l)
    /// (computed here otherwise).
    private func categoricalFromLogits(
        _ l: UnsafePointer<Float>, softmax: UnsafePointer<Float>?, y: UnsafePointer<Float>, rows: Int, units: Int,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        let sparse = kind == .sparseCategoricalCrossentropy
        var total: Float = 0
        for row in 0..<rows {
            let lRow = l + row * units
            var largest = -Float.infinity
            for u in 0..<units { largest = max(largest, lRow[u]) }
            var sum: Float = 0
            for u in 0..<units { sum += exp(lRow[u] - largest) }
            let logSumExp = largest + log(sum)
            if sparse {
                let label = Int(y[row])
                total += logSumExp - lRow[label]
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units { g[u] = (softmax?[row * units + u] ?? exp(lRow[u] - logSumExp)) / Float(rows) }
                    g[label] -= 1 / Float(rows)
                }
            } else {
                let yRow = y + row * units
                var labelSum: Float = 0
                for u in 0..<units {
                    let label = smoothed(yRow[u], classes: units)
                    labelSum += label
                    total -= label * lRow[u]
                }
                total += logSumExp * labelSum
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units {
                        let probability = softmax?[row * units + u] ?? exp(lRow[u] - logSumExp)
                        g[u] = (probability * labelSum - smoothed(yRow[u], classes: units)) / Float(rows)
                    }
                }
            }
        }
        return total / Float(rows)
    }

    /// Every loss on the outputs `p` themselves; the gradient is dL/dp (the caller applies the activation's).
    private func fromOutputs(
        _ p: UnsafePointer<Float>, y: UnsafePointer<Float>, rows: Int, units: Int,
        gradient: UnsafeMutablePointer<Float>?, binaryHingeLabels: Bool?
    ) -> Float {
        let eps = Loss.epsilon
        let count = rows * units
        // Losses that are a mean over a sample's outputs: per-element value and derivative, then mean.
        let scale = 1 / Float(count)
        var total: Float = 0
        switch kind {
        case .binaryCrossentropy:
            for i in 0..<count {
                let clipped = min(max(p[i], eps), 1 - eps)
                let label = smoothed(y[i], classes: 2)
                total -= label * log(clipped + eps) + (1 - label) * log(1 - clipped + eps)
                if let gradient {
                    let outside = p[i] < eps || p[i] > 1 - eps
                    gradient[i] = outside ? 0 : -(label / (clipped + eps) - (1 - label) / (1 - clipped + eps)) * scale
                }
            }
            return total * scale

        case .sparseCategoricalCrossentropy:
            // Keras clips each output first, then takes log_softmax(log p): log(sum p) - log(p_label).
            // dL/da_u = (1 / sum p - [u == label] / p_label), zero where a_u was clipped.
            for row in 0..<rows {
                let aRow = p + row * units
                let label = Int(y[row])
                var sum: Float = 0
                for u in 0..<units { sum += min(max(aRow[u], eps), 1 - eps) }
                let pLabel = min(max(aRow[label], eps), 1 - eps)
                total += log(sum) - log(pLabel)
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units {
                        let outside = aRow[u] < eps || aRow[u] > 1 - eps
                        let dp: Float = u == label ? 1 / sum - 1 / pLabel : 1 / sum
                        g[u] = outside ? 0 : dp / Float(rows)
                    }
                }
            }
            return total / Float(rows)

        case .categoricalCrossentropy:
            for row in 0..<rows {
                let aRow = p + row * units
                var sum: Float = 0
                for u in 0..<units { sum += aRow[u] }
                // dL/dq_u = -y_u / q_u (zero where clipped); dq_u/da_k = (δ_uk - q_u) / sum.
                var weighted: Float = 0
                for u in 0..<units {
                    let label = smoothed(y[row * units + u], classes: units)
                    let raw = aRow[u] / sum
                    let q = min(max(raw, eps), 1 - eps)
                    total -= label * log(q)
                    let dq: Float = (raw < eps || raw > 1 - eps) ? 0 : -label / q
                    gradient?[row * units + u] = dq
                    weighted += dq * raw
                }
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units { g[u] = (g[u] - weighted) / sum / Float(rows) }
                }
            }
            return total / Float(rows)

        case .meanSquaredError:
            for i in 0..<count {
                let difference = p[i] - y[i]
                total += difference * difference
                gradient?[i] = 2 * difference * scale
            }
            return total * scale

        case .meanAbsoluteError:
            for i in 0..<count {
                let difference = p[i] - y[i]
                total += abs(difference)
                gradient?[i] = sign(difference) * scale
            }
            return total * scale

        case .meanAbsolutePercentageError:
            for i in 0..<count {
                let denominator = max(abs(y[i]), eps)
                total += abs((y[i] - p[i]) / denominator)
                gradient?[i] = 100 * sign(p[i] - y[i]) / denominator * scale
            }
            return 100 * (total * scale)

        case .meanSquaredLogarithmicError:
            for i in 0..<count {
                let difference = log(max(p[i], eps) + 1) - log(max(y[i], eps) + 1)
                total += difference * difference
                // tf.maximum passes the gradient to its first argument where it is >= the second.
                gradient?[i] = p[i] >= eps ? 2 * difference / (p[i] + 1) * scale : 0
            }
            return total * scale

        case .huber:
            for i in 0..<count {
                let error = p[i] - y[i]
                let absolute = abs(error)
                if absolute <= delta {
                    total += 0.5 * (error * error)
                    gradient?[i] = error * scale
                } else {
                    total += delta * absolute - 0.5 * (delta * delta)
                    gradient?[i] = delta * sign(error) * scale
                }
            }
            return total * scale

        case .logCosh:
            let log2: Float = log(2)
            for i in 0..<count {
                let error = p[i] - y[i]
                total += error + Activation.softplus(-2 * error) - log2
                gradient?[i] = hyperbolicTangent(error) * scale
            }
            return total * scale

        case .hinge, .squaredHinge:
            // Keras's _maybe_convert_labels: labels all 0 or 1 over the batch become -1 or 1.
            let binary = binaryHingeLabels ?? Loss.labelsAreBinary(y, count: count)
            let squared = kind == .squaredHinge
            for i in 0..<count {
                let label = binary ? 2 * y[i] - 1 : y[i]
                let margin = max(1 - label * p[i], 0)
                total += squared ? margin * margin : margin
                if let gradient {
                    let slope: Float = squared ? 2 * margin : (1 - label * p[i] > 0 ? 1 : 0)
                    gradient[i] = -label * slope * scale
                }
            }
            return total * scale

        case .poisson:
            for i in 0..<count {
                total += p[i] - y[i] * log(p[i] + eps)
                gradient?[i] = (1 - y[i] / (p[i] + eps)) * scale
            }
            return total * scale

        case .categoricalHinge:
            for row in 0..<rows {
                let pRow = p + row * units
                let yRow = y + row * units
                var positive: Float = 0
                var negative = -Float.infinity
                var largest = 0
                for u in 0..<units {
                    positive += yRow[u] * pRow[u]
                    let other = (1 - yRow[u]) * pRow[u]
                    if other > negative {
                        negative = other
                        largest = u
                    }
                }
                let value = max(negative - positive + 1, 0)
                total += value
                if let gradient {
                    let g = gradient + row * units
                    for u in 0..<units {
                        let d: Float = value > 0 ? -yRow[u] + (u == largest ? 1 - yRow[u] : 0) : 0
                        g[u] = d / Float(rows)
                    }
                }
            }
            return total / Float(rows)

        case .klDivergence:
            for row in 0..<rows {
                for u in 0..<units {
                    let i = row * units + u
                    let label = min(max(y[i], eps), 1)
                    let q = min(max(p[i], eps), 1)
                    total += label * log(label / q)
                    gradient?[i] = p[i] >= eps && p[i] <= 1 ? -label / q / Float(rows) : 0
                }
            }
            return total / Float(rows)

        case .cosineSimilarity:
            for row in 0..<rows {
                let pRow = p + row * units
                let yRow = y + row * units
                var pSquares: Float = 0
                var ySquares: Float = 0
                for u in 0..<units {
                    pSquares += pRow[u] * pRow[u]
                    ySquares += yRow[u] * yRow[u]
                }
                // l2_normalize: v * rsqrt(max(sum v^2, 1e-12)).
                let pInverse = 1 / max(pSquares, 1e-12).squareRoot()
                let yInverse = 1 / max(ySquares, 1e-12).squareRoot()
                var dot: Float = 0
                for u in 0..<units { dot += yRow[u] * yInverse * (pRow[u] * pInverse) }
                total -= dot
                if let gradient {
                    // d/dp of -ŷ·p̂: -(ŷ - (ŷ·p̂) p̂) / ||p|| (the norm's max is constant below 1e-12).
                    let inside = pSquares > 1e-12
                    let g = gradient + row * units
                    for u in 0..<units {
                        let normalized = yRow[u] * yInverse
                        let d = inside ? -(normalized - dot * pRow[u] * pInverse) * pInverse : -normalized * pInverse
                        g[u] = d / Float(rows)
                    }
                }
            }
            return total / Float(rows)
        }
    }
}

extension Loss {
    /// Whether every one of `count` labels is 0 or 1 (Keras's hinge losses then read them as -1 or 1).
    static func labelsAreBinary(_ y: UnsafePointer<Float>, count: Int) -> Bool {
        for i in 0..<count where y[i] != 0 && y[i] != 1 { return false }
        return true
    }
}

/// -1, 0 or 1, as TensorFlow's `sign` (the gradient of `abs`).
@inline(__always)
private func sign(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }

/// C's `tanhf`.
@inline(__always)
private func hyperbolicTangent(_ x: Float) -> Float { tanh(x) }
