#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `ExponentialLR`: the rate is multiplied by `gamma` every epoch.
///
/// ```
/// learningRate(epoch) = initialRate * gamma ^ epoch
/// ```
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden).
public struct ExponentialLR: LearningRateSchedule {
    public let initialRate: Double
    public let gamma: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate.
    ///   - gamma: The factor applied every epoch (`>= 0`; PyTorch has no default).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or `gamma`.
    public init(initialRate: Double, gamma: Double, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.nonNegative(gamma, "gamma")
        self.initialRate = initialRate
        self.gamma = gamma
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        initialRate * pow(gamma, Double(max(step, 0)))
    }
}
