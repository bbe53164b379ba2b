/// The output layer's values of an epoch's training batches (pre-activations, activations, labels and sample
/// weights, batch after batch), from which the epoch's running loss and metrics are computed afterwards, as
/// the training steps would have: batch by batch, in order, with the same calls, so with the same bits.
///
/// `TrainingSession.runEpochs` trains with one (a step then computes only the loss's gradient) and has the
/// helper thread compute the epoch's values beside the next epoch, with its validation. Sized once per
/// session; recording a batch allocates nothing.
final class EpochRecord {
    private let z: FloatBuffer
    private let a: FloatBuffer
    private let y: FloatBuffer
    private let weights: FloatBuffer
    private let units: Int
    private let labelWidth: Int
    /// Per recorded batch: its rows, and whether it had sample weights.
    private var batches: [(rows: Int, weighted: Bool)]
    /// The rows recorded.
    private(set) var rows = 0

    init(rows capacity: Int, units: Int, labelWidth: Int, batchCount: Int) throws {
        let what = "the outputs of an epoch's \(capacity) training rows, kept for its loss and metrics"
        z = try FloatBuffer(count: try ByteCount.product(capacity, units, what), for: what)
        a = try FloatBuffer(count: z.count, for: what)
        y = try FloatBuffer(count: try ByteCount.product(capacity, labelWidth, what), for: what)
        weights = try FloatBuffer(count: capacity, for: what)
        self.units = units
        self.labelWidth = labelWidth
        batches = []
        batches.reserveCapacity(batchCount)
    }

    /// Forgets every batch: the next epoch's start.
    func clear() {
        batches.removeAll(keepingCapacity: true)
        rows = 0
    }

    /// Appends a batch of `count` rows: its output layer's `z` and `a`, labels `y`, and sample weights or nil.
    func record(z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>, rows count: Int,
                weights: UnsafePointer<Float>?) {
        (self.z.base + rows * units).update(from: z, count: count * units)
        (self.a.base + rows * units).update(from: a, count: count * units)
        (self.y.base + rows * labelWidth).update(from: y, count: count * labelWidth)
        if let weights { (self.weights.base + rows).update(from: weights, count: count) }
        batches.append((count, weights != nil))
        rows += count
    }

    /// Adds every recorded batch's loss (times its rows) to `lossTotal` and its outputs to `metrics`, as
    /// `TrainingSession`'s step does.
    func replay(loss: Loss, activation: Activation, metrics: MetricAccumulator, lossTotal: inout Float) {
        var start = 0
        for index in 0..<batches.count {
            let (count, weighted) = batches[index]
            let z = UnsafePointer(self.z.base + start * units), a = UnsafePointer(self.a.base + start * units)
            let y = UnsafePointer(self.y.base + start * labelWidth)
            let weights = weighted ? UnsafePointer(self.weights.base + start) : nil
            let batchLoss = loss.evaluate(z: z, a: a, y: y, rows: count, units: units, activation: activation,
                                          gradient: nil, weights: weights)
            lossTotal += batchLoss * Float(count)
            metrics.update(z: z, a: a, y: y, rows: count, units: units, activation: activation, weights: weights)
            start += count
        }
    }
}
