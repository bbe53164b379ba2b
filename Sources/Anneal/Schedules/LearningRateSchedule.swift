/// What the `step` passed to a schedule counts.
public enum ScheduleUnit: String, Sendable {
    /// The 0-based epoch index: the schedule is evaluated once at the start of every epoch
    /// (what Keras's `LearningRateScheduler` callback and PyTorch's `scheduler.step()` per epoch do).
    case epoch
    /// The number of optimizer updates already done (SGD's `iterations`): evaluated before every batch
    /// (what a Keras `LearningRateSchedule` passed as `learning_rate` does).
    case update
}

/// A learning rate as a function of a step.
///
/// Schedules are small values: they hold their parameters and compute the rate in closed form, so the same
/// schedule gives the same rate for the same step however often it is asked. Rates are computed in `Double`
/// and stored into the optimizer as `Float` (as Keras casts into its float32 variable).
public protocol LearningRateSchedule: Sendable {
    /// What `step` counts; where a schedule is used (the SGD optimizer or the `LearningRateScheduler`
    /// callback) it is evaluated at that granularity.
    var unit: ScheduleUnit { get }
    /// The learning rate for `step` (0-based).
    func learningRate(at step: Int) -> Double
}
