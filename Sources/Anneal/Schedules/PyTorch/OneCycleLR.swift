#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// PyTorch's `OneCycleLR` (Smith, "Super-Convergence"; fastai's two-phase variant by default): the rate climbs
/// from `maxRate / divFactor` to `maxRate`, then anneals down to `maxRate / divFactor / finalDivFactor`.
///
/// ```
/// initial = maxRate / divFactor,  minimum = initial / finalDivFactor,  T = totalSteps,  p = pctStart
/// phases (each ends at a step, anneals from a rate to a rate):
///   two-phase:    up to p*T - 1: initial -> maxRate;   up to T - 1: maxRate -> minimum
///   threePhase:   up to p*T - 1: initial -> maxRate;   up to 2*p*T - 2: maxRate -> initial;
///                 up to T - 1: initial -> minimum
/// in the first phase with step <= its end (else the last), with start = the previous phase's end (0 for the first):
///   pct = (step - start) / (end - start)
///   learningRate(step) = to + (from - to) / 2 * (cos(pi * pct) + 1)     (.cosine)
///                        (to - from) * pct + from                        (.linear)
/// ```
///
/// Steps from `totalSteps` on are past the cycle: PyTorch raises an error beyond `totalSteps` (and at exactly
/// `totalSteps` extrapolates a rate that no update uses); this schedule returns `minimum` for them. Only the
/// learning rate is scheduled; PyTorch's momentum cycling is not part of this.
///
/// Evaluated per update (`unit` is `.update` unless overridden): PyTorch steps it after every batch.
public struct OneCycleLR: LearningRateSchedule {
    /// How each phase goes from its start rate to its end rate (PyTorch's `anneal_strategy`).
    public enum AnnealStrategy: String, Sendable, CaseIterable {
        /// Half a cosine wave (PyTorch's `"cos"`).
        case cosine
        /// A straight line.
        case linear
    }

    public let maxRate: Double
    public let totalSteps: Int
    public let pctStart: Double
    public let annealStrategy: AnnealStrategy
    public let divFactor: Double
    public let finalDivFactor: Double
    public let threePhase: Bool
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - maxRate: The peak rate.
    ///   - totalSteps: The length of the cycle in updates (`> 0`).
    ///   - pctStart: The fraction of the cycle spent climbing, in [0, 1].
    ///   - annealStrategy: The shape of each phase.
    ///   - divFactor: The initial rate is `maxRate / divFactor` (`> 0`).
    ///   - finalDivFactor: The final rate is the initial rate divided by this (`> 0`).
    ///   - threePhase: Whether to come back down to the initial rate symmetrically before the final annealing
    ///     (the paper's schedule) instead of annealing straight to the final rate (fastai's).
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` for a negative or non-finite rate, a non-positive count or divisor,
    ///   a `pctStart` outside [0, 1], or `pctStart * totalSteps == 1`, where the climb has zero length and
    ///   PyTorch divides by zero.
    public init(maxRate: Double, totalSteps: Int, pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cosine,
                divFactor: Double = 25, finalDivFactor: Double = 1e4, threePhase: Bool = false,
                unit: ScheduleUnit = .update) throws {
        try ScheduleArgumentCheck.rate(maxRate, "max_rate")
        try ScheduleArgumentCheck.positive(totalSteps, "total_steps")
        try ScheduleArgumentCheck.between(pctStart, 0, 1, "pct_start")
        try ScheduleArgumentCheck.positive(divFactor, "div_factor")
        try ScheduleArgumentCheck.positive(finalDivFactor, "final_div_factor")
        guard pctStart * Double(totalSteps) != 1 else {
            throw AnnealError.invalidArgument(
                "pct_start * total_steps must not be 1: the first phase would have no length. "
                    + "Received: pct_start=\(pctStart), total_steps=\(totalSteps)")
        }
        self.maxRate = maxRate
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.annealStrategy = annealStrategy
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.threePhase = threePhase
        self.unit = unit
    }

    /// The rate at step 0: `maxRate / divFactor`.
    public var initialRate: Double { maxRate / divFactor }
    /// The rate at the end of the cycle: `maxRate / divFactor / finalDivFactor`.
    public var minimumRate: Double { initialRate / finalDivFactor }

    public func learningRate(at step: Int) -> Double {
        guard step < totalSteps else { return minimumRate }
        let step = Double(max(step, 0))
        let total = Double(totalSteps)
        let firstEnd = pctStart * total - 1
        if step <= firstEnd {
            return anneal(from: initialRate, to: maxRate, step / firstEnd)
        }
        guard threePhase else {
            return anneal(from: maxRate, to: minimumRate, (step - firstEnd) / (total - 1 - firstEnd))
        }
        let secondEnd = 2 * pctStart * total - 2
        if step <= secondEnd {
            return anneal(from: maxRate, to: initialRate, (step - firstEnd) / (secondEnd - firstEnd))
        }
        return anneal(from: initialRate, to: minimumRate, (step - secondEnd) / (total - 1 - secondEnd))
    }

    private func anneal(from start: Double, to end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cosine: end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: (end - start) * pct + start
        }
    }
}
