#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Adam exactly as Keras 2's (legacy) `Adam`, which runs TensorFlow's fused `ApplyAdam` kernel.
///
/// With `lr_t` the rate in force (`Optimizer`), `t = iterations + 1`, and the moments `m`, `v` starting at 0,
/// every parameter `w` with gradient `g` moves by
/// ```
/// alpha = lr_t * sqrt(1 - beta_2^t) / (1 - beta_1^t)
/// m     = m + (g - m) * (1 - beta_1)
/// v     = v + (g² - v) * (1 - beta_2)
/// w     = w - (m * alpha) / (sqrt(v) + epsilon)
/// ```
/// in that order, in Float32. With `amsgrad`, `vhat = max(vhat, v)` (starting at 0) replaces `v` in the
/// denominator. tf_keras's newer default `Adam` folds the corrections differently and agrees with this one
/// to about 2e-6 over the 50 epochs of the golden run.
public final class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let amsgrad: Bool

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                amsgrad: Bool = false, decay: Float = 0) throws {
        try Optimizer.checkFraction(beta1, name: "beta_1", open: true)
        try Optimizer.checkFraction(beta2, name: "beta_2", open: true)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        self.amsgrad = amsgrad
        try super.init(name: "Adam", learningRate: learningRate, decay: decay)
    }

    /// An Adam whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-7, amsgrad: Bool = false, decay: Float = 0) throws {
        try self.init(learningRate: 0, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, decay: decay)
        try follow(schedule)
    }

    /// Keras's slots: the first and second moments, and the running maximum of `v` with `amsgrad`.
    override var slotNames: [String] { amsgrad ? ["m", "v", "vhat"] : ["m", "v"] }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let t = Float(iterations + 1)
        let alpha = rate * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let oneMinusBeta1 = 1 - beta1
        let oneMinusBeta2 = 1 - beta2
        let m = slot(0)
        let v = slot(1)
        if amsgrad {
            let vhat = slot(2)
            for i in 0..<count {
                m[i] += (g[i] - m[i]) * oneMinusBeta1
                v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
                vhat[i] = max(vhat[i], v[i])
                w[i] -= (m[i] * alpha) / (vhat[i].squareRoot() + epsilon)
            }
        } else {
            for i in 0..<count {
                m[i] += (g[i] - m[i]) * oneMinusBeta1
                v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
                w[i] -= (m[i] * alpha) / (v[i].squareRoot() + epsilon)
            }
        }
    }
}
