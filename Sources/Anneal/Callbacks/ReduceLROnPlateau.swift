/// Cuts the learning rate when a monitored value stops improving: Keras 2's `ReduceLROnPlateau`.
///
/// At each epoch end it first logs the current base rate as `lr`, then:
/// ```
/// if cooling down:            cooldownCounter -= 1; wait = 0
/// if improved(current, best): best = current; wait = 0          (min: current < best - minDelta)
/// else if not cooling down:   wait += 1
///     if wait >= patience and lr > minLearningRate:
///         lr = max(lr * factor, minLearningRate); cooldownCounter = cooldown; wait = 0
/// ```
/// `mode: .auto` means max when the monitored name contains "acc", else min.
public final class ReduceLROnPlateau: Callback {
    public let monitor: String
    public let factor: Double
    public let patience: Int
    public let verbose: Int
    public let minDelta: Double
    public let cooldown: Int
    public let minLearningRate: Double
    /// Whether higher is better for the monitored value (`mode`, with `.auto` decided from its name).
    public let maximize: Bool

    public private(set) var best: Double = 0
    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0

    public init(
        monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, verbose: Int = 0,
        mode: MonitorMode = .auto, minDelta: Double = 1e-4, cooldown: Int = 0, minLearningRate: Double = 0
    ) throws {
        guard factor.isFinite, factor < 1, factor >= 0 else {
            throw AnnealError.invalidArgument("ReduceLROnPlateau does not support a factor >= 1.0 (or negative). Got \(factor)")
        }
        guard patience >= 0, cooldown >= 0 else {
            throw AnnealError.invalidArgument("patience and cooldown must be non-negative. Received: patience=\(patience), cooldown=\(cooldown)")
        }
        guard minDelta.isFinite, minLearningRate.isFinite, minLearningRate >= 0 else {
            throw AnnealError.invalidArgument("min_delta and min_lr must be finite, min_lr non-negative. Received: min_delta=\(minDelta), min_lr=\(minLearningRate)")
        }
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        maximize = mode == .max || (mode == .auto && monitor.contains("acc"))
        reset()
    }

    private func reset() {
        best = maximize ? -.infinity : .infinity
        wait = 0
        cooldownCounter = 0
    }

    private func improved(_ current: Double) -> Bool {
        maximize ? current > best + minDelta : current < best - minDelta
    }

    public func onTrainBegin(model: Sequential) throws { reset() }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        guard let optimizer = model.optimizer else { return }
        logs["lr"] = Double(optimizer.learningRate)
        guard let current = try logs.monitored(monitor, by: "ReduceLROnPlateau") else { return }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if improved(current) {
            best = current
            wait = 0
        } else if cooldownCounter == 0 {
            wait += 1
            if wait >= patience {
                let old = Double(optimizer.learningRate)
                if old > Double(Float(minLearningRate)) {
                    let new = max(old * factor, minLearningRate)
                    try optimizer.setLearningRate(new)
                    if verbose > 0 {
                        model.output("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(Float(new)).\n")
                    }
                    cooldownCounter = cooldown
                    wait = 0
                }
            }
        }
    }
}
