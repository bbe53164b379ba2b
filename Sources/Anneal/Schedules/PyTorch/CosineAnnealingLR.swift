#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `CosineAnnealingLR` (closed form): half a cosine wave from `initialRate` down to `etaMin` over
/// `tMax` epochs.
///
/// ```
/// learningRate(epoch) = etaMin + (initialRate - etaMin) * (1 + cos(pi * epoch / tMax)) / 2
/// ```
///
/// There is no restart and no clamping: as in PyTorch, past `tMax` the cosine climbs back up, reaching
/// `initialRate` again at `2 * tMax`. (PyTorch's `step()` computes the same values recursively; they agree
/// with this closed form up to rounding.)
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden).
public struct CosineAnnealingLR: LearningRateSchedule {
    public let initialRate: Double
    public let tMax: Int
    public let etaMin: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate, the rate at epoch 0.
    ///   - tMax: The number of epochs to reach `etaMin` (`> 0`, PyTorch's `T_max`).
    ///   - etaMin: The minimum rate (PyTorch's `eta_min`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate, or a non-positive `tMax`.
    public init(initialRate: Double, tMax: Int, etaMin: Double = 0, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(tMax, "t_max")
        try ScheduleArgumentCheck.rate(etaMin, "eta_min")
        self.initialRate = initialRate
        self.tMax = tMax
        self.etaMin = etaMin
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let epoch = Double(max(step, 0))
        return etaMin + (initialRate - etaMin) * (1 + cos(Double.pi * epoch / Double(tMax))) / 2
    }
}
