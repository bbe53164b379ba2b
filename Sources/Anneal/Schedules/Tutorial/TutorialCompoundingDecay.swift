/// The decay table the tutorial prints for time-based decay, which compounds every epoch's factor.
///
/// ```
/// learningRate(0) = initialRate
/// learningRate(k) = learningRate(k - 1) / (1 + decay * k)        for k >= 1
///                 = initialRate / ((1 + decay) * (1 + 2 * decay) * ... * (1 + k * decay))
/// ```
///
/// The tutorial describes time-based decay as `LearningRate = LearningRate * 1 / (1 + decay * epoch)`, an update
/// of the *previous* rate, and tabulates it per epoch. That is **not** what Keras computes: Keras's `decay`
/// (``TimeDecay``) divides the *initial* rate once, by `1 + decay * iterations`, where `iterations` counts
/// updates (batches), not epochs. With `initialRate 0.1`, `decay 0.001` the two agree at step 1 (0.0999000999)
/// and part from step 2 on (0.0997006985 here, 0.0998003992 for ``TimeDecay``). Use this schedule only to
/// reproduce the tutorial's table; use ``TimeDecay`` to reproduce Keras training.
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden). Computed in `Double`; the cost is linear in `step`.
public struct TutorialCompoundingDecay: LearningRateSchedule {
    public let initialRate: Double
    public let decay: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The rate at epoch 0.
    ///   - decay: The decay constant (`>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or decay.
    public init(initialRate: Double, decay: Double, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        try ScheduleArgumentCheck.nonNegative(decay, "decay")
        self.initialRate = initialRate
        self.decay = decay
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        var rate = initialRate
        var k = 1
        while k <= step {
            rate /= 1 + decay * Double(k)
            k += 1
        }
        return rate
    }
}
