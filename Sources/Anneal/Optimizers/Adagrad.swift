/// Adagrad exactly as Keras 2's (legacy) `Adagrad`, which runs TensorFlow's fused `ApplyAdagradV2` kernel.
///
/// With `lr_t` the rate in force (`Optimizer`) and the accumulator `acc` starting at
/// `initialAccumulatorValue`, every parameter `w` with gradient `g` moves by
/// ```
/// acc = acc + g²
/// w   = w - g * lr_t / (sqrt(acc) + epsilon)
/// ```
/// tf_keras's newer default `Adagrad` computes the same over the 50 epochs of the golden run.
public final class Adagrad: Optimizer {
    public let initialAccumulatorValue: Float
    public let epsilon: Float

    /// Keras's defaults; `epsilon` 0 means Keras's 1e-7.
    public init(learningRate: Float = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
                decay: Float = 0) throws {
        guard initialAccumulatorValue.isFinite, initialAccumulatorValue >= 0 else {
            throw AnnealError.invalidArgument("initial_accumulator_value must be non-negative: \(initialAccumulatorValue)")
        }
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = try Optimizer.checkedEpsilon(epsilon)
        try super.init(name: "Adagrad", learningRate: learningRate, decay: decay)
    }

    /// An Adagrad whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, initialAccumulatorValue: Float = 0.1,
                            epsilon: Float = 1e-7, decay: Float = 0) throws {
        try self.init(learningRate: 0, initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon, decay: decay)
        try follow(schedule)
    }

    /// Keras's slot: the sum of squared gradients.
    override var slotNames: [String] { ["accumulator"] }

    override func initialValue(ofSlot name: String) -> Float { initialAccumulatorValue }

    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let acc = slot(0)
        for i in 0..<count {
            acc[i] += g[i] * g[i]
            w[i] -= g[i] * rate / (acc[i].squareRoot() + epsilon)
        }
    }
}
