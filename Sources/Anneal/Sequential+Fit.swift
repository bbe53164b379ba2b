extension Sequential {
    /// Trains the model, as Keras's `fit` does, and returns the History of every epoch's logs.
    ///
    /// - Parameters:
    ///   - x: one sample per row, `inputDimension` columns.
    ///   - y: labels, one row per sample (one column for binary and sparse losses, one per output otherwise).
    ///   - epochs: train until this epoch index (Keras's `epochs`, counted from `initialEpoch`).
    ///   - batchSize: rows per update; the last batch of an epoch may be shorter.
    ///   - verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch, in Keras's exact format,
    ///     written to `output`.
    ///   - callbacks: run in order before the model's History and progress printer.
    ///   - validationSplit: the fraction of LAST rows held out for validation, taken before shuffling.
    ///   - validationData: validation rows given explicitly; overrides `validationSplit`.
    ///   - shuffle: a fresh order of the training rows every epoch; `false` keeps file order.
    ///   - seed: seeds this fit's shuffling; nil draws it from the model's generator.
    ///   - initialEpoch: the epoch to start at (for resuming).
    ///   - sampleWeight: one loss weight per row of `x` (Keras's `sample_weight`; with `validationSplit`, the
    ///     last rows' weights weight `val_loss`); nil weighs every row 1. See `TrainingSession`.
    ///   - validationSampleWeight: one loss weight per row of `validationData` (its third element in Keras).
    ///
    /// Logs hold `loss` and each metric, then `val_loss` and `val_` metrics when validating, then
    /// `effective_lr` (the decayed rate the next update will use) when the optimizer's `decay` is on, then
    /// what callbacks add (`lr` from `LearningRateScheduler`).
    @discardableResult
    public func fit(
        _ x: Matrix, _ y: Matrix, epochs: Int = 1, batchSize: Int = 32, verbose: Int = 1,
        callbacks: [any Callback] = [], validationSplit: Double = 0, validationData: (x: Matrix, y: Matrix)? = nil,
        shuffle: Bool = true, seed: UInt64? = nil, initialEpoch: Int = 0, sampleWeight: [Float]? = nil,
        validationSampleWeight: [Float]? = nil
    ) throws -> History {
        try Self.checkFitArguments(epochs: epochs, initialEpoch: initialEpoch, verbose: verbose)
        let session = try TrainingSession(
            model: self, x: x, y: y, batchSize: batchSize, validationSplit: validationSplit,
            validationData: validationData, shuffle: shuffle, seed: seed)
        if let sampleWeight {
            guard sampleWeight.count == x.rows else {
                throw AnnealError.shapeMismatch(
                    "sample_weight has \(sampleWeight.count) values, but x has \(x.rows) rows; give one weight per sample")
            }
            try session.setSampleWeights(Array(sampleWeight[..<session.trainingRows]))
            if validationData == nil, session.hasValidation {
                try session.setValidationSampleWeights(Array(sampleWeight[session.trainingRows...]))
            }
        }
        if let validationSampleWeight {
            guard validationData != nil else {
                throw AnnealError.invalidArgument("validation sample weights need validation data")
            }
            try session.setValidationSampleWeights(validationSampleWeight)
        }
        return try fit(session: session, epochs: epochs, verbose: verbose, callbacks: callbacks, initialEpoch: initialEpoch)
    }

    /// Runs `fit`'s epoch loop over a session made beforehand (the C library's `anneal_session_fit`): the same
    /// callbacks, logs and History as `fit(_:_:...)`, which is this over a fresh session.
    ///
    /// `poll`, when given, is checked between epochs at most every `poll.interval` seconds (see `FitPoll`).
    @discardableResult
    public func fit(
        session: TrainingSession, epochs: Int, verbose: Int = 0, callbacks: [any Callback] = [], initialEpoch: Int = 0,
        poll: FitPoll? = nil
    ) throws -> History {
        guard session.model === self else {
            throw AnnealError.invalidArgument("this session trains another model")
        }
        try Self.checkFitArguments(epochs: epochs, initialEpoch: initialEpoch, verbose: verbose)
        let history = History()
        var everyCallback = callbacks + [history]
        if verbose > 0 {
            everyCallback.append(try ProgressLogger(verbose: verbose, epochs: epochs, steps: session.batchCount))
        }
        try run(session, epochs: epochs, initialEpoch: initialEpoch, callbacks: everyCallback, poll: poll)
        return history
    }

    /// The epoch loop shared by every front end: callbacks around epochs and batches, validation, logs.
    ///
    /// When History is the only callback nothing needs to run between epochs, so the session trains them in
    /// runs as long as `poll` allows (`TrainingSession.runEpochs`, which may validate beside training) and
    /// History records the same logs afterwards, all of a run at once.
    func run(_ session: TrainingSession, epochs: Int, initialEpoch: Int, callbacks: [any Callback],
             poll: FitPoll? = nil) throws {
        stopTraining = false
        for callback in callbacks { try callback.onTrainBegin(model: self) }
        var lastLogs = Logs()
        if callbacks.allSatisfy({ $0 is History }) {
            let count = max(epochs - initialEpoch, 0)
            let keys = session.epochLogKeys
            var values = [Double](repeating: 0, count: count * keys.count)
            var done = 0
            while done < count {
                // runEpochs returns once `poll.interval` has passed (0: one epoch per run, as for the loop
                // below); without a poll, after the last epoch.
                let runLength = poll.map { $0.interval > 0 ? count - done : 1 } ?? count - done
                let trained = try values.withUnsafeMutableBufferPointer { buffer in
                    var room = UnsafeMutableBufferPointer(rebasing: buffer[(done * keys.count)...]).mutableSpan
                    return try session.runEpochs(runLength, into: &room, maxSeconds: poll?.interval ?? 0)
                }
                for case let history as History in callbacks {
                    history.recordEpochs(initialEpoch + done..<initialEpoch + done + trained, keys: keys,
                                         values: values, offset: done * keys.count)
                }
                done += trained
                if trained > 0 {
                    lastLogs = Logs()
                    for (offset, key) in keys.enumerated() { lastLogs[key] = values[(done - 1) * keys.count + offset] }
                }
                if done < count, let poll, try poll.check(initialEpoch + done - 1) {
                    stopTraining = true
                    break
                }
            }
        } else {
            var batchLogs = Logs()
            var lastPoll = monotonicSeconds()
            var epoch = initialEpoch
            while epoch < epochs {
                for callback in callbacks { try callback.onEpochBegin(epoch, model: self) }
                session.beginEpoch()
                for batch in 0..<session.batchCount {
                    for callback in callbacks { try callback.onTrainBatchBegin(batch, model: self) }
                    try session.trainBatch(batch)
                    session.fillRunning(&batchLogs)
                    for callback in callbacks { try callback.onTrainBatchEnd(batch, logs: batchLogs, model: self) }
                    if stopTraining { break }
                }
                var logs = session.epochLogs()
                for callback in callbacks { try callback.onEpochEnd(epoch, logs: &logs, model: self) }
                lastLogs = logs
                epoch += 1
                if epoch < epochs, let poll, monotonicSeconds() - lastPoll >= poll.interval {
                    if try poll.check(epoch - 1) { stopTraining = true }
                    lastPoll = monotonicSeconds()
                }
                if stopTraining { break }
            }
        }
        for callback in callbacks { try callback.onTrainEnd(logs: lastLogs, model: self) }
    }
}

/// A check `fit` makes between epochs, cheaply and not every epoch: a front end's way to notice a request to
/// stop (Python's Ctrl-C) without a call per epoch. `fit` calls `check` after an epoch's callbacks, when
/// another epoch is to follow, once `interval` seconds (0: every epoch) have passed since the fit began or
/// since the last check; `check` returns true to stop training there (as `stopTraining`), or throws to end
/// the fit with its error.
public struct FitPoll {
    public let interval: Double
    /// Given the index of the epoch just ended.
    public let check: (Int) throws -> Bool

    public init(interval: Double, check: @escaping (Int) throws -> Bool) {
        self.interval = interval
        self.check = check
    }
}
