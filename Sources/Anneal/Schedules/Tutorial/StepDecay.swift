#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The tutorial's step decay: the rate drops by a factor every `epochsDrop` epochs.
///
/// ```
/// learningRate(epoch) = initialRate * drop ^ floor((1 + epoch) / epochsDrop)
/// ```
///
/// This is the `step_decay` function the tutorial passes to Keras's `LearningRateScheduler` callback. Because
/// of the `1 +`, the first drop comes at epoch `epochsDrop - 1`: with the defaults the rate is 0.1 for epochs
/// 0–8, 0.05 for 9–18, 0.025 for 19–28 and so on. (PyTorch's ``StepLR`` drops one epoch later.)
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden): `step` is the 0-based epoch index.
public struct StepDecay: LearningRateSchedule {
    public let initialRate: Double
    public let drop: Double
    public let epochsDrop: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate before the first drop.
    ///   - drop: The factor the rate is multiplied by at each drop.
    ///   - epochsDrop: How many epochs apart the drops are; the tutorial writes it as a float (`10.0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or factor, or a non-positive
    ///   `epochsDrop`.
    public init(initialRate: Double = 0.1, drop: Double = 0.5, epochsDrop: Double = 10, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.nonNegative(drop, "drop")
        try ScheduleArgumentCheck.positive(epochsDrop, "epochs_drop")
        self.initialRate = initialRate
        self.drop = drop
        self.epochsDrop = epochsDrop
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let epoch = Double(max(step, 0))
        return initialRate * pow(drop, ((1 + epoch) / epochsDrop).rounded(.down))
    }
}
