/// The same rate at every step.
///
/// ```
/// learningRate(step) = rate
/// ```
///
/// Evaluated per update (`unit` is `.update` unless overridden), where the answer is the same either way.
public struct ConstantSchedule: LearningRateSchedule {
    public let rate: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - rate: The learning rate.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate.
    public init(_ rate: Double, unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(rate, "rate")
        self.rate = rate
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        rate
    }
}
