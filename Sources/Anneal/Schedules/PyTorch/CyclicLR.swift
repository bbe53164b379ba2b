#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `CyclicLR` (Smith, "Cyclical Learning Rates"): the rate goes linearly up from `baseRate` towards
/// `maxRate` over `stepSizeUp` updates and back down over `stepSizeDown`, again and again, with the amplitude
/// scaled by the mode.
///
/// ```
/// total = stepSizeUp + stepSizeDown,  ratio = stepSizeUp / total
/// cycle = floor(1 + step / total)                          (1-based cycle number)
/// x = 1 + step / total - cycle                             (position in the cycle, 0 ..< 1)
/// height = x / ratio              if x <= ratio
///          (x - 1) / (ratio - 1)  otherwise
/// scale = 1                       (.triangular)
///         1 / 2 ^ (cycle - 1)     (.triangular2: the amplitude halves every cycle)
///         gamma ^ step            (.exponentialRange)
/// learningRate(step) = baseRate + (maxRate - baseRate) * height * scale
/// ```
///
/// Only the learning rate is scheduled; PyTorch's momentum cycling (`cycle_momentum`) is not part of this.
///
/// Evaluated per update (`unit` is `.update` unless overridden): PyTorch steps it after every batch.
public struct CyclicLR: LearningRateSchedule {
    /// How the amplitude of each cycle is scaled (PyTorch's `mode`).
    public enum Mode: String, Sendable, CaseIterable {
        /// The same amplitude every cycle.
        case triangular
        /// The amplitude halves every cycle.
        case triangular2
        /// The amplitude is multiplied by `gamma ^ step` (PyTorch's `"exp_range"`).
        case exponentialRange
    }

    public let baseRate: Double
    public let maxRate: Double
    public let stepSizeUp: Int
    /// The length of the decreasing half; equal to `stepSizeUp` when not given.
    public let stepSizeDown: Int
    public let mode: Mode
    public let gamma: Double
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - baseRate: The lower end of the cycle, the rate at step 0.
    ///   - maxRate: The upper end of the cycle.
    ///   - stepSizeUp: The number of updates in the increasing half (`> 0`).
    ///   - stepSizeDown: The number of updates in the decreasing half (`>= 0`); `nil` means `stepSizeUp`.
    ///   - mode: How the amplitude changes from cycle to cycle.
    ///   - gamma: The base of `.exponentialRange`'s scale (`>= 0`).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate or `gamma`, a non-positive
    ///   `stepSizeUp` or a negative `stepSizeDown`.
    public init(baseRate: Double, maxRate: Double, stepSizeUp: Int = 2000, stepSizeDown: Int? = nil,
                mode: Mode = .triangular, gamma: Double = 1, unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(baseRate, "base_rate")
        try ScheduleArgumentCheck.rate(maxRate, "max_rate")
        try ScheduleArgumentCheck.positive(stepSizeUp, "step_size_up")
        if let stepSizeDown { try ScheduleArgumentCheck.nonNegative(stepSizeDown, "step_size_down") }
        try ScheduleArgumentCheck.nonNegative(gamma, "gamma")
        self.baseRate = baseRate
        self.maxRate = maxRate
        self.stepSizeUp = stepSizeUp
        self.stepSizeDown = stepSizeDown ?? stepSizeUp
        self.mode = mode
        self.gamma = gamma
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        let step = Double(max(step, 0))
        let total = Double(stepSizeUp) + Double(stepSizeDown)
        let ratio = Double(stepSizeUp) / total
        let cycle = (1 + step / total).rounded(.down)
        let x = 1.0 + step / total - cycle
        let height = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let scale: Double
        switch mode {
        case .triangular: scale = 1
        case .triangular2: scale = 1 / pow(2.0, cycle - 1)
        case .exponentialRange: scale = pow(gamma, step)
        }
        return baseRate + (maxRate - baseRate) * height * scale
    }
}
