/// Keras's `InverseTimeDecay`: the rate falls like `1 / t`.
///
/// ```
/// p = step / decaySteps                 (floor(step / decaySteps) when staircase)
/// learningRate(step) = initialRate / (1 + decayRate * p)
/// ```
///
/// With `decaySteps: 1` and `staircase: false` this is Keras's legacy `decay` (``TimeDecay``), computed here in
/// `Double` rather than float32.
///
/// Evaluated per update (`unit` is `.update` unless overridden).
public struct InverseTimeDecay: LearningRateSchedule, StaircaseDecay {
    public let initialRate: Double
    public let decaySteps: Int
    public let decayRate: Double
    public let staircase: Bool
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at step 0.
    ///   - decaySteps: The number of steps that count as one unit of time (`> 0`).
    ///   - decayRate: The decay constant (`>= 0`).
    ///   - staircase: Whether `p` is floored, so that the rate changes only at multiples of `decaySteps`.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or decay, or a non-positive
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
        initialRate / (1 + decayRate * progress(at: step))
    }
}
