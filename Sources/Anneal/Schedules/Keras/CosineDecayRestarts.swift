#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Keras's `CosineDecayRestarts` (SGDR, Loshchilov & Hutter): cosine decays that restart, each period `tMul`
/// times longer than the one before and starting from `mMul` times its peak.
///
/// ```
/// f = step / firstDecaySteps
/// i = floor(f)                                          if tMul == 1 (the restart number)
///     floor(log(1 - f * (1 - tMul)) / log(tMul))        otherwise
/// r = f - i                                             if tMul == 1 (the fraction of period i done)
///     (f - (1 - tMul^i) / (1 - tMul)) / tMul^i          otherwise
/// learningRate(step) = initialRate * ((1 - alpha) * 0.5 * mMul^i * (1 + cos(pi * r)) + alpha)
/// ```
///
/// Period `i` lasts `firstDecaySteps * tMul^i` steps. Computed in `Double`; where rounding of the logarithm
/// would put a step that falls exactly on a restart into the period before (e.g. step 121 with
/// `firstDecaySteps: 1`, `tMul: 3`, where `log(243) / log(3)` rounds to 4.999…), the restart number is
/// corrected so the step starts the new period, as exact arithmetic says (and as Keras's float32 computation
/// does in the cases checked with numpy).
///
/// Evaluated per update (`unit` is `.update` unless overridden).
public struct CosineDecayRestarts: LearningRateSchedule {
    public let initialRate: Double
    public let firstDecaySteps: Int
    public let tMul: Double
    public let mMul: Double
    public let alpha: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at step 0.
    ///   - firstDecaySteps: The length of the first period (`> 0`).
    ///   - tMul: The factor by which each period is longer than the one before (`>= 1`).
    ///   - mMul: The factor by which each period's peak is multiplied (`>= 0`).
    ///   - alpha: The rate at the end of a period as a fraction of `initialRate`, in [0, 1].
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or `mMul`, a non-positive
    ///   `firstDecaySteps`, a `tMul` below 1 or an `alpha` outside [0, 1].
    public init(initialRate: Double, firstDecaySteps: Int, tMul: Double = 2, mMul: Double = 1, alpha: Double = 0,
                unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(firstDecaySteps, "first_decay_steps")
        guard tMul.isFinite, tMul >= 1 else {
            throw AnnealError.invalidArgument("t_mul must be at least 1. Received: t_mul=\(tMul)")
        }
        try ScheduleArgumentCheck.nonNegative(mMul, "m_mul")
        try ScheduleArgumentCheck.between(alpha, 0, 1, "alpha")
        self.initialRate = initialRate
        self.firstDecaySteps = firstDecaySteps
        self.tMul = tMul
        self.mMul = mMul
        self.alpha = alpha
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let completed = Double(max(step, 0)) / Double(firstDecaySteps)
        let restart: Double
        let fraction: Double
        if tMul == 1 {
            restart = completed.rounded(.down)
            fraction = completed - restart
        } else {
            // Sum of the lengths of periods 0..<i, in units of firstDecaySteps.
            func periodsBefore(_ i: Double) -> Double { (1 - pow(tMul, i)) / (1 - tMul) }
            var i = (log(1 - completed * (1 - tMul)) / log(tMul)).rounded(.down)
            while i > 0, periodsBefore(i) > completed { i -= 1 }
            while periodsBefore(i + 1) <= completed { i += 1 }
            restart = i
            fraction = (completed - periodsBefore(i)) / pow(tMul, i)
        }
        let cosineDecayed = 0.5 * pow(mMul, restart) * (1 + cos(Double.pi * fraction))
        return initialRate * ((1 - alpha) * cosineDecayed + alpha)
    }
}
