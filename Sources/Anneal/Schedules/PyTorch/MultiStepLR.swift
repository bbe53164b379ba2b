#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `MultiStepLR`: the rate is multiplied by `gamma` at each milestone epoch.
///
/// ```
/// learningRate(epoch) = initialRate * gamma ^ (number of milestones <= epoch)
/// ```
///
/// As in PyTorch the milestones are sorted and a milestone given twice counts twice. With `milestones: [30, 80]`
/// the rate is `initialRate` for epochs 0…29, `initialRate * gamma` for 30…79 and `initialRate * gamma^2` after.
///
/// Evaluated per epoch (`unit` is `.epoch` unless overridden).
public struct MultiStepLR: LearningRateSchedule {
    public let initialRate: Double
    /// The milestones, sorted.
    public let milestones: [Int]
    public let gamma: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - initialRate: The optimizer's base rate.
    ///   - milestones: The epochs at which the rate drops (`>= 0`).
    ///   - gamma: The factor applied at each milestone (`>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or `gamma`, or a negative
    ///   milestone.
    public init(initialRate: Double, milestones: [Int], gamma: Double = 0.1, unit: ScheduleUnit = .epoch) throws {
        try ScheduleArgumentCheck.rate(initialRate, "initial_rate")
        if milestones.contains(where: { $0 < 0 }) {
            throw AnnealError.invalidArgument(
                "milestones must be non-negative. Received: milestones=\(milestones)")
        }
        try ScheduleArgumentCheck.nonNegative(gamma, "gamma")
        self.initialRate = initialRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        // bisect_right: the milestones at or before `step`.
        let passed = milestones.firstIndex { $0 > step } ?? milestones.count
        return initialRate * pow(gamma, Double(passed))
    }
}
