/// Sets the optimizer's base learning rate at the start of every epoch: Keras's `LearningRateScheduler`.
///
/// The schedule is asked with the 0-based epoch index (and, in the two-argument form, the current base
/// rate); its value replaces `Optimizer.learningRate`, and any `decay` still applies on top of it. At the end of
/// each epoch the base rate is logged under `lr`. A value that is NaN, infinite or negative ends `fit` with
/// an error naming the epoch and the value.
///
/// With `verbose: 1` it prints, as Keras does, a blank line then
/// `Epoch 3: LearningRateScheduler setting learning rate to 0.1.`
public final class LearningRateScheduler: Callback {
    private let rate: (Int, Double) throws -> Double
    public let verbose: Int

    /// Follows a schedule evaluated per epoch (e.g. `StepDecay()`).
    public init(_ schedule: any LearningRateSchedule, verbose: Int = 0) {
        rate = { epoch, _ in schedule.learningRate(at: epoch) }
        self.verbose = verbose
    }

    /// Follows `schedule(epoch)`.
    public init(verbose: Int = 0, _ schedule: @escaping (Int) throws -> Double) {
        rate = { epoch, _ in try schedule(epoch) }
        self.verbose = verbose
    }

    /// Follows `schedule(epoch, currentRate)`.
    public init(verbose: Int = 0, _ schedule: @escaping (Int, Double) throws -> Double) {
        rate = schedule
        self.verbose = verbose
    }

    public func onEpochBegin(_ epoch: Int, model: Sequential) throws {
        guard let optimizer = model.optimizer else { return }
        let value = try rate(epoch, Double(optimizer.learningRate))
        guard value.isFinite, value >= 0 else {
            throw AnnealError.invalidArgument(
                "The output of the \"schedule\" function should be a non-negative finite float. Got: \(value) at epoch \(epoch)")
        }
        try optimizer.setLearningRate(value)
        if verbose > 0 {
            model.output("\nEpoch \(epoch + 1): LearningRateScheduler setting learning rate to \(value).\n")
        }
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        if let optimizer = model.optimizer { logs["lr"] = Double(optimizer.learningRate) }
    }
}
