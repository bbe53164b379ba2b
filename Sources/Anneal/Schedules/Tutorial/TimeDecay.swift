/// Keras's legacy time-based decay: the `decay` argument of the Keras 2 `SGD` optimizer.
///
/// ```
/// learningRate(iterations) = initialRate / (1 + decay * iterations)
/// ```
///
/// computed in `Float` (float32) arithmetic exactly as Keras does on its float32 variables
/// (`Float(initialRate) / (1 + Float(decay) * Float(iterations))`) and returned widened to `Double`, so the
/// rate Anneal uses is bit for bit the one Keras uses. The rate depends on the number of updates done, not on
/// the epoch: it decays a little before every batch. It equals ``InverseTimeDecay`` with `decaySteps: 1`
/// (up to float32 rounding).
///
/// Evaluated per update (`unit` is `.update` unless overridden): `step` is the optimizer's `iterations`.
public struct TimeDecay: LearningRateSchedule {
    public let initialRate: Double
    public let decay: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at update 0 (the optimizer's `learning_rate`).
    ///   - decay: The decay per update (Keras's `decay`, `>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or decay.
    public init(initialRate: Double, decay: Double, unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.nonNegative(decay, "decay")
        self.initialRate = initialRate
        self.decay = decay
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let iterations = Float(max(step, 0))
        return Double(Float(initialRate) / (1 + Float(decay) * iterations))
    }
}
