#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The metrics, with tf_keras 2's names and definitions, accumulated over an epoch as Keras's stateful
/// metrics are (updated every batch, read at the end). With `p` the outputs and `y` the labels:
/// ```
/// binary_accuracy(threshold)      mean over a sample's outputs of [(p > threshold) == y]
/// categorical_accuracy            argmax(p) == argmax(y)         (ties go to the first index, as tf.argmax)
/// sparse_categorical_accuracy     argmax(p) == y
/// top_k_categorical_accuracy(k)   fewer than k outputs are strictly above p[argmax(y)]    (tf.math.in_top_k)
/// sparse_top_k_categorical_accuracy(k)   the same with the class index y
/// a loss as a metric (mae, mse, binary_crossentropy...)   the loss's per-sample value (on the logits where
///                                 the loss reads them, as Keras does through `_keras_logits`)
/// cosine_similarity               sum(y / ||y|| * p / ||p||)     (the loss's value negated)
/// ```
/// these are means of per-sample values: the result is their sum over the epoch's samples divided by the
/// sample count. The others accumulate counts over every output (labels are positive when non-zero):
/// ```
/// root_mean_squared_error         sqrt(sum((p - y)^2) / outputs seen)
/// precision(threshold)            TP / (TP + FP),  predicted positive when p > threshold     (0 when empty)
/// recall(threshold)               TP / (TP + FN)
///   (top_k, class_id)             first every output outside the row's top_k (ties to the lower index, as
///                                 tf.math.top_k) set to -1e10, then only output class_id and its label
/// auc(thresholds T, curve)        p clipped to [0, 1] counted at T thresholds -1e-7, 1/(T-1), ..., (T-2)/(T-1),
///                                 1 + 1e-7 (positive when p > threshold); ROC: sum over i of
///                                 (FPR_i - FPR_i+1) (TPR_i + TPR_i+1) / 2; PR: Davis & Goadrich's
///                                 interpolation, sum of slope_i (dTP_i + intercept_i log(P_i / P_i+1)) / positives
/// multi_label auc                 each output's own area, then their mean (weighted by label_weights)
///   summation minoring / majoring   ROC or PR (x recall, y precision) as a Riemann sum of the lower / higher
///                                 of each interval's two heights: sum of (x_i - x_i+1) min/max(y_i, y_i+1)
///   threshold values              -1e-7, the sorted values, 1 + 1e-7, each counting p > t with p unclipped
///                                 (clipped and bucketed as above when the values are evenly spaced, as Keras)
///   from_logits                   sigmoid(p) first
/// ```
/// `"accuracy"` (or `"acc"`) is resolved at compile time as Keras does: binary for a one-unit output, sparse
/// categorical for the sparse loss, categorical otherwise. Logs use the name the user passed.
public enum Metric: Equatable, Sendable {
    case accuracy
    case binaryAccuracy(threshold: Float)
    case categoricalAccuracy
    case sparseCategoricalAccuracy
    case topKCategoricalAccuracy(k: Int)
    case sparseTopKCategoricalAccuracy(k: Int)
    /// A loss function's per-sample value as a metric.
    case mean(Loss)
    case cosineSimilarity
    case rootMeanSquaredError
    /// With `topK`, only a row's `topK` largest outputs can be positive (the others count as -1e10, as
    /// Keras's `_filter_top_k`); with `classId`, only that output and its label column count.
    case precision(threshold: Float, topK: Int? = nil, classId: Int? = nil)
    case recall(threshold: Float, topK: Int? = nil, classId: Int? = nil)
    /// With `multiLabel`, every output is a label of its own (its own counts, `labels` of them: the outputs
    /// when nil), and the result is the mean of the labels' areas, or their mean weighted by `labelWeights`;
    /// without, `labelWeights` (one per output) weigh each output's counts, as Keras's `AUC(label_weights=)`.
    ///
    /// `summation` is Keras's `summation_method`; `thresholdValues` Keras's explicit `thresholds` (sorted,
    /// `thresholds` then being their count + 2: build it with ``auc(thresholdValues:curve:)``); `fromLogits`
    /// applies the sigmoid to the outputs first.
    case auc(thresholds: Int, curve: Curve, multiLabel: Bool = false, labels: Int? = nil, labelWeights: [Float]? = nil,
             summation: Summation = .interpolation, thresholdValues: [Float]? = nil, fromLogits: Bool = false)

    /// How `auc` sums the area between thresholds (Keras's `summation_method`).
    public enum Summation: String, Sendable {
        case interpolation
        case minoring
        case majoring
    }

    /// An auc at the given thresholds (Keras's `AUC(thresholds=...)`): sorted, with `thresholds` their count + 2.
    public static func auc(
        thresholdValues values: [Float], curve: Curve, multiLabel: Bool = false, labels: Int? = nil,
        labelWeights: [Float]? = nil, summation: Summation = .interpolation, fromLogits: Bool = false
    ) -> Metric {
        .auc(thresholds: values.count + 2, curve: curve, multiLabel: multiLabel, labels: labels,
             labelWeights: labelWeights, summation: summation, thresholdValues: values.sorted(), fromLogits: fromLogits)
    }

    /// The curve whose area `auc` measures.
    public enum Curve: String, Sendable {
        case roc = "ROC"
        case pr = "PR"
    }

    /// Keras's defaults.
    public static let binaryAccuracy = Metric.binaryAccuracy(threshold: 0.5)
    public static let topKCategoricalAccuracy = Metric.topKCategoricalAccuracy(k: 5)
    public static let sparseTopKCategoricalAccuracy = Metric.sparseTopKCategoricalAccuracy(k: 5)
    public static let precision = Metric.precision(threshold: 0.5)
    public static let recall = Metric.recall(threshold: 0.5)
    public static let auc = Metric.auc(thresholds: 200, curve: .roc)

    /// The metric names besides the losses' (which all name a metric too).
    static let names: [(String, Metric)] = [
        ("accuracy", .accuracy), ("acc", .accuracy),
        ("binary_accuracy", .binaryAccuracy), ("categorical_accuracy", .categoricalAccuracy),
        ("sparse_categorical_accuracy", .sparseCategoricalAccuracy),
        ("top_k_categorical_accuracy", .topKCategoricalAccuracy),
        ("sparse_top_k_categorical_accuracy", .sparseTopKCategoricalAccuracy),
        ("cosine_similarity", .cosineSimilarity), ("cosinesimilarity", .cosineSimilarity),
        ("root_mean_squared_error", .rootMeanSquaredError), ("rmse", .rootMeanSquaredError),
        ("rootmeansquarederror", .rootMeanSquaredError),
        ("precision", .precision), ("recall", .recall), ("auc", .auc),
        ("binaryaccuracy", .binaryAccuracy), ("categoricalaccuracy", .categoricalAccuracy),
        ("sparsecategoricalaccuracy", .sparseCategoricalAccuracy),
        ("topkcategoricalaccuracy", .topKCategoricalAccuracy),
        ("sparsetopkcategoricalaccuracy", .sparseTopKCategoricalAccuracy),
    ]

    /// Looks a metric up by its Keras name, alias or class name, in any case (`"accuracy"`, `"mae"`,
    /// `"binary_crossentropy"`, `"AUC"`...), with Keras's default parameters. The log name is the caller's.
    public init(name: String) throws {
        let key = name.lowercased()
        if let found = Self.names.first(where: { $0.0 == key }) {
            self = found.1
        } else if let loss = try? Loss(name: name) {
            self = .mean(loss)
        } else {
            throw AnnealError.invalidArgument(
                "Unknown metric function: '\(name)'. Expected one of: accuracy, acc, binary_accuracy, "
                    + "categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, "
                    + "sparse_top_k_categorical_accuracy, cosine_similarity, root_mean_squared_error, rmse, precision, "
                    + "recall, auc, or a loss name (mae, mse, binary_crossentropy, ...)")
        }
    }

    /// Checks the metric's parameters.
    func validate() throws {
        switch self {
        case .binaryAccuracy(let threshold):
            guard threshold.isFinite else {
                throw AnnealError.invalidArgument("`threshold` must be a finite number. Received: threshold=\(threshold)")
            }
        case .precision(let threshold, let topK, let classId), .recall(let threshold, let topK, let classId):
            guard threshold.isFinite else {
                throw AnnealError.invalidArgument("`threshold` must be a finite number. Received: threshold=\(threshold)")
            }
            if let topK, topK < 1 {
                throw AnnealError.invalidArgument("`top_k` must be a positive integer. Received: top_k=\(topK)")
            }
            if let classId, classId < 0 {
                throw AnnealError.invalidArgument("`class_id` must be a non-negative integer. Received: class_id=\(classId)")
            }
        case .topKCategoricalAccuracy(let k), .sparseTopKCategoricalAccuracy(let k):
            guard k > 0 else { throw AnnealError.invalidArgument("`k` must be a positive integer. Received: k=\(k)") }
        case .auc(let thresholds, _, let multiLabel, let labels, let labelWeights, _, let values, _):
            if let values {
                guard !values.isEmpty else {
                    throw AnnealError.invalidArgument("`thresholds` must hold at least one value. Received: thresholds=[]")
                }
                guard values.allSatisfy(\.isFinite) else {
                    throw AnnealError.invalidArgument("All values of `thresholds` must be finite numbers. Received: thresholds=\(values)")
                }
                guard thresholds == values.count + 2, values == values.sorted() else {
                    throw AnnealError.invalidArgument("`thresholds` must be sorted, with num_thresholds their count + 2. "
                        + "Received: num_thresholds=\(thresholds), thresholds=\(values)")
                }
            }
            guard thresholds > 1 else {
                throw AnnealError.invalidArgument("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=\(thresholds)")
            }
            if let labels {
                guard multiLabel else {
                    throw AnnealError.invalidArgument("`num_labels` is needed only when `multi_label` is True.")
                }
                guard labels > 0 else {
                    throw AnnealError.invalidArgument("`num_labels` must be a positive integer. Received: num_labels=\(labels)")
                }
            }
            if let labelWeights {
                guard !labelWeights.isEmpty, labelWeights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                    throw AnnealError.invalidArgument("All values of `label_weights` must be non-negative. Received: label_weights=\(labelWeights)")
                }
                if let labels, labels != labelWeights.count {
                    throw AnnealError.invalidArgument("Number of labels is not consistent: num_labels=\(labels), \(labelWeights.count) label_weights")
                }
            }
        case .mean(let loss):
            try loss.validate()
        default:
            break
        }
    }

    /// Checks the parameters that depend on the number of outputs (a `class_id` must name one).
    func check(units: Int) throws {
        switch self {
        case .precision(_, _, let classId?), .recall(_, _, let classId?):
            guard classId < units else {
                throw AnnealError.invalidArgument("`class_id` must be in [0, \(units)) for \(units) outputs. Received: class_id=\(classId)")
            }
        case .auc(_, _, _, let labels, let labelWeights, _, _, _):
            if let labels, labels != units {
                throw AnnealError.invalidArgument("Number of labels is not consistent: num_labels=\(labels), but y_pred has \(units) outputs")
            }
            if let labelWeights, labelWeights.count != units {
                throw AnnealError.invalidArgument("Number of labels is not consistent: \(labelWeights.count) label_weights, but y_pred has \(units) outputs")
            }
        default:
            break
        }
    }

    /// The concrete accuracy for a model with `units` outputs trained with `loss`.
    func resolved(units: Int, loss: Loss) -> Metric {
        if case .auc = self { return withLabels(units: units) }
        guard self == .accuracy else { return self }
        if units == 1 { return .binaryAccuracy }
        return loss.kind == .sparseCategoricalCrossentropy ? .sparseCategoricalAccuracy : .categoricalAccuracy
    }

    /// A multi-label auc with its label count: `units` when it had none.
    func withLabels(units: Int) -> Metric {
        guard case .auc(let thresholds, let curve, true, nil, let labelWeights, let summation, let values, let fromLogits) = self
        else { return self }
        return .auc(thresholds: thresholds, curve: curve, multiLabel: true, labels: units, labelWeights: labelWeights,
                    summation: summation, thresholdValues: values, fromLogits: fromLogits)
    }

    /// Whether the labels are class indices (one column) for this metric.
    var readsClassIndices: Bool {
        switch self {
        case .sparseCategoricalAccuracy, .sparseTopKCategoricalAccuracy: true
        case .mean(let loss): loss.kind == .sparseCategoricalCrossentropy
        default: false
        }
    }

    /// How many floats of running state the metric keeps.
    var stateCount: Int {
        switch self {
        case .precision, .recall: 2
        case .auc(let thresholds, _, let multiLabel, let labels, _, _, _, _):
            multiLabel ? Self.product(2 * thresholds + 2, labels ?? 1) : 2 * thresholds + 2
        default: 1
        }
    }

    /// Adds one batch to `state` (`stateCount` floats, zero at the epoch's start). `rowWeights` (one per row)
    /// weigh the rows of the accuracies and the counts of precision, recall and auc, as a weighted metric's
    /// (see `Metric+Weighted.swift`); nil counts each row once (a weight of 1, which leaves every value bit for
    /// bit as it is).
    func update(
        _ state: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, a: UnsafePointer<Float>,
        y: UnsafePointer<Float>, rows: Int, units: Int, activation: Activation,
        rowWeights: UnsafePointer<Float>? = nil
    ) {
        let count = rows * units
        switch self {
        case .accuracy, .binaryAccuracy:
            let threshold: Float = if case .binaryAccuracy(let t) = self { t } else { 0.5 }
            if units == 1 && rowWeights == nil {
                // One output, unweighted (the tutorial's): the sum of the rows' 0s and 1s, counted (exact, as
                // the float sum is, below 2^24 rows).
                var hits = 0
                for row in 0..<rows where (a[row] > threshold ? 1 : 0) == y[row] { hits += 1 }
                state[0] += Float(hits)
                return
            }
            var total: Float = 0
            for row in 0..<rows {
                var hits: Float = 0
                for u in 0..<units {
                    let predicted: Float = a[row * units + u] > threshold ? 1 : 0
                    if predicted == y[row * units + u] { hits += 1 }
                }
                total += (rowWeights?[row] ?? 1) * (hits / Float(units))
            }
            state[0] += total
        case .categoricalAccuracy:
            for row in 0..<rows where Self.argmax(a + row * units, units) == Self.argmax(y + row * units, units) {
                state[0] += rowWeights?[row] ?? 1
            }
        case .sparseCategoricalAccuracy:
            for row in 0..<rows where Float(Self.argmax(a + row * units, units)) == y[row] {
                state[0] += rowWeights?[row] ?? 1
            }
        case .topKCategoricalAccuracy(let k):
            for row in 0..<rows where Self.inTopK(a + row * units, units, target: Self.argmax(y + row * units, units), k: k) {
                state[0] += rowWeights?[row] ?? 1
            }
        case .sparseTopKCategoricalAccuracy(let k):
            for row in 0..<rows where Self.inTopK(a + row * units, units, target: Int(y[row]), k: k) {
                state[0] += rowWeights?[row] ?? 1
            }
        case .mean(let loss):
            state[0] += loss.evaluate(z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: nil)
                * Float(rows)
        case .cosineSimilarity:
            state[0] -= Loss.cosineSimilarity.evaluate(
                z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: nil) * Float(rows)
        case .rootMeanSquaredError:
            var total: Float = 0
            for i in 0..<count {
                let difference = a[i] - y[i]
                total += difference * difference
            }
            state[0] += total
        case .precision(let threshold, let topK, let classId), .recall(let threshold, let topK, let classId):
            // state: true positives, then false positives (precision) or false negatives (recall).
            let precision = if case .precision = self { true } else { false }
            let columns = classId.map { $0..<($0 + 1) } ?? 0..<units
            for row in 0..<rows {
                let w = rowWeights?[row] ?? 1
                for u in columns {
                    let i = row * units + u
                    var value = a[i]
                    if let topK, !Self.isInTopK(a + row * units, units, index: u, k: topK) {
                        value = value * 0 + Self.negativeInfinity
                    }
                    let positive = value > threshold
                    let truth = y[i] != 0
                    if positive && truth { state[0] += w }
                    if precision ? positive && !truth : !positive && truth { state[1] += w }
                }
            }
        case .auc(let thresholds, _, let multiLabel, _, let labelWeights, _, let values, let fromLogits):
            // Keras's evenly spaced thresholds: p clipped to [0, 1] falls in bucket ceil(p (T - 1)) - 1
            // (0 for p = 0, the first threshold being -1e-7); TP(t_i) is the sum of the buckets >= i.
            // state: T true-label bucket counts, T false-label bucket counts, total true, total false (one
            // such block per output with multiLabel). Without multiLabel, label weights weigh the counts.
            // Uneven threshold values t_0 < ... < t_T-1 (the epsilons included): p unclipped, counted in bucket
            // b - 1 where b thresholds are below it (none when b = 0), so the same sums give TP(t_i).
            let uneven = values.map { !Self.evenlySpaced($0) } ?? false
            let block = 2 * thresholds + 2
            for i in 0..<count {
                let u = i % units
                let counts = multiLabel ? state + u * block : state
                let labelWeight: Float = !multiLabel && labelWeights != nil ? labelWeights![u] : 1
                let weight = rowWeights.map { $0[i / units] * labelWeight } ?? labelWeight
                let output = fromLogits ? 1 / (1 + exp(-a[i])) : a[i]
                let bucket: Int
                if uneven, let values {
                    bucket = Self.thresholdsBelow(output, values) - 1
                } else {
                    let p = min(max(output, 0), 1)
                    bucket = max(Int((p * Float(thresholds - 1)).rounded(.up)) - 1, 0)
                }
                if y[i] != 0 {
                    if bucket >= 0 { counts[bucket] += weight }
                    counts[2 * thresholds] += weight
                } else {
                    if bucket >= 0 { counts[thresholds + bucket] += weight }
                    counts[2 * thresholds + 1] += weight
                }
            }
        }
    }

    /// The metric's value from its state after `rows` samples of `units` outputs.
    func result(_ state: UnsafePointer<Float>, rows: Int, units: Int) -> Float {
        switch self {
        case .rootMeanSquaredError:
            return (state[0] / Float(max(rows * units, 1))).squareRoot()
        case .precision, .recall:
            let denominator = state[0] + state[1]
            return denominator == 0 ? 0 : state[0] / denominator
        case .auc(let thresholds, let curve, let multiLabel, let labels, let labelWeights, let summation, _, _):
            guard multiLabel else { return Self.area(state, thresholds: thresholds, curve: curve, summation: summation) }
            // Keras: the labels' areas, then reduce_mean, or divide_no_nan(sum(area * w), sum(w)).
            let count = max(labels ?? 1, 1), block = 2 * thresholds + 2
            var total: Float = 0, weightSum: Float = 0
            for label in 0..<count {
                let area = Self.area(state + label * block, thresholds: thresholds, curve: curve, summation: summation)
                if let labelWeights {
                    total += area * labelWeights[label]
                    weightSum += labelWeights[label]
                } else {
                    total += area
                }
            }
            return labelWeights == nil ? total / Float(count) : Self.divideNoNaN(total, weightSum)
        default:
            return state[0] / Float(max(rows, 1))
        }
    }

    /// `a * b`, or `Int.max` when it overflows (a state no allocation can meet).
    private static func product(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : value
    }

    /// `x / y`, or 0 when `y` is 0 (`tf.math.divide_no_nan`).
    @inline(__always)
    private static func divideNoNaN(_ x: Float, _ y: Float) -> Float { y == 0 ? 0 : x / y }

    /// AUC from the bucket counts, computed as Keras's `AUC.result` (float32).
    private static func area(_ state: UnsafePointer<Float>, thresholds n: Int, curve: Curve, summation: Summation) -> Float {
        let totalTrue = state[2 * n]
        let totalFalse = state[2 * n + 1]
        // The confusion counts at threshold i: reversed cumulative sums of the buckets, walked from the top.
        var total: Float = 0
        var tpAbove: Float = 0  // TP and FP at threshold i + 1
        var fpAbove: Float = 0
        var i = n - 1
        while i > 0 {
            // Going from threshold i to i - 1.
            let tpHere = tpAbove + state[i]
            let fpHere = fpAbove + state[n + i]
            // Threshold i's counts are (tpHere, fpHere); i - 1's add the buckets i - 1.
            let tpBelow = tpHere + state[i - 1]
            let fpBelow = fpHere + state[n + i - 1]
            switch (curve, summation) {
            case (_, .minoring), (_, .majoring):
                // Keras's Riemann sum: ROC x = FPR, y = TPR; PR x = recall, y = precision.
                let fnBelow = totalTrue - tpBelow, fnHere = totalTrue - tpHere
                let xBelow: Float, xHere: Float, yBelow: Float, yHere: Float
                if curve == .roc {
                    xBelow = divideNoNaN(fpBelow, fpBelow + (totalFalse - fpBelow))
                    xHere = divideNoNaN(fpHere, fpHere + (totalFalse - fpHere))
                    yBelow = divideNoNaN(tpBelow, tpBelow + fnBelow)
                    yHere = divideNoNaN(tpHere, tpHere + fnHere)
                } else {
                    xBelow = divideNoNaN(tpBelow, tpBelow + fnBelow)
                    xHere = divideNoNaN(tpHere, tpHere + fnHere)
                    yBelow = divideNoNaN(tpBelow, tpBelow + fpBelow)
                    yHere = divideNoNaN(tpHere, tpHere + fpHere)
                }
                total += (xBelow - xHere) * (summation == .minoring ? min(yBelow, yHere) : max(yBelow, yHere))
            case (.roc, _):
                let xBelow = divideNoNaN(fpBelow, fpBelow + (totalFalse - fpBelow))
                let xHere = divideNoNaN(fpHere, fpHere + (totalFalse - fpHere))
                let yBelow = divideNoNaN(tpBelow, tpBelow + (totalTrue - tpBelow))
                let yHere = divideNoNaN(tpHere, tpHere + (totalTrue - tpHere))
                total += (xBelow - xHere) * ((yBelow + yHere) / 2)
            case (.pr, _):
                let dtp = tpBelow - tpHere
                let pBelow = tpBelow + fpBelow
                let pHere = tpHere + fpHere
                let slope = divideNoNaN(dtp, max(pBelow - pHere, 0))
                let intercept = tpHere - slope * pHere
                let ratio = pBelow > 0 && pHere > 0 ? divideNoNaN(pBelow, max(pHere, 0)) : 1
                total += divideNoNaN(slope * (dtp + intercept * log(ratio)), max(tpHere + (totalTrue - tpHere), 0))
            }
            tpAbove = tpHere
            fpAbove = fpHere
            i -= 1
        }
        return total
    }

    /// Keras's `is_evenly_distributed_thresholds` over [0, values..., 1]: each within 1e-7 + 1e-5 |even| of
    /// i / (count - 1) (numpy's allclose), for 3 or more.
    static func evenlySpaced(_ values: [Float]) -> Bool {
        let count = values.count + 2
        for i in 0..<count {
            let value = i == 0 ? 0 : i == count - 1 ? 1 : Double(values[i - 1])
            let even = Double(Float(i) / Float(count - 1))
            guard abs(value - even) <= 1e-7 + 1e-5 * abs(even) else { return false }
        }
        return true
    }

    /// Keras's thresholds for explicit values, as float32: -1e-7, the values, 1 + 1e-7.
    private static let lowestThreshold = Float(0.0 - 1e-7), highestThreshold = Float(1.0 + 1e-7)

    /// How many of the thresholds -1e-7, `values`..., 1 + 1e-7 lie below `p` (0 for NaN), by bisection.
    private static func thresholdsBelow(_ p: Float, _ values: [Float]) -> Int {
        guard p > lowestThreshold else { return 0 }
        if p > highestThreshold { return values.count + 2 }
        var low = 0, high = values.count  // values[..<low] are below p, values[high...] are not
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < p { low = middle + 1 } else { high = middle }
        }
        return 1 + low
    }

    /// Keras's `NEG_INF`: what `_filter_top_k` puts in place of the outputs outside the top k.
    static let negativeInfinity: Float = -1e10

    /// Whether `values[index]` is among the `k` that `tf.math.top_k` picks: fewer than `k` values above it or
    /// equal to it at a lower index.
    private static func isInTopK(_ values: UnsafePointer<Float>, _ count: Int, index: Int, k: Int) -> Bool {
        var before = 0
        for i in 0..<count where values[i] > values[index] || (i < index && values[i] == values[index]) { before += 1 }
        return before < k
    }

    private static func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for i in 1..<max(count, 1) where values[i] > values[best] { best = i }
        return best
    }

    /// `tf.math.in_top_k`: fewer than `k` values strictly above the target's; false when any is not finite.
    private static func inTopK(_ values: UnsafePointer<Float>, _ count: Int, target: Int, k: Int) -> Bool {
        guard target >= 0, target < count, values[target].isFinite else { return false }
        var above = 0
        for i in 0..<count {
            guard values[i].isFinite else { return false }
            if values[i] > values[target] { above += 1 }
        }
        return above < k
    }
}

/// A metric as compiled into a model: the name logs use and the concrete definition; `weighted` for Keras's
/// `weighted_metrics` (see `Metric+Weighted`).
struct CompiledMetric: Sendable {
    let name: String
    let metric: Metric
    var weighted = false
}
