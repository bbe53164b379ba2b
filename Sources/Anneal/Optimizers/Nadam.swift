#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Nadam exactly as Keras 2's (legacy) `Nadam`: Adam with Nesterov momentum and Dozat's momentum schedule.
///
/// With `t = iterations + 1` and the momentum cache `M` (a product of the schedule's values, starting at 1,
/// kept as optimizer state), each update first computes, in Float32,
/// ```
/// mu_t     = beta_1 * (1 - 0.5 * 0.96^(scheduleDecay * t))
/// mu_next  = beta_1 * (1 - 0.5 * 0.96^(scheduleDecay * (t + 1)))
/// M        = M * mu_t                      (stored)
/// M_next   = M * mu_next
/// ```
/// then moves every parameter `w` with gradient `g` (moments `m`, `v` starting at 0) by
/// ```
/// g'   = g / (1 - M)
/// m    = beta_1 * m + (1 - beta_1) * g;       m' = m / (1 - M_next)
/// v    = beta_2 * v + (1 - beta_2) * g²;      v' = v / (1 - beta_2^t)
/// mbar = (1 - mu_t) * g' + mu_next * m'
/// w    = w - lr * mbar / (sqrt(v') + epsilon)
/// ```
/// Keras's legacy Nadam takes the rate as it is: its `decay` argument is the momentum schedule's
/// (`schedule_decay`, 0.004), not a time-based decay of the rate, and it refuses rate schedules. A
/// `LearningRateScheduler` or `ReduceLROnPlateau` still sets its rate between epochs.
public final class Nadam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// The momentum schedule's decay (Keras's `schedule_decay`).
    public let scheduleDecay: Float
    /// The running product of the momentum schedule's values (Keras's `momentum_cache`), part of the state.
    public internal(set) var momentumCache: Float = 1

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                scheduleDecay: Float = 0.004) throws {
        try Optimizer.checkFraction(beta1, name: "beta_1", open: true)
        try Optimizer.checkFraction(beta2, name: "beta_2", open: true)
        guard scheduleDecay.isFinite, scheduleDecay >= 0 else {
            throw AnnealError.invalidArgument("schedule_decay must be a non-negative number. Received: schedule_decay=\(scheduleDecay)")
        }
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        self.scheduleDecay = scheduleDecay
        try super.init(name: "Nadam", learningRate: learningRate, decay: 0)
    }

    /// Keras's slots: the first and second moments (the momentum cache is `momentumCache`).
    override var slotNames: [String] { ["m", "v"] }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let t = Float(iterations + 1)
        let next = Float(iterations + 2)
        let muT = beta1 * (1 - 0.5 * powf(0.96, scheduleDecay * t))
        let muNext = beta1 * (1 - 0.5 * powf(0.96, scheduleDecay * next))
        let scheduleNew = momentumCache * muT
        momentumCache = scheduleNew
        let scheduleNext = scheduleNew * muNext
        let oneMinusScheduleNew = 1 - scheduleNew
        let oneMinusScheduleNext = 1 - scheduleNext
        let oneMinusMuT = 1 - muT
        let oneMinusBeta1 = 1 - beta1
        let oneMinusBeta2 = 1 - beta2
        let vDenominator = 1 - powf(beta2, t)
        let m = slot(0)
        let v = slot(1)
        for i in 0..<count {
            let gPrime = g[i] / oneMinusScheduleNew
            m[i] = beta1 * m[i] + oneMinusBeta1 * g[i]
            let mPrime = m[i] / oneMinusScheduleNext
            v[i] = beta2 * v[i] + oneMinusBeta2 * (g[i] * g[i])
            let vPrime = v[i] / vDenominator
            let mBar = oneMinusMuT * gPrime + muNext * mPrime
            w[i] = w[i] - rate * mBar / (vPrime.squareRoot() + epsilon)
        }
    }
}
