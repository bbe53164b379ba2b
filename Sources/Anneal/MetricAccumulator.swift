/// The running state of a model's metrics over an epoch (or an evaluation): every metric's `stateCount`
/// floats side by side in one buffer, sized once, so that a batch's update allocates nothing.
///
/// The size comes from the caller (an AUC's `num_thresholds`), so it is summed with overflow checks and the
/// buffer asked of the failable `FloatBuffer`: a state too big for memory is `AnnealError.outOfMemory` where
/// the accumulator is made (a session's init, an evaluation's start), never in a step.
final class MetricAccumulator {
    let metrics: [Metric]
    /// Whether each metric is weighted by the batch's sample weights (Keras's `weighted_metrics`).
    let weighted: [Bool]
    private let offsets: [Int]
    private let state: FloatBuffer

    /// A model's compiled metrics, each weighted or not as compiled.
    convenience init(_ compiled: [CompiledMetric]) throws {
        try self.init(compiled.map(\.metric), weighted: compiled.map(\.weighted))
    }

    init(_ metrics: [Metric], weighted: [Bool]? = nil) throws {
        self.metrics = metrics
        let weighted = weighted ?? [Bool](repeating: false, count: metrics.count)
        self.weighted = weighted
        var offsets: [Int] = []
        var size = 0
        for (metric, isWeighted) in zip(metrics, weighted) {
            offsets.append(size)
            size = try ByteCount.sum(size, isWeighted ? metric.weightedStateCount : metric.stateCount,
                                     "the running state of \(metrics.count) metrics")
        }
        self.offsets = offsets
        state = try FloatBuffer(count: size, for: "the running state of \(metrics.count) metrics (\(size) floats)")
    }

    var count: Int { metrics.count }

    /// Clears every metric's state (Keras's `reset_state`).
    func reset() { state.zero() }

    /// Adds one batch (see `Metric.update`); the weighted metrics take the rows' `weights` (one per row; nil
    /// weighs every row 1), the others ignore them.
    func update(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>, rows: Int, units: Int,
        activation: Activation, weights: UnsafePointer<Float>? = nil
    ) {
        // An index loop: the generic iterators of enumerated() allocate in unoptimized builds.
        for index in 0..<metrics.count {
            if weighted[index] {
                metrics[index].update(state.base + offsets[index], z: z, a: a, y: y, rows: rows, units: units,
                                      activation: activation, weights: weights)
            } else {
                metrics[index].update(state.base + offsets[index], z: z, a: a, y: y, rows: rows, units: units,
                                      activation: activation)
            }
        }
    }

    /// Metric `index`'s value after `rows` samples of `units` outputs.
    func result(_ index: Int, rows: Int, units: Int) -> Float {
        weighted[index] ? metrics[index].weightedResult(state.base + offsets[index], units: units)
            : metrics[index].result(state.base + offsets[index], rows: rows, units: units)
    }
}
