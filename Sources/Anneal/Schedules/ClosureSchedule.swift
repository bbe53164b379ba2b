/// A schedule given by any function from step to rate (like the function Keras's `LearningRateScheduler`
/// callback takes, or PyTorch's `LambdaLR` times its base rate).
///
/// ```
/// learningRate(step) = rate(step)
/// ```
///
/// The closure must be pure: the same step must give the same rate, since a schedule may be asked more than
/// once. Its result is returned as is, not checked here.
///
/// Evaluated per epoch or per update as `unit` says (it has no natural default).
public struct ClosureSchedule: LearningRateSchedule {
    public let unit: ScheduleUnit
    public let rate: @Sendable (Int) -> Double

    /// - Parameters:
    ///   - unit: What `step` counts.
    ///   - rate: The rate for a step.
    public init(unit: ScheduleUnit, _ rate: @escaping @Sendable (Int) -> Double) {
        self.unit = unit
        self.rate = rate
    }

    public func learningRate(at step: Int) -> Double {
        rate(step)
    }
}
