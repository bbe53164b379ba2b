/// PyTorch's `LinearLR`: the rate's factor moves linearly from `startFactor` to `endFactor` over `totalIters`
/// epochs, then stays there (a linear warmup with the defaults).
///
/// ```
/// learningRate(epoch) = initialRate * (startFactor + (endFactor - startFactor) * min(totalIters, epoch) / totalIters)
/// ```
///
/// With the defaults the rate climbs from `initialRate / 3` at epoch 0 to `initialRate` at epoch 5.
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden).
public struct LinearLR: LearningRateSchedule {
    public let initialRate: Double
    public let startFactor: Double
    public let endFactor: Double
    public let totalIters: Int
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate.
    ///   - startFactor: The factor at epoch 0, in (0, 1].
    ///   - endFactor: The factor from epoch `totalIters` on, in [0, 1].
    ///   - totalIters: The number of epochs the factor takes to go from start to end (`> 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate, a factor out of its range or
    ///   a non-positive `totalIters`.
    public init(initialRate: Double, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5,
                unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        guard startFactor > 0, startFactor <= 1 else {
            throw AnnealError.invalidArgument(
                "start_factor must be greater than 0 and at most 1. Received: start_factor=\(startFactor)")
        }
        try ScheduleArgumentCheck.between(endFactor, 0, 1, "end_factor")
        try ScheduleArgumentCheck.positive(totalIters, "total_iters")
        self.initialRate = initialRate
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let done = Double(min(totalIters, max(step, 0)))
        return initialRate * (startFactor + (endFactor - startFactor) * done / Double(totalIters))
    }
}
