#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `CosineAnnealingWarmRestarts` (SGDR): cosine annealing from `initialRate` to `etaMin` that
/// restarts every `tI` epochs, the first period lasting `t0` epochs and each next one `tMult` times longer.
///
/// ```
/// tI = t0, tCur = epoch
/// while tCur >= tI { tCur -= tI; tI *= tMult }
/// learningRate(epoch) = etaMin + (initialRate - etaMin) * (1 + cos(pi * tCur / tI)) / 2
/// ```
///
/// `tCur` and `tI` are found with integer arithmetic, which is what PyTorch's `step()` does epoch by epoch.
/// (PyTorch's `step(epoch)` finds them through a floating-point logarithm instead, which can put a step lying
/// exactly on a restart into the period before, e.g. epoch 111 with `t0: 1`, `tMult: 10`; this schedule
/// always restarts there.)
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden).
public struct CosineAnnealingWarmRestarts: LearningRateSchedule {
    public let initialRate: Double
    public let t0: Int
    public let tMult: Int
    public let etaMin: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate, the rate at every restart.
    ///   - t0: The length of the first period (`> 0`, PyTorch's `T_0`).
    ///   - tMult: The factor by which each period is longer than the one before (`>= 1`, PyTorch's `T_mult`).
    ///   - etaMin: The minimum rate.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate, a non-positive `t0` or a
    ///   `tMult` below 1.
    public init(initialRate: Double, t0: Int, tMult: Int = 1, etaMin: Double = 0, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(t0, "t_0")
        guard tMult >= 1 else {
            throw AnnealError.invalidArgument("t_mult must be at least 1. Received: t_mult=\(tMult)")
        }
        try ScheduleArgumentCheck.rate(etaMin, "eta_min")
        self.initialRate = initialRate
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        var current = max(step, 0)
        var period = t0
        var length: Double
        if tMult == 1 {
            current %= period
            length = Double(period)
        } else {
            length = Double(period)
            while current >= period {
                current -= period
                let (next, overflow) = period.multipliedReportingOverflow(by: tMult)
                if overflow {
                    // This period is longer than any Int step can reach: `current` lies inside it.
                    length = Double(period) * Double(tMult)
                    break
                }
                period = next
                length = Double(period)
            }
        }
        return etaMin + (initialRate - etaMin) * (1 + cos(Double.pi * Double(current) / length)) / 2
    }
}
