/// Schedules run one after another (PyTorch's `SequentialLR`): schedule `i + 1` takes over at `milestones[i]`
/// and starts from its own step 0.
///
/// ```
/// i = number of milestones <= step
/// learningRate(step) = schedules[0].learningRate(at: step)                       if i == 0
///                      schedules[i].learningRate(at: step - milestones[i - 1])   otherwise
/// ```
///
/// For a linear warmup then cosine annealing over 100 epochs:
/// `SequentialSchedule([LinearLR(initialRate: 0.1, totalIters: 5), CosineAnnealingLR(initialRate: 0.1, tMax: 95)], milestones: [5])`.
///
/// Evaluated in the unit of its schedules, which must all have the same one.
public struct SequentialSchedule: LearningRateSchedule {
    public let schedules: [any LearningRateSchedule]
    public let milestones: [Int]
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - schedules: At least one schedule, all with the same `unit`.
    ///   - milestones: The steps at which the next schedule takes over: strictly increasing, positive, one fewer
    ///     than `schedules`.
    /// - Throws: `AnnealError.invalidArgument` when there is no schedule, the counts do not fit, the milestones
    ///   are not positive and strictly increasing, or the schedules' units differ.
    public init(_ schedules: [any LearningRateSchedule], milestones: [Int]) throws {
        guard let first = schedules.first else {
            throw AnnealError.invalidArgument("schedules must contain at least one schedule. Received: schedules=[]")
        }
        guard milestones.count == schedules.count - 1 else {
            throw AnnealError.invalidArgument(
                "milestones must have one element fewer than schedules. Received: milestones=\(milestones) "
                    + "of length \(milestones.count), and \(schedules.count) schedules.")
        }
        if let firstMilestone = milestones.first, firstMilestone <= 0 {
            throw AnnealError.invalidArgument("milestones must be positive. Received: milestones=\(milestones)")
        }
        try ScheduleArgumentCheck.strictlyIncreasing(milestones, "milestones")
        let units = schedules.map(\.unit)
        guard units.allSatisfy({ $0 == first.unit }) else {
            throw AnnealError.invalidArgument(
                "schedules must all have the same unit. Received: units=\(units.map(\.rawValue))")
        }
        self.schedules = schedules
        self.milestones = milestones
        self.unit = first.unit
    }

    public func learningRate(at step: Int) -> Double {
        let index = milestones.firstIndex { $0 > step } ?? milestones.count
        let start = index == 0 ? 0 : milestones[index - 1]
        return schedules[index].learningRate(at: step - start)
    }
}
