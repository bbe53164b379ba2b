/// One `fit`'s worth of training state over fixed data: the split, the batch order, the workspace and the
/// epoch's running sums.
///
/// `Sequential.fit` drives it with callbacks; the C library and the Python package drive it directly, one
/// epoch or one batch at a time, so that they can run their own callbacks between calls. Everything a
/// training step needs is allocated here, once: `trainBatch` allocates nothing.
///
/// Batches follow Keras: the training rows (the first `floor(n * (1 - validationSplit))` rows, taken
/// before any shuffling) are put in a fresh random order each epoch when `shuffle` is on, then cut into
/// consecutive batches of `batchSize`, the last one possibly shorter. Each batch's loss is computed with
/// the weights before its update; the epoch's `loss` and metrics are row-weighted means of the batch values.
///
/// Sample weights (`setSampleWeights`, `setValidationSampleWeights`) weight each row's loss as Keras 2 does:
/// a batch's loss is `sum(w_i * l_i) / rows` (see `Loss.evaluate(...weights:)`), so the epoch's `loss`, a
/// row-weighted mean of those, is `sum(w_i * l_i)` over the epoch's rows divided by their number. The metrics
/// given as `metrics` are not weighted; those compiled as `weightedMetrics` are (see `Metric+Weighted`).
public final class TrainingSession {
    public let model: Sequential
    public let batchSize: Int
    public let trainingRows: Int
    public let validationRows: Int
    public let shuffle: Bool

    let x: Matrix
    let y: Matrix
    let validation: (x: Matrix, y: Matrix, rows: Range<Int>)?
    let network: Network
    let optimizer: Optimizer
    let loss: Loss
    let workspace: Workspace
    /// The model's metrics and their running state.
    private let metrics: MetricAccumulator
    /// The same metrics' state for validation on this thread (`validationTotals()`).
    private let validationMetrics: MetricAccumulator
    private var order: [Int]
    /// One weight per training row (indexed like the rows, not like the batch order), or nil: all 1.
    private var sampleWeights: FloatBuffer?
    /// One weight per validation row, or nil: all 1.
    private var validationSampleWeights: FloatBuffer?
    /// The current batch's sample weights, gathered in batch order.
    private let batchWeights: FloatBuffer
    private var generator: SeededGenerator
    /// `runEpochs`' task for the helper thread (`overlappingTask()`).
    private var epochValuesTask: EpochValuesTask?

    // Running sums of the current epoch.
    private var lossTotal: Float = 0
    private var rowsSeen = 0
    public private(set) var batchesDone = 0

    /// Prepares training on `x`, `y` with Keras's `fit` arguments.
    ///
    /// - Parameters:
    ///   - validationSplit: the fraction of the LAST rows held out, in [0, 1); ignored when
    ///     `validationData` is given.
    ///   - seed: seeds the shuffling; nil draws it from the model's generator.
    public init(
        model: Sequential, x: Matrix, y: Matrix, batchSize: Int = 32,
        validationSplit: Double = 0, validationData: (x: Matrix, y: Matrix)? = nil,
        shuffle: Bool = true, seed: UInt64? = nil
    ) throws {
        try Sequential.checkBatchSize(batchSize)
        guard validationSplit.isFinite, validationSplit >= 0, validationSplit < 1 else {
            throw AnnealError.invalidArgument(
                "`validation_split` must be in the range [0, 1). Received: validation_split=\(validationSplit)")
        }
        let (network, optimizer, loss) = try model.compiledNetwork(inputDimension: x.columns)
        try model.checkData(x, y, network: network, loss: loss, role: "fit")
        self.model = model
        self.network = network
        self.optimizer = optimizer
        self.loss = loss
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.x = x
        self.y = y

        if let validationData {
            try model.checkData(validationData.x, validationData.y, network: network, loss: loss, role: "validation")
            validation = (validationData.x, validationData.y, 0..<validationData.x.rows)
            trainingRows = x.rows
            validationRows = validationData.x.rows
        } else if validationSplit > 0 {
            // Keras: split_at = int(n * (1 - validation_split)); the last rows validate.
            let split = Int((Double(x.rows) * (1 - validationSplit)).rounded(.down))
            guard split > 0, split < x.rows else {
                throw AnnealError.invalidArgument(
                    "validation_split=\(validationSplit) leaves \(split) of \(x.rows) rows for training and \(x.rows - split) for validation; both must be non-empty")
            }
            validation = (x, y, split..<x.rows)
            trainingRows = split
            validationRows = x.rows - split
        } else {
            validation = nil
            trainingRows = x.rows
            validationRows = 0
        }

        try ByteCount.probe(try ByteCount.of(trainingRows, MemoryLayout<Int>.stride, "the batch order"),
                            "the batch order of \(trainingRows) rows")
        order = Array(0..<trainingRows)
        generator = SeededGenerator(seed: seed ?? model.generator.nextSeed())
        metrics = try MetricAccumulator(model.metrics)
        validationMetrics = try MetricAccumulator(model.metrics)
        workspace = try model.workspace(
            network: network, capacity: min(batchSize, trainingRows), labelWidth: y.columns, training: true)
        batchWeights = try FloatBuffer(count: min(batchSize, trainingRows), for: "the batch's sample weights")
        // Asked for now, not at the first update, so that a model too big for its optimizer's state fails here
        // and no step allocates.
        try optimizer.prepare(parameterCount: network.parameters.count)
    }

    /// Weights each training row's loss by `weights[i]` (Keras's `sample_weight` for row `i` of the training
    /// rows: with a `validationSplit`, the first `trainingRows` of `fit`'s weights); nil weighs every row 1.
    /// Takes effect from the next batch trained.
    ///
    /// - Throws: `.shapeMismatch` when there is not one weight per training row, `.nonFinite` for a NaN or
    ///   infinite weight.
    public func setSampleWeights(_ weights: [Float]?) throws {
        sampleWeights = try Self.checkedWeights(weights, rows: trainingRows, role: "sample_weight")
    }

    /// Weights each validation row's loss (`val_loss`) by `weights[i]`; nil weighs every row 1.
    ///
    /// - Throws: as `setSampleWeights`, and `.invalidState` when the session has no validation rows.
    public func setValidationSampleWeights(_ weights: [Float]?) throws {
        guard validation != nil || weights == nil else {
            throw AnnealError.invalidState("this session has no validation data to weight")
        }
        validationSampleWeights = try Self.checkedWeights(weights, rows: validationRows, role: "validation sample_weight")
        epochValuesTask?.sampleWeights = validationSampleWeights
    }

    /// `weights` copied into a buffer after checking its length and values (nil stays nil).
    static func checkedWeights(_ weights: [Float]?, rows: Int, role: String) throws -> FloatBuffer? {
        guard let weights else { return nil }
        guard weights.count == rows else {
            throw AnnealError.shapeMismatch(
                "\(role) has \(weights.count) values, but there are \(rows) rows to weight; give one weight per sample")
        }
        if let index = indexOfFirstNonFinite(weights) {
            throw AnnealError.nonFinite("\(role)[\(index)] is \(weights[index]); every sample weight must be finite")
        }
        let buffer = try FloatBuffer(count: rows, for: "\(rows) sample weights")
        buffer.update(from: weights)
        return buffer
    }

    /// Updates per epoch: `ceil(trainingRows / batchSize)`.
    public var batchCount: Int { (trainingRows + batchSize - 1) / batchSize }

    public var hasValidation: Bool { validation != nil }

    /// Starts an epoch: a fresh batch order (when shuffling) and cleared running sums.
    public func beginEpoch() {
        if shuffle {
            // Fisher-Yates with the session's own generator, on local copies: each access to a class's stored
            // property is checked for exclusivity at run time, which cost more than the swaps.
            var generator = self.generator
            order.withUnsafeMutableBufferPointer { order in
                var i = order.count - 1
                while i > 0 {
                    let j = Int(generator.next(upperBound: UInt64(i + 1)))
                    order.swapAt(i, j)
                    i -= 1
                }
            }
            self.generator = generator
        }
        lossTotal = 0
        metrics.reset()
        rowsSeen = 0
        batchesDone = 0
    }

    /// Trains on batch `index` of the current epoch (0-based): forward, loss, backward, one optimizer update.
    public func trainBatch(_ index: Int) throws {
        guard index >= 0, index < batchCount else {
            throw AnnealError.invalidArgument("index must be in [0, \(batchCount)), the epoch's batches. Received: index=\(index)")
        }
        try trainStep(index)
    }

    /// Trains every batch of a fresh epoch and returns its logs (training values only).
    public func trainEpoch() throws -> Logs {
        try trainBatches()
        return runningLogs()
    }

    /// Begins an epoch and trains every batch of it, each step recording into `record` when one is given.
    private func trainBatches(record: EpochRecord? = nil) throws {
        beginEpoch()
        record?.clear()
        for index in 0..<batchCount { try trainStep(index, record: record) }
    }

    /// Batch `index`'s step (a valid index). With a `record`, the step computes the loss's gradient only and
    /// appends the batch's outputs to the record, whose replay adds the loss and metrics later.
    private func trainStep(_ index: Int, record: EpochRecord? = nil) throws {
        let start = index * batchSize
        let rows = min(batchSize, trainingRows - start)
        order.withUnsafeBufferPointer { workspace.gather(x: x, y: y, order: $0, start: start, count: rows) }
        var weights: UnsafePointer<Float>?
        if let sampleWeights {
            for k in 0..<rows { batchWeights.base[k] = sampleWeights.base[order[start + k]] }
            weights = UnsafePointer(batchWeights.base)
        }
        // The packed kernels the last update wrote are current unless the parameters changed since (a callback's
        // set_weights between batches, another session of the same model).
        let packedKernelsAreCurrent = workspace.packedKernelsVersion == network.parameters.version
        network.forward(workspace, rows: rows, packedKernelsAreCurrent: packedKernelsAreCurrent, training: true)
        let last = network.layouts.count - 1
        let units = network.outputs
        let (z, a, labels) = (workspace.preActivations[last].base, workspace.activations[last].base, workspace.labels.base)
        let activation = network.layouts[last].activation
        if let record {
            loss.gradient(z: z, a: a, y: labels, rows: rows, units: units, activation: activation,
                          into: workspace.deltas[last].base, weights: weights)
            record.record(z: z, a: a, y: labels, rows: rows, weights: weights)
        } else {
            let batchLoss = loss.evaluate(z: z, a: a, y: labels, rows: rows, units: units, activation: activation,
                                          gradient: workspace.deltas[last].base, weights: weights)
            lossTotal += batchLoss * Float(rows)
            metrics.update(z: z, a: a, y: labels, rows: rows, units: units, activation: activation, weights: weights)
        }
        rowsSeen += rows
        workspace.packedKernelsVersion = nil
        try optimizer.trainStep(network: network, workspace: workspace, rows: rows)
        network.parameters.markChanged()
        if optimizer.updatesPackedKernels { workspace.packedKernelsVersion = network.parameters.version }
        batchesDone += 1
    }

    /// The running means of the current epoch: `loss` then each metric under its log name.
    public func runningLogs() -> Logs {
        var logs = Logs()
        fillRunning(&logs)
        return logs
    }

    /// Writes an epoch's training values at `row`, as `runEpochs` lays them out: the loss's row-weighted mean
    /// over `rows` rows from its sum `lossTotal`, then each of `metrics`.
    static func writeTrainingValues(_ row: UnsafeMutablePointer<Double>, lossTotal: Float, rows: Int,
                                    metrics: MetricAccumulator, units: Int) {
        row[0] = mean(lossTotal, rows: rows)
        for i in 0..<metrics.count { row[1 + i] = Double(metrics.result(i, rows: rows, units: units)) }
    }

    /// Writes the running means into `logs` (whose keys, once present, are updated in place).
    func fillRunning(_ logs: inout Logs) {
        if logs.count == metrics.count + 1 {
            logs.setValue(at: 0, runningMean(lossTotal))
            for i in 0..<metrics.count { logs.setValue(at: i + 1, runningMetric(i)) }
        } else {
            logs["loss"] = runningMean(lossTotal)
            for (i, metric) in model.metrics.enumerated() { logs[metric.name] = runningMetric(i) }
        }
    }

    /// A running sum of this epoch as a row-weighted mean over the rows trained so far.
    private func runningMean(_ total: Float) -> Double { Self.mean(total, rows: rowsSeen) }

    /// A sum over `rows` rows as a row-weighted mean.
    private static func mean(_ total: Float, rows: Int) -> Double { Double(total / Float(max(rows, 1))) }

    /// Metric `index`'s value over the rows trained so far this epoch.
    private func runningMetric(_ index: Int) -> Double {
        Double(metrics.result(index, rows: rowsSeen, units: network.outputs))
    }

    /// The current epoch's logs in Keras's order, as `fit` reports them: the running `loss` and metrics, then
    /// `val_loss` and `val_` metrics when validating (for the current weights), then `effective_lr` (the rate
    /// the next update will use) when the optimizer's `decay` is on.
    public func epochLogs() -> Logs {
        var logs = runningLogs()
        addValidation(to: &logs)
        if optimizer.decay > 0 { logs["effective_lr"] = Double(optimizer.effectiveLearningRate) }
        return logs
    }

    /// Trains up to `epochs` whole epochs and writes each one's `epochValueCount` values (`epochLogs()`'s, in
    /// its order) to `out`, epoch after epoch; returns how many it trained: fewer when an epoch ends
    /// `maxSeconds` or more after the call began (0 or less: no limit). Nothing runs between the epochs, so
    /// when the helper thread is free (a second core) and the model is small enough that its products do not
    /// use it, each epoch's validation runs there, over a copy of that epoch's weights, while the next epoch
    /// trains, and so does the epoch's own loss and metrics, from its batches' recorded outputs: the same
    /// numbers, computed the same way. A small model's products leave the second core idle, so taking the
    /// validation pass (forward only, over a third of the tutorial's rows) and the loss's logarithms off the
    /// training thread shortens every epoch but the last.
    ///
    /// - Throws: `.invalidArgument` for a negative `epochs`, `.shapeMismatch` when `out` holds fewer than
    ///   `epochs * epochValueCount` values; what a training step throws.
    public func runEpochs(_ epochs: Int, into out: inout MutableSpan<Double>, maxSeconds: Double = 0) throws -> Int {
        guard epochs >= 0 else {
            throw AnnealError.invalidArgument("epochs must be a non-negative integer. Received: epochs=\(epochs)")
        }
        let (needed, overflow) = epochs.multipliedReportingOverflow(by: epochValueCount)
        guard !overflow, out.count >= needed else {
            throw AnnealError.shapeMismatch(
                "out holds \(out.count) values; \(epochs) epochs of \(epochValueCount) values need more")
        }
        guard epochs > 0 else { return 0 }
        return try out.withUnsafeMutableBufferPointer { buffer in
            try runEpochs(epochs, into: buffer.baseAddress!, maxSeconds: maxSeconds)
        }
    }

    /// `runEpochs(_:into:maxSeconds:)` on room for every value (which the helper thread writes into too).
    ///
    /// With the helper thread's task, each epoch's loss and metrics are computed there too, from the epoch's
    /// record (`EpochRecord`), beside the next epoch: its steps compute only the loss's gradient. Two records
    /// take turns, one filled while the task replays the other.
    private func runEpochs(_ epochs: Int, into out: UnsafeMutablePointer<Double>, maxSeconds: Double) throws -> Int {
        let begun = monotonicSeconds()
        let width = epochValueCount
        let task = try overlappingTask()
        var validating = false  // the task is posted to the helper thread
        var record: EpochRecord?  // the current epoch's, when the task computes its values
        defer {
            if validating { Kernels.finishHelperTask() }
            if let record {
                // The running values of the last epoch trained (or begun, when a step threw), for runningLogs()
                // afterwards: replayed here once per call, which also covers an epoch the task never saw.
                lossTotal = 0
                metrics.reset()
                record.replay(loss: loss, activation: network.layouts[network.layouts.count - 1].activation,
                              metrics: metrics, lossTotal: &lossTotal)
            }
        }
        var trained = 0
        while trained < epochs {
            let row = out + trained * width
            if let task {
                let epochRecord = task.records[trained % 2]
                record = epochRecord
                try trainBatches(record: epochRecord)
                if optimizer.decay > 0 { row[width - 1] = Double(optimizer.effectiveLearningRate) }
                if validating { Kernels.finishHelperTask() }
                task.prepare(weights: network.parameters, training: epochRecord, out: row)
                validating = Kernels.startOnHelper(task)
                if !validating { task.run() }
            } else {
                try trainBatches()
                Self.writeTrainingValues(row, lossTotal: lossTotal, rows: rowsSeen, metrics: metrics,
                                         units: network.outputs)
                if optimizer.decay > 0 { row[width - 1] = Double(optimizer.effectiveLearningRate) }
                if let totals = validationTotals() {
                    for (i, value) in totals.enumerated() { row[1 + metrics.count + i] = Double(value) }
                }
            }
            trained += 1
            if maxSeconds > 0, monotonicSeconds() - begun >= maxSeconds { break }
        }
        return trained
    }

    /// The validation loss then metrics for the current weights, on this thread; nil without validation data.
    private func validationTotals() -> [Float]? {
        guard let validation else { return nil }
        return Sequential.measure(validation.x, validation.y, rows: validation.rows, network: network, loss: loss,
                                  metrics: validationMetrics,
                                  weights: validationSampleWeights.map { UnsafePointer($0.base) }, workspace: workspace)
    }

    /// The task that computes each epoch's values and validates beside the training thread, made on first use;
    /// nil without validation data or when the model's products and updates use the helper thread themselves.
    private func overlappingTask() throws -> EpochValuesTask? {
        if epochValuesTask == nil, let validation, validationCanOverlap {
            epochValuesTask = try EpochValuesTask(model: model, network: network, loss: loss, x: validation.x, y: validation.y,
                                            rows: validation.rows, batchSize: batchSize, trainingRows: trainingRows,
                                            batchCount: batchCount)
            epochValuesTask?.sampleWeights = validationSampleWeights
        }
        return epochValuesTask
    }

    /// Whether validation may run on the helper thread: none of this model's products or updates would use it.
    private var validationCanOverlap: Bool {
        let rows = batchSize
        for layer in network.layouts {
            let (inputs, units) = (layer.inputs, layer.units)
            if Kernels.productIsShared(rows: rows, columns: units, depth: inputs)
                || Kernels.productIsShared(rows: inputs, columns: units, depth: rows)
                || Kernels.productIsShared(rows: rows, columns: inputs, depth: units) {
                return false
            }
        }
        return !Kernels.updateIsShared(count: network.parameters.count)
    }

    /// The keys of `epochLogs()` (and of `runEpochs`' values), in order.
    public var epochLogKeys: [String] {
        let names = ["loss"] + model.metrics.map(\.name)
        return names + (hasValidation ? names.map { "val_" + $0 } : []) + (optimizer.decay > 0 ? ["effective_lr"] : [])
    }

    /// How many values `runEpochs` writes per epoch.
    public var epochValueCount: Int { epochLogKeys.count }

    /// Adds `val_loss` and `val_` metrics for the current weights to `logs` (nothing without validation data).
    public func addValidation(to logs: inout Logs) {
        guard let totals = validationTotals() else { return }
        logs["val_loss"] = Double(totals[0])
        for (i, metric) in model.metrics.enumerated() { logs["val_" + metric.name] = Double(totals[i + 1]) }
    }
}

/// One epoch's values as a task for the helper thread: its training loss and metrics, replayed from the
/// epoch's record, then its validation loss and metrics for a copy of the weights, in a network and workspace
/// of its own, so that the session may train on meanwhile.
final class EpochValuesTask {
    /// The training metrics' state, and the validation's.
    let trainingMetrics: MetricAccumulator
    let metrics: MetricAccumulator
    let network: Network
    let workspace: Workspace
    let loss: Loss
    let x: Matrix
    let y: Matrix
    let rows: Range<Int>
    /// The two records the session's epochs fill in turn: one is replayed here while the next epoch fills the other.
    let records: [EpochRecord]
    /// One weight per validation row, or nil (shared with the session: it is read-only while the task runs).
    var sampleWeights: FloatBuffer?
    private var training: EpochRecord?
    private var out: UnsafeMutablePointer<Double>?

    init(model: Sequential, network trained: Network, loss: Loss, x: Matrix, y: Matrix, rows: Range<Int>, batchSize: Int,
         trainingRows: Int, batchCount: Int) throws {
        // Metric state and layer arrays of its own (copied, not sharing a buffer), so that the two threads do
        // not touch the same reference counts every batch. The data is shared: it is read-only, and may be big.
        trainingMetrics = try MetricAccumulator(model.metrics)
        metrics = try MetricAccumulator(model.metrics)
        network = try Network(layouts: trained.layouts.map { $0 }, count: trained.parameters.count,
                              for: "a copy of the model's \(trained.parameters.count) parameters for validation")
        // Not the model's cached workspace: the session trains in that one. Batches of the session's size.
        workspace = try Workspace(network: network, capacity: min(batchSize, rows.count), labelWidth: y.columns)
        records = try (0..<2).map { _ in
            try EpochRecord(rows: trainingRows, units: trained.outputs, labelWidth: y.columns, batchCount: batchCount)
        }
        self.loss = loss
        self.x = x
        self.y = y
        self.rows = rows
    }

    /// Copies the weights to validate, and takes the epoch's record and where its values go (the training
    /// loss and metrics, then the validation's); on the caller's thread.
    func prepare(weights: FloatBuffer, training: EpochRecord, out: UnsafeMutablePointer<Double>) {
        network.parameters.base.update(from: weights.base, count: weights.count)
        self.training = training
        self.out = out
    }

    func run() {
        guard let out, let training else { return }
        var lossTotal: Float = 0
        trainingMetrics.reset()
        let activation = network.layouts[network.layouts.count - 1].activation
        training.replay(loss: loss, activation: activation, metrics: trainingMetrics, lossTotal: &lossTotal)
        TrainingSession.writeTrainingValues(out, lossTotal: lossTotal, rows: training.rows, metrics: trainingMetrics,
                                            units: network.outputs)
        let totals = Sequential.measure(x, y, rows: rows, network: network, loss: loss, metrics: metrics,
                                        weights: sampleWeights.map { UnsafePointer($0.base) }, workspace: workspace)
        for (i, value) in totals.enumerated() { out[1 + trainingMetrics.count + i] = Double(value) }
    }
}
