#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Keras's `ExponentialDecay`: the rate is multiplied by `decayRate` every `decaySteps` steps, smoothly or in
/// a staircase.
///
/// ```
/// p = step / decaySteps                 (floor(step / decaySteps) when staircase)
/// learningRate(step) = initialRate * decayRate ^ p
/// ```
///
/// Evaluated per update (`unit` is `.update` unless overridden), as when the schedule is passed as an
/// optimizer's `learning_rate` in Keras.
public struct ExponentialDecay: LearningRateSchedule, StaircaseDecay {
    public let initialRate: Double
    public let decaySteps: Int
    public let decayRate: Double
    public let staircase: Bool
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at step 0.
    ///   - decaySteps: The number of steps over which the rate is multiplied by `decayRate` once (`> 0`).
    ///   - decayRate: The decay factor (`>= 0`).
    ///   - staircase: Whether `p` is floored, so that the rate drops at whole multiples of `decaySteps`.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or factor, or a non-positive
    ///   `decaySteps`.
    public init(initialRate: Double, decaySteps: Int, decayRate: Double, staircase: Bool = false,
                unit: ScheduleUnit = .update) throws {
        try Self.checkArguments(initialRate: initialRate, decaySteps: decaySteps, decayRate: decayRate)
        self.initialRate = initialRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        initialRate * pow(decayRate, progress(at: step))
    }
}
