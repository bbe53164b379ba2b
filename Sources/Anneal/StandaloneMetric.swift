/// A metric on its own, as Keras's metric objects are used outside `fit`:
///
/// ```swift
/// let auc = try StandaloneMetric(.auc(thresholds: 200, curve: .pr))
/// try auc.update(yTrue: labels, yPred: predictions, rows: 4, units: 1)
/// let value = auc.result()      // the area over every batch so far
/// auc.reset()
/// ```
/// The formulas are `Metric`'s, which `fit` and `evaluate` accumulate: updates without weights add to the
/// state exactly as a model's batches do, and `result` reads it as a model's log does. With `sampleWeight`,
/// each row's contribution is multiplied by its weight, as Keras's `update_state(..., sample_weight)` does:
/// means divide by the sum of the weights (root_mean_squared_error by that sum times the outputs), and the
/// counts of precision, recall and auc are weighted.
///
/// Labels: one column per output, or one class index per row for the class-index metrics
/// (`sparse_categorical_accuracy`, `sparse_top_k_categorical_accuracy`, the sparse loss). The first update
/// fixes the number of outputs until `reset`. `accuracy` is not a metric on its own (it means binary,
/// categorical or sparse categorical accuracy according to a model's output and loss): name one of those.
public final class StandaloneMetric {
    public private(set) var metric: Metric
    private var state: FloatBuffer
    /// One row's contribution, for weighted updates.
    private var scratch: FloatBuffer
    /// The outputs per row, fixed by the first update.
    public private(set) var units: Int?
    /// Rows seen since the last reset.
    public private(set) var rows = 0
    /// The sum of the rows' weights (1 for a row updated without a weight).
    private var weightSum: Float = 0
    /// Whether any update since the last reset had weights (the result then divides by `weightSum`).
    private var weighted = false

    /// - Throws: ``AnnealError/Kind/invalidArgument`` for `accuracy` or a parameter out of range;
    ///   ``AnnealError/Kind/outOfMemory`` when the state (an auc's 2 thresholds + 2 floats) cannot be allocated.
    public init(_ metric: Metric) throws {
        if metric == .accuracy {
            throw AnnealError.invalidArgument(
                "'accuracy' is resolved from a model's output and loss; on its own, name binary_accuracy, "
                    + "categorical_accuracy or sparse_categorical_accuracy")
        }
        try metric.validate()
        self.metric = metric
        state = try FloatBuffer(count: metric.stateCount, for: "the running state of a metric (\(metric.stateCount) floats)")
        scratch = try FloatBuffer(count: metric.stateCount, for: "the running state of a metric (\(metric.stateCount) floats)")
    }

    /// The columns `yTrue` has for `units` outputs.
    public func labelWidth(units: Int) -> Int { metric.readsClassIndices ? 1 : units }

    /// Adds a batch: `yPred` (rows x outputs), `yTrue` (rows x `labelWidth(units:)`) and, when given, one
    /// weight per row (see the pointer form for what is refused). A batch of no rows adds nothing.
    public func update(yTrue: Matrix, yPred: Matrix, sampleWeight: [Float]? = nil) throws {
        guard yPred.rows > 0 else { return }
        guard yTrue.rows == yPred.rows, yTrue.columns == labelWidth(units: yPred.columns) else {
            throw AnnealError.shapeMismatch(
                "y_true is \(yTrue.rows) x \(yTrue.columns) and y_pred \(yPred.rows) x \(yPred.columns); expected "
                    + "\(yPred.rows) rows of \(labelWidth(units: yPred.columns)) label columns")
        }
        if let sampleWeight, sampleWeight.count != yPred.rows {
            throw AnnealError.shapeMismatch("sample_weight has \(sampleWeight.count) values for \(yPred.rows) rows")
        }
        try yTrue.values.withUnsafeBufferPointer { labels in
            try yPred.values.withUnsafeBufferPointer { outputs in
                guard let weights = sampleWeight else {
                    return try update(yTrue: labels.baseAddress!, yPred: outputs.baseAddress!, rows: yPred.rows,
                                      units: yPred.columns)
                }
                try weights.withUnsafeBufferPointer {
                    try update(yTrue: labels.baseAddress!, yPred: outputs.baseAddress!, rows: yPred.rows,
                               units: yPred.columns, sampleWeight: $0.baseAddress!)
                }
            }
        }
    }

    /// Adds `rows` rows: `yTrue` (`rows x labelWidth(units:)`), `yPred` (`rows x units`) and, when given,
    /// one finite weight per row.
    /// - Throws: ``AnnealError/Kind/invalidArgument`` (nothing added) for `rows` or `units` below 1, `units`
    ///   other than the first update's, a value that is not finite, a class index that is not an integer in
    ///   `[0, units)`, a negative weight.
    func update(
        yTrue: UnsafePointer<Float>, yPred: UnsafePointer<Float>, rows: Int, units: Int,
        sampleWeight: UnsafePointer<Float>? = nil
    ) throws {
        guard rows >= 1 else { throw AnnealError.invalidArgument("rows must be at least 1. Received: rows=\(rows)") }
        guard units >= 1 else { throw AnnealError.invalidArgument("units must be at least 1. Received: units=\(units)") }
        if let fixed = self.units, fixed != units {
            throw AnnealError.invalidArgument(
                "y_pred has \(units) columns, but this metric's earlier updates had \(fixed); reset it to start over")
        }
        try metric.check(units: units)
        let width = labelWidth(units: units)
        for i in 0..<rows * units where !yPred[i].isFinite {
            throw AnnealError.invalidArgument("y_pred[\(i / units)][\(i % units)] is \(yPred[i]), not a finite number")
        }
        for i in 0..<rows * width {
            let label = yTrue[i]
            guard label.isFinite else {
                throw AnnealError.invalidArgument("y_true[\(i / width)][\(i % width)] is \(label), not a finite number")
            }
            if metric.readsClassIndices, !(label >= 0 && label < Float(units) && label == label.rounded()) {
                throw AnnealError.invalidArgument("y_true[\(i)] = \(label) is not a class index in [0, \(units))")
            }
        }
        if let sampleWeight {
            for row in 0..<rows where !(sampleWeight[row].isFinite && sampleWeight[row] >= 0) {
                throw AnnealError.invalidArgument(
                    "sample_weight[\(row)] is \(sampleWeight[row]); weights must be finite and non-negative")
            }
        }
        if self.units == nil { try resolve(units: units) }
        self.units = units
        self.rows += rows
        guard let sampleWeight else {
            metric.update(state.base, z: yPred, a: yPred, y: yTrue, rows: rows, units: units, activation: .linear)
            weightSum += Float(rows)
            return
        }
        // Row by row: its contribution to the state, times its weight.
        weighted = true
        for row in 0..<rows {
            scratch.zero()
            metric.update(scratch.base, z: yPred + row * units, a: yPred + row * units, y: yTrue + row * width,
                          rows: 1, units: units, activation: .linear)
            let weight = sampleWeight[row]
            for i in 0..<scratch.count { state.base[i] += weight * scratch.base[i] }
            weightSum += weight
        }
    }

    /// The metric over every row since the last reset (0 before any).
    public func result() -> Float {
        guard let units else { return 0 }
        guard weighted else { return metric.result(state.base, rows: rows, units: units) }
        return metric.weightedResult(state.base, weightSum: weightSum, rows: rows, units: units)
    }

    /// Replaces the metric by `metric` (a precision or recall given its `topK` and `classId`, an auc its
    /// labels) and forgets every update.
    /// - Throws: ``AnnealError/Kind/invalidArgument`` for `accuracy` or bad parameters;
    ///   ``AnnealError/Kind/outOfMemory`` for a state that cannot be allocated (the metric is then unchanged).
    public func reconfigure(_ metric: Metric) throws {
        guard metric != .accuracy else {
            throw AnnealError.invalidArgument("'accuracy' is resolved from a model's output and loss; name binary_accuracy, categorical_accuracy or sparse_categorical_accuracy")
        }
        try metric.validate()
        try allocate(metric)
        reset()
    }

    /// Makes `metric` this object's metric with a state of its size.
    private func allocate(_ metric: Metric) throws {
        if metric.stateCount != state.count {
            let newState = try FloatBuffer(count: metric.stateCount, for: "the running state of a metric (\(metric.stateCount) floats)")
            scratch = try FloatBuffer(count: metric.stateCount, for: "the running state of a metric (\(metric.stateCount) floats)")
            state = newState
        }
        self.metric = metric
    }

    /// At the first update: a multi-label auc without a label count takes the outputs' (Keras's build).
    private func resolve(units: Int) throws {
        let concrete = metric.withLabels(units: units)
        if concrete != metric { try allocate(concrete) }
    }

    /// Forgets every update (Keras's `reset_state`).
    public func reset() {
        state.zero()
        units = nil
        rows = 0
        weightSum = 0
        weighted = false
    }

    /// Adds `other`'s state to this one (Keras's `merge_state`): the same metric with the same parameters.
    /// - Throws: ``AnnealError/Kind/invalidArgument`` for another metric or another number of outputs.
    public func merge(_ other: StandaloneMetric) throws {
        let outputs = other.units ?? units ?? 1
        guard other.metric.withLabels(units: outputs) == metric.withLabels(units: outputs) else {
            throw AnnealError.invalidArgument(
                "cannot merge the state of a \(other.metric.descriptionKind) metric into a \(metric.descriptionKind) metric "
                    + "of other parameters or kind: merge the same metric with the same parameters")
        }
        guard let otherUnits = other.units else { return }
        if units == nil { try resolve(units: otherUnits) }
        if let units, units != otherUnits {
            throw AnnealError.invalidArgument("cannot merge a metric of \(otherUnits) outputs into one of \(units)")
        }
        if other === self {
            for i in 0..<state.count { state.base[i] += state.base[i] }
        } else {
            for i in 0..<state.count { state.base[i] += other.state.base[i] }
        }
        units = otherUnits
        rows += other.rows
        weightSum += other.weightSum
        weighted = weighted || other.weighted
    }
}
