#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `StepLR`: the rate is multiplied by `gamma` every `stepSize` epochs.
///
/// ```
/// learningRate(epoch) = initialRate * gamma ^ floor(epoch / stepSize)
/// ```
///
/// The first drop is at epoch `stepSize` (epochs 0…9 at `initialRate` for `stepSize: 10`), one epoch later
/// than the tutorial's ``StepDecay``.
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden): `step` is the 0-based epoch index, the
/// scheduler's `last_epoch` while that epoch trains.
public struct StepLR: LearningRateSchedule {
    public let initialRate: Double
    public let stepSize: Int
    public let gamma: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate (PyTorch's `initial_lr`).
    ///   - stepSize: The number of epochs between drops (`> 0`).
    ///   - gamma: The factor applied at each drop (`>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or `gamma`, or a non-positive
    ///   `stepSize`.
    public init(initialRate: Double, stepSize: Int, gamma: Double = 0.1, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(stepSize, "step_size")
        try ScheduleArgumentCheck.nonNegative(gamma, "gamma")
        self.initialRate = initialRate
        self.stepSize = stepSize
        self.gamma = gamma
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        initialRate * pow(gamma, Double(max(step, 0) / stepSize))
    }
}
