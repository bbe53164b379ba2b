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
    let optimizer: SGD
    let loss: Loss
    let workspace: Workspace
    private var order: [Int]
    private var generator: SeededGenerator

    // Running sums of the current epoch.
    private var lossTotal: Float = 0
    private var metricTotals: [Float]
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

        order = Array(0..<trainingRows)
        generator = SeededGenerator(seed: seed ?? model.generator.nextSeed())
        metricTotals = [Float](repeating: 0, count: model.metrics.count)
        workspace = model.workspace(network: network, capacity: min(batchSize, trainingRows), labelWidth: y.columns)
    }

    /// Updates per epoch: `ceil(trainingRows / batchSize)`.
    public var batchCount: Int { (trainingRows + batchSize - 1) / batchSize }

    public var hasValidation: Bool { validation != nil }

    /// Starts an epoch: a fresh batch order (when shuffling) and cleared running sums.
    public func beginEpoch() {
        if shuffle {
            // Fisher-Yates with the session's own generator.
            var i = order.count - 1
            while i > 0 {
                let j = Int(generator.next(upperBound: UInt64(i + 1)))
                order.swapAt(i, j)
                i -= 1
            }
        }
        lossTotal = 0
        for i in metricTotals.indices { metricTotals[i] = 0 }
        rowsSeen = 0
        batchesDone = 0
    }

    /// Trains on batch `index` of the current epoch (0-based): forward, loss, backward, one SGD update.
    public func trainBatch(_ index: Int) throws {
        guard index >= 0, index < batchCount else {
            throw AnnealError.invalidArgument("batch index \(index) is outside [0, \(batchCount)) for this epoch")
        }
        let start = index * batchSize
        let rows = min(batchSize, trainingRows - start)
        order.withUnsafeBufferPointer { workspace.gather(x: x, y: y, order: $0, start: start, count: rows) }
        network.forward(workspace, rows: rows)
        let last = network.layouts.count - 1
        let units = network.outputs
        let batchLoss = loss.evaluate(
            z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
            rows: rows, units: units, activation: network.layouts[last].activation, gradient: workspace.deltas[last].base)
        lossTotal += batchLoss * Float(rows)
        for i in metricTotals.indices {
            metricTotals[i] += model.metrics[i].metric.sum(
                a: workspace.activations[last].base, y: workspace.labels.base, rows: rows, units: units)
        }
        rowsSeen += rows
        network.backward(workspace, rows: rows)
        optimizer.update(parameters: network.parameters, gradients: network.gradients)
        batchesDone += 1
    }

    /// Trains every batch of a fresh epoch and returns its logs (training values only).
    public func trainEpoch() throws -> Logs {
        beginEpoch()
        for index in 0..<batchCount { try trainBatch(index) }
        return runningLogs()
    }

    /// The running means of the current epoch: `loss` then each metric under its log name.
    public func runningLogs() -> Logs {
        var logs = Logs()
        fillRunning(&logs)
        return logs
    }

    /// Writes the running means into `logs` (whose keys, once present, are updated in place).
    func fillRunning(_ logs: inout Logs) {
        let seen = Float(max(rowsSeen, 1))
        if logs.count == metricTotals.count + 1 {
            logs.setValue(at: 0, Double(lossTotal / seen))
            for i in metricTotals.indices { logs.setValue(at: i + 1, Double(metricTotals[i] / seen)) }
        } else {
            logs["loss"] = Double(lossTotal / seen)
            for (i, metric) in model.metrics.enumerated() { logs[metric.name] = Double(metricTotals[i] / seen) }
        }
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

    /// How many values `writeEpochValues` writes: `epochLogs()`'s keys, counted without building them.
    public var epochValueCount: Int {
        (1 + model.metrics.count) * (hasValidation ? 2 : 1) + (optimizer.decay > 0 ? 1 : 0)
    }

    /// `epochLogs()`'s values in its order, without their names: `epochValueCount` values written from `out`.
    public func writeEpochValues(to out: UnsafeMutablePointer<Double>) {
        let seen = Float(max(rowsSeen, 1))
        out[0] = Double(lossTotal / seen)
        for i in metricTotals.indices { out[1 + i] = Double(metricTotals[i] / seen) }
        var next = 1 + metricTotals.count
        if let validation {
            let totals = model.measure(validation.x, validation.y, rows: validation.rows, batchSize: batchSize,
                                       network: network, loss: loss, workspace: workspace)
            for value in totals {
                out[next] = Double(value)
                next += 1
            }
        }
        if optimizer.decay > 0 { out[next] = Double(optimizer.effectiveLearningRate) }
    }

    /// Adds `val_loss` and `val_` metrics for the current weights to `logs` (nothing without validation data).
    public func addValidation(to logs: inout Logs) {
        guard let validation else { return }
        let totals = model.measure(validation.x, validation.y, rows: validation.rows, batchSize: batchSize,
                                   network: network, loss: loss, workspace: workspace)
        logs["val_loss"] = Double(totals[0])
        for (i, metric) in model.metrics.enumerated() { logs["val_" + metric.name] = Double(totals[i + 1]) }
    }
}
