/// Stops training when a monitored value stops improving: Keras 2's `EarlyStopping`.
///
/// At each epoch end (from `startFromEpoch` on):
/// ```
/// wait += 1
/// if current improves on best by more than minDelta: best = current; wait = 0 (unless it misses baseline)
/// else if wait >= patience and epoch > 0: stop
/// ```
/// With `restoreBestWeights` the weights of the best epoch (or of the first monitored epoch when none
/// improved) are put back when training ends, as tf.keras 2.x does.
/// `mode: .auto` means max when the monitored name ends in `acc`, `accuracy` or `auc`, else min.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Double
    public let patience: Int
    public let verbose: Int
    public let baseline: Double?
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int
    /// Whether higher is better for the monitored value (`mode`, with `.auto` decided from its name).
    public let maximize: Bool

    public private(set) var wait = 0
    public private(set) var stoppedEpoch = 0
    public private(set) var best: Double = 0
    public private(set) var bestEpoch = 0
    private var bestWeights: [WeightTensor]?

    public init(
        monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, verbose: Int = 0,
        mode: MonitorMode = .auto, baseline: Double? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0
    ) throws {
        guard minDelta.isFinite, patience >= 0, startFromEpoch >= 0 else {
            throw AnnealError.invalidArgument(
                "EarlyStopping needs a finite min_delta and non-negative patience and start_from_epoch. Received: min_delta=\(minDelta), patience=\(patience), start_from_epoch=\(startFromEpoch)")
        }
        self.monitor = monitor
        self.minDelta = abs(minDelta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto: maximize = monitor.hasSuffix("acc") || monitor.hasSuffix("accuracy") || monitor.hasSuffix("auc")
        }
    }

    private func isImprovement(_ value: Double, over reference: Double) -> Bool {
        maximize ? value - minDelta > reference : value + minDelta < reference
    }

    public func onTrainBegin(model: Sequential) throws {
        wait = 0
        stoppedEpoch = 0
        best = maximize ? -.infinity : .infinity
        bestWeights = nil
        bestEpoch = 0
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        guard epoch >= startFromEpoch, let current = try logs.monitored(monitor, by: "EarlyStopping") else { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model.getWeights()
            bestEpoch = epoch
        }
        wait += 1
        if isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model.getWeights() }
            // Only restart the wait when the value also beats the baseline.
            if let baseline, !isImprovement(current, over: baseline) { return }
            wait = 0
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model.stopTraining = true
        }
    }

    public func onTrainEnd(logs: Logs, model: Sequential) throws {
        if stoppedEpoch > 0 && verbose > 0 {
            model.output("Epoch \(stoppedEpoch + 1): early stopping\n")
        }
        if restoreBestWeights, let bestWeights {
            if verbose > 0 { model.output("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).\n") }
            try model.setWeights(bestWeights)
        }
    }
}
