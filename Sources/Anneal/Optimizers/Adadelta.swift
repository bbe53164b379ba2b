/// Adadelta exactly as Keras 2's (legacy) `Adadelta`, which runs TensorFlow's fused `ApplyAdadelta` kernel.
///
/// With `lr_t` the rate in force (`Optimizer`) and both accumulators starting at 0, every parameter `w`
/// with gradient `g` moves by
/// ```
/// acc        = acc * rho + g² * (1 - rho)
/// update     = sqrt(acc_update + epsilon) * (1 / sqrt(acc + epsilon)) * g
/// w          = w - update * lr_t
/// acc_update = acc_update * rho + update² * (1 - rho)
/// ```
/// Keras's default rate is 0.001 (the original paper's update has no rate, i.e. 1.0).
public final class Adadelta: Optimizer {
    public let rho: Float
    public let epsilon: Float

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, rho: Float = 0.95, epsilon: Float = 1e-7, decay: Float = 0) throws {
        try Optimizer.checkFraction(rho, name: "rho")
        self.rho = rho
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        try super.init(name: "Adadelta", learningRate: learningRate, decay: decay)
    }

    /// An Adadelta whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, rho: Float = 0.95, epsilon: Float = 1e-7,
                            decay: Float = 0) throws {
        try self.init(learningRate: 0, rho: rho, epsilon: epsilon, decay: decay)
        try follow(schedule)
    }

    /// Keras's slots: the running mean of g² and that of the squared updates.
    override var slotNames: [String] { ["accum_grad", "accum_var"] }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let oneMinusRho = 1 - rho
        let acc = slot(0)
        let accUpdate = slot(1)
        for i in 0..<count {
            acc[i] = acc[i] * rho + g[i] * g[i] * oneMinusRho
            let update = (accUpdate[i] + epsilon).squareRoot() * (1 / (acc[i] + epsilon).squareRoot()) * g[i]
            w[i] -= update * rate
            accUpdate[i] = accUpdate[i] * rho + update * update * oneMinusRho
        }
    }
}
