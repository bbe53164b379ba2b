/// Stochastic gradient descent exactly as Keras 2's (legacy) `SGD`.
///
/// Before every update the rate in force is
/// ```
/// base_t = schedule(iterations)   (or the fixed learningRate)
/// lr_t   = base_t / (1 + decay * iterations)        computed in Float32, as Keras does
/// ```
/// and each parameter `w` with gradient `g` and velocity `v` (starting at 0) moves by
/// ```
/// momentum == 0:  w = w - lr_t * g
/// momentum  > 0:  v = momentum * v - lr_t * g;   w = w + v
/// nesterov:       v = momentum * v - lr_t * g;   w = w + momentum * v - lr_t * g
/// ```
/// each product rounded before it is used: `SGD.rule` is this formula in code, and every path that updates
/// with SGD (the loop, the C kernels' vectorized copy, the big products that apply it as they compute each
/// gradient) computes exactly it.
///
/// The rate lives inside the velocity (unlike PyTorch's `p -= lr * buf`): when the rate changes, the old
/// velocity keeps decaying at `momentum`. `decay` is Keras's time-based decay, not weight decay.
/// `iterations` counts updates; it grows after every batch and is never reset, across epochs and fits.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    /// Creates the optimizer; the messages of the argument checks are Keras's.
    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, decay: Float = 0) throws {
        try Optimizer.checkRate(learningRate, name: "learning_rate")
        guard momentum.isFinite, momentum >= 0, momentum <= 1 else {
            throw AnnealError.invalidArgument("momentum must be between [0, 1]. Received: momentum=\(momentum)")
        }
        self.momentum = momentum
        self.nesterov = nesterov
        try super.init(name: "SGD", learningRate: learningRate, decay: decay)
    }

    /// An optimizer whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, momentum: Float = 0, nesterov: Bool = false, decay: Float = 0) throws {
        try self.init(learningRate: 0, momentum: momentum, nesterov: nesterov, decay: decay)
        try follow(schedule)
    }

    /// Keras's slot: one velocity per parameter, kept only with momentum.
    override var slotNames: [String] { momentum == 0 ? [] : ["momentum"] }

    /// A big model's SGD step writes the packed kernels with the updated weights (`Network.backward`).
    override var updatesPackedKernels: Bool { true }

    override func trainStep(network: Network, workspace: Workspace, rows: Int) throws {
        try update(parameters: network.parameters) { network.backward(workspace, rows: rows, applying: $0) }
    }

    /// The update as one loop over all parameters, given their gradients (what `trainStep` fuses into the
    /// backward pass for big models; the same bits).
    override func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        let v = momentum == 0 ? w : slot(0)
        Kernels.sgdUpdate(w: w, v: v, g: g, count: count, rate: rate, momentum: momentum, nesterov: nesterov)
    }

    /// Runs `apply` with the next update of `parameters` (which applies it as the gradients come, see
    /// `Network.backward(_:rows:applying:)`), then counts the update. Makes the velocities on first use (a
    /// training session has made them already, so that its steps allocate nothing).
    func update(parameters: FloatBuffer, _ apply: (SGDStep) -> Void) throws {
        try prepare(parameterCount: parameters.count)
        // Without momentum there is no velocity; the kernels do not read it then.
        let velocity = momentum == 0 ? parameters.base : slot(0)
        apply(SGDStep(rate: effectiveLearningRate, momentum: momentum, nesterov: nesterov, velocity: velocity))
        iterations += 1
    }

    // MARK: The rule

    /// SGD's rule for one parameter `w` with gradient `g` and velocity `v`, at rate `rate` (the `lr_t` of
    /// the update), each product rounded before it is used:
    /// ```
    /// step = rate * g
    /// momentum == 0:  w = w - step                                      (v is neither read nor changed)
    /// otherwise:      v = momentum * v - step;   w = w + v
    /// nesterov:       v = momentum * v - step;   w = w + (momentum * v - step)
    /// ```
    /// Every path that updates with SGD computes exactly this: the C kernels' vectorized copy of it at every
    /// level (`Kernels.sgdUpdate`), and the big products that apply it to each
    /// gradient as they compute it (`Kernels.denseParameterUpdate`); `SGDRuleTests` checks them bit for bit.
    @inline(__always)
    static func rule(
        w: Float, v: Float, g: Float, rate: Float, momentum: Float, nesterov: Bool
    ) -> (w: Float, v: Float) {
        let step = rate * g
        guard momentum != 0 else { return (w - step, v) }
        let velocity = momentum * v - step
        return (w + (nesterov ? momentum * velocity - step : velocity), velocity)
    }
}

/// One SGD update's constants, for the code that applies it (`SGD.rule`).
struct SGDStep {
    let rate: Float
    let momentum: Float
    let nesterov: Bool
    /// The velocities, laid out like the model's parameters (the parameters themselves when momentum is 0:
    /// then nothing reads them).
    let velocity: UnsafeMutablePointer<Float>
}
