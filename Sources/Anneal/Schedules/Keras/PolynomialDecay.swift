#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Keras's `PolynomialDecay`: a polynomial ramp from `initialRate` to `endRate` over `decaySteps` steps,
/// optionally repeated.
///
/// ```
/// without cycle:  s = min(step, decaySteps),  D = decaySteps
/// with cycle:     s = step,                   D = decaySteps * (step == 0 ? 1 : ceil(step / decaySteps))
/// learningRate(step) = (initialRate - endRate) * (1 - s / D) ^ power + endRate
/// ```
///
/// Without `cycle` the rate stays at `endRate` from `decaySteps` on. With `cycle`, `D` is the first multiple of
/// `decaySteps` at or above `step`, so the rate reaches `endRate` exactly at every multiple of `decaySteps` and
/// jumps back up on the step after (Keras's behaviour, including `D = decaySteps` at step 0).
///
/// Evaluated per update (`unit` is `.update` unless overridden).
public struct PolynomialDecay: LearningRateSchedule {
    public let initialRate: Double
    public let decaySteps: Int
    public let endRate: Double
    public let power: Double
    public let cycle: Bool
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at step 0.
    ///   - decaySteps: The length of the ramp (`> 0`).
    ///   - endRate: The rate at the end of the ramp (Keras's `end_learning_rate`).
    ///   - power: The power of the polynomial (`>= 0`); 1 is a straight line.
    ///   - cycle: Whether the ramp restarts after `decaySteps`.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or power, or a non-positive
    ///   `decaySteps`.
    public init(initialRate: Double, decaySteps: Int, endRate: Double = 1e-4, power: Double = 1,
                cycle: Bool = false, unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(decaySteps, "decay_steps")
        try ScheduleArgumentCheck.rate(endRate, "end_rate")
        try ScheduleArgumentCheck.nonNegative(power, "power")
        self.initialRate = initialRate
        self.decaySteps = decaySteps
        self.endRate = endRate
        self.power = power
        self.cycle = cycle
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        var s = Double(max(step, 0))
        var length = Double(decaySteps)
        if cycle {
            let multiplier = s == 0 ? 1 : (s / length).rounded(.up)
            length *= multiplier
        } else {
            s = min(s, length)
        }
        return (initialRate - endRate) * pow(1 - s / length, power) + endRate
    }
}
