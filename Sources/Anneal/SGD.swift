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
/// The rate lives inside the velocity (unlike PyTorch's `p -= lr * buf`): when the rate changes, the old
/// velocity keeps decaying at `momentum`. `decay` is Keras's time-based decay, not weight decay.
/// `iterations` counts updates; it grows after every batch and is never reset, across epochs and fits.
public final class SGD {
    /// The base rate (Keras's `learning_rate`, alias `lr`). Setting it replaces any schedule.
    public var learningRate: Float {
        get { fixedRate }
        set {
            fixedRate = newValue
            schedule = nil
        }
    }
    public let momentum: Float
    public let nesterov: Bool
    public let decay: Float
    /// A per-update schedule used as the base rate instead of `learningRate` (Keras's
    /// `SGD(learning_rate=ExponentialDecay(...))`); it is asked for `iterations`.
    public private(set) var schedule: (any LearningRateSchedule)?
    /// Updates done so far.
    public internal(set) var iterations: Int64 = 0

    private var fixedRate: Float
    /// The model this optimizer was compiled into: its state belongs to that model only.
    weak var owner: AnyObject?
    /// One velocity per model parameter, laid out like the model's parameters; sized on first use.
    var velocity: FloatBuffer?

    /// Creates the optimizer; the messages of the argument checks are Keras's.
    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, decay: Float = 0) throws {
        try Self.checkRate(learningRate, name: "learning_rate")
        guard momentum.isFinite, momentum >= 0, momentum <= 1 else {
            throw AnnealError.invalidArgument("momentum must be between [0, 1]. Received: momentum=\(momentum)")
        }
        guard decay.isFinite, decay >= 0 else {
            throw AnnealError.invalidArgument("decay must be a non-negative number. Received: decay=\(decay)")
        }
        self.fixedRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.decay = decay
    }

    /// An optimizer whose base rate follows a per-update schedule.
    public convenience init(schedule: any LearningRateSchedule, momentum: Float = 0, nesterov: Bool = false, decay: Float = 0) throws {
        try self.init(learningRate: Float(schedule.learningRate(at: 0)), momentum: momentum, nesterov: nesterov, decay: decay)
        self.schedule = schedule
    }

    /// Sets the base rate, checking it first (what `LearningRateScheduler` and `ReduceLROnPlateau` call).
    public func setLearningRate(_ rate: Double) throws {
        try Self.checkRate(rate, name: "learning_rate")
        learningRate = Float(rate)
    }

    /// The base rate the next update starts from: the schedule's value at `iterations`, or `learningRate`.
    public var baseLearningRate: Float {
        guard let schedule else { return fixedRate }
        return Float(schedule.learningRate(at: Int(clamping: iterations)))
    }

    /// The rate the next update will use: `base / (1 + decay * iterations)` in Float32.
    public var effectiveLearningRate: Float {
        let base = baseLearningRate
        guard decay > 0 else { return base }
        return base / (1 + decay * Float(iterations))
    }

    /// Runs `apply` with the next update of `parameters` (which applies it as the gradients come, see
    /// `Network.backward(_:rows:applying:)`), then counts the update. Makes the velocities on first use (a
    /// training session has made them already, so that its steps allocate nothing).
    func update(parameters: FloatBuffer, _ apply: (SGDStep) -> Void) throws {
        try prepareVelocity(count: parameters.count)
        // Without momentum there is no velocity; the kernels do not read it then.
        let velocity = momentum == 0 ? parameters.base : (self.velocity?.base ?? parameters.base)
        apply(SGDStep(rate: effectiveLearningRate, momentum: momentum, nesterov: nesterov, velocity: velocity))
        iterations += 1
    }

    /// Makes the velocities for `count` parameters (zeros) unless they exist; throws
    /// `AnnealError.outOfMemory` when they cannot be allocated.
    func prepareVelocity(count: Int) throws {
        guard momentum != 0, velocity?.count != count else { return }
        velocity = try FloatBuffer(count: count, for: "the optimizer's velocities (\(count) floats)")
    }

    static func checkRate<T: BinaryFloatingPoint>(_ rate: T, name: String) throws {
        guard rate.isFinite, rate >= 0 else {
            throw AnnealError.invalidArgument("\(name) must be a non-negative finite number. Received: \(name)=\(rate)")
        }
    }
}

/// One SGD update's constants, for the code that applies it (`Kernels.sgdUpdate`'s rules).
struct SGDStep {
    let rate: Float
    let momentum: Float
    let nesterov: Bool
    /// The velocities, laid out like the model's parameters (the parameters themselves when momentum is 0:
    /// then nothing reads them).
    let velocity: UnsafeMutablePointer<Float>
}
