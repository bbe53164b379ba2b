/// What ``ExponentialDecay`` and ``InverseTimeDecay`` share: Keras's arguments for them, checked once, and
/// the progress both formulas raise or divide by,
///
/// ```
/// p = step / decaySteps                 (floor(step / decaySteps) when staircase)
/// ```
///
/// Each schedule keeps only its own formula of `p`.
protocol StaircaseDecay: LearningRateSchedule {
    var decaySteps: Int { get }
    var staircase: Bool { get }
}

extension StaircaseDecay {
    /// Refuses a negative or non-finite `initialRate` or `decayRate` and a non-positive `decaySteps`.
    static func checkArguments(initialRate: Double, decaySteps: Int, decayRate: Double) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.positive(decaySteps, "decay_steps")
        try ScheduleArgumentCheck.nonNegative(decayRate, "decay_rate")
    }

    /// `p` at `step` (a negative step counts as 0).
    func progress(at step: Int) -> Double {
        let p = Double(max(step, 0)) / Double(decaySteps)
        return staircase ? p.rounded(.down) : p
    }
}
