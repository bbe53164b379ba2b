/// RMSprop exactly as Keras 2's (legacy) `RMSprop`.
///
/// With `lr_t` the rate in force (`Optimizer`) and the mean square `ms` starting at 0, every parameter `w`
/// with gradient `g` moves, without momentum (Keras's Python code), by
/// ```
/// ms = rho * ms + (1 - rho) * g²
/// w  = w - lr_t * g / (sqrt(ms) + epsilon)                    epsilon OUTSIDE the root
/// ```
/// and with `momentum > 0` (TensorFlow's fused `ApplyRMSProp`), the velocity `mom` starting at 0, by
/// ```
/// ms  = ms + (g² - ms) * (1 - rho)
/// mom = momentum * mom + lr_t * g / sqrt(ms + epsilon)        epsilon INSIDE the root
/// w   = w - mom
/// ```
/// `centered` also keeps the mean gradient `mg = rho * mg + (1 - rho) * g` (starting at 0) and uses
/// `ms - mg²` in place of `ms` under the root. tf_keras's newer default `RMSprop` always puts epsilon
/// inside the root; without momentum the two drift apart (1e-3 after the 50 epochs of the golden run).
public final class RMSprop: Optimizer {
    public let rho: Float
    public let momentum: Float
    public let epsilon: Float
    public let centered: Bool

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                centered: Bool = false, decay: Float = 0) throws {
        try Optimizer.checkFraction(rho, name: "rho")
        guard momentum.isFinite, momentum >= 0, momentum <= 1 else {
            throw AnnealError.invalidArgument("momentum must be between [0, 1]. Received: momentum=\(momentum)")
        }
        self.rho = rho
        self.momentum = momentum
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        self.centered = centered
        try super.init(name: "RMSprop", learningRate: learningRate, decay: decay)
    }

    /// An RMSprop whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, rho: Float = 0.9, momentum: Float = 0,
                            epsilon: Float = 1e-7, centered: Bool = false, decay: Float = 0) throws {
        try self.init(learningRate: 0, rho: rho, momentum: momentum, epsilon: epsilon, centered: centered, decay: decay)
        try follow(schedule)
    }

    /// Keras's slots: the mean square, the velocity with momentum, the mean gradient when centered.
    override var slotNames: [String] { ["rms"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["mg"] : []) }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let oneMinusRho = 1 - rho
        let ms = slot(0)
        let mg: UnsafeMutablePointer<Float>? = centered ? slot(slots.count - 1) : nil
        if momentum > 0 {
            let mom = slot(1)
            for i in 0..<count {
                ms[i] += (g[i] * g[i] - ms[i]) * oneMinusRho
                var denominator = ms[i] + epsilon
                if let mg {
                    mg[i] += (g[i] - mg[i]) * oneMinusRho
                    denominator = (ms[i] - mg[i] * mg[i]) + epsilon
                }
                mom[i] = mom[i] * momentum + (g[i] * rate) / denominator.squareRoot()
                w[i] -= mom[i]
            }
        } else {
            for i in 0..<count {
                ms[i] = rho * ms[i] + oneMinusRho * (g[i] * g[i])
                var meanSquare = ms[i]
                if let mg {
                    mg[i] = rho * mg[i] + oneMinusRho * g[i]
                    meanSquare = ms[i] - mg[i] * mg[i]
                }
                w[i] = w[i] - rate * g[i] / (meanSquare.squareRoot() + epsilon)
            }
        }
    }
}
