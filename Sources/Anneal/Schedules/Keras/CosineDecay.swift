#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Keras's `CosineDecay` (Keras 3 semantics): an optional linear warmup, then half a cosine wave down to
/// `alpha` times the peak rate.
///
/// ```
/// without warmupTarget:
///   s = min(step, decaySteps)
///   learningRate(step) = initialRate * decayed(s)
/// with warmupTarget:
///   s = min(step, warmupSteps + decaySteps)
///   learningRate(step) = (warmupTarget - initialRate) * (s / warmupSteps) + initialRate   if s < warmupSteps
///                        warmupTarget * decayed(s - warmupSteps)                          otherwise
/// where
///   decayed(t) = (1 - alpha) * 0.5 * (1 + cos(pi * t / decaySteps)) + alpha
/// ```
///
/// The warmup climbs from `initialRate` at step 0 towards `warmupTarget`, which it reaches at step
/// `warmupSteps`, where the decay starts; from `warmupSteps + decaySteps` on the rate stays at
/// `alpha * warmupTarget`. As in Keras, `warmupSteps` is ignored when `warmupTarget` is `nil`, and a
/// `warmupTarget` with `warmupSteps: 0` simply decays from `warmupTarget`.
///
/// Evaluated per update (`unit` is `.update` unless overridden).
public struct CosineDecay: LearningRateSchedule {
    public let initialRate: Double
    public let decaySteps: Int
    public let alpha: Double
    public let warmupTarget: Double?
    public let warmupSteps: Int
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at step 0 (where the warmup starts, or the decay when there is none).
    ///   - decaySteps: The length of the decay (`> 0`).
    ///   - alpha: The final rate as a fraction of the peak rate, in [0, 1].
    ///   - warmupTarget: The peak rate the warmup reaches; `nil` for no warmup.
    ///   - warmupSteps: The length of the warmup (`>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate, a non-positive `decaySteps`,
    ///   a negative `warmupSteps` or an `alpha` outside [0, 1].
    public init(initialRate: Double, decaySteps: Int, alpha: Double = 0, warmupTarget: Double? = nil,
                warmupSteps: Int = 0, unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(decaySteps, "decay_steps")
        try ScheduleArgumentCheck.between(alpha, 0, 1, "alpha")
        if let warmupTarget { try ScheduleArgumentCheck.rate(warmupTarget, "warmup_target") }
        try ScheduleArgumentCheck.nonNegative(warmupSteps, "warmup_steps")
        self.initialRate = initialRate
        self.decaySteps = decaySteps
        self.alpha = alpha
        self.warmupTarget = warmupTarget
        self.warmupSteps = warmupSteps
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let decaySteps = Double(self.decaySteps)
        guard let warmupTarget else {
            return initialRate * decayed(min(Double(max(step, 0)), decaySteps), over: decaySteps)
        }
        let warmupSteps = Double(self.warmupSteps)
        let s = min(Double(max(step, 0)), decaySteps + warmupSteps)
        if s < warmupSteps {
            return (warmupTarget - initialRate) * (s / warmupSteps) + initialRate
        }
        return warmupTarget * decayed(s - warmupSteps, over: decaySteps)
    }

    private func decayed(_ t: Double, over decaySteps: Double) -> Double {
        let cosineDecayed = 0.5 * (1 + cos(Double.pi * (t / decaySteps)))
        return (1 - alpha) * cosineDecayed + alpha
    }
}
