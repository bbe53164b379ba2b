#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Adamax exactly as Keras 2's (legacy) `Adamax`, which runs TensorFlow's fused `ApplyAdaMax` kernel.
///
/// With `lr_t` the rate in force (`Optimizer`), `t = iterations + 1`, and `m`, the infinity norm `u`
/// starting at 0, every parameter `w` with gradient `g` moves by
/// ```
/// m = m + (g - m) * (1 - beta_1)
/// u = max(beta_2 * u, |g|)
/// w = w - lr_t / (1 - beta_1^t) * (m / (u + epsilon))
/// ```
public final class Adamax: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                decay: Float = 0) throws {
        try Optimizer.checkFraction(beta1, name: "beta_1", open: true)
        try Optimizer.checkFraction(beta2, name: "beta_2")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        try super.init(name: "Adamax", learningRate: learningRate, decay: decay)
    }

    /// An Adamax whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-7, decay: Float = 0) throws {
        try self.init(learningRate: 0, beta1: beta1, beta2: beta2, epsilon: epsilon, decay: decay)
        try follow(schedule)
    }

    /// Keras's slots: the first moment and the exponentially weighted infinity norm.
    override var slotNames: [String] { ["m", "v"] }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let step = rate / (1 - powf(beta1, Float(iterations + 1)))
        let oneMinusBeta1 = 1 - beta1
        let m = slot(0)
        let u = slot(1)
        for i in 0..<count {
            m[i] += (g[i] - m[i]) * oneMinusBeta1
            u[i] = max(beta2 * u[i], abs(g[i]))
            w[i] -= step * (m[i] / (u[i] + epsilon))
        }
    }
}
