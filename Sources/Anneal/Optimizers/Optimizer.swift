/// What every Keras 2 (legacy) optimizer shares: the base rate or its schedule, Keras's time-based `decay`,
/// the update count, and the model whose state it holds. `SGD`, `Adam`, `RMSprop`, `Adagrad`, `Adadelta`,
/// `Adamax` and `Nadam` add their update rules.
///
/// Before every update the rate in force is
/// ```
/// base_t = schedule(iterations)   (or the fixed learningRate)
/// lr_t   = base_t / (1 + decay * iterations)        computed in Float32, as Keras does
/// ```
/// `iterations` counts updates; it grows after every batch and is never reset, across epochs and fits.
/// `decay` is Keras's time-based decay, not weight decay.
///
/// An optimizer belongs to the one model it is compiled into: its state (moments, accumulators, velocities)
/// is laid out like that model's parameters, sized once when training starts, and never allocated inside a
/// training step.
public class Optimizer {
    /// Keras's class name (`"SGD"`, `"Adam"`, ...), used in messages.
    public let name: String
    /// The base rate (Keras's `learning_rate`, alias `lr`). Setting it replaces any schedule.
    public var learningRate: Float {
        get { fixedRate }
        set {
            fixedRate = newValue
            schedule = nil
        }
    }
    public let decay: Float
    /// A per-update schedule used as the base rate instead of `learningRate` (Keras's
    /// `Adam(learning_rate=ExponentialDecay(...))`); it is asked for `iterations`.
    public private(set) var schedule: (any LearningRateSchedule)?
    /// Updates done so far.
    public internal(set) var iterations: Int64 = 0

    private var fixedRate: Float
    /// The model this optimizer was compiled into: its state belongs to that model only.
    weak var owner: AnyObject?

    /// Checks the shared arguments; the messages are Keras's.
    init(name: String, learningRate: Float, decay: Float) throws {
        try Self.checkRate(learningRate, name: "learning_rate")
        guard decay.isFinite, decay >= 0 else {
            throw AnnealError.invalidArgument("decay must be a non-negative number. Received: decay=\(decay)")
        }
        self.name = name
        self.fixedRate = learningRate
        self.decay = decay
    }

    /// Starts the base rate from `schedule` (its value at 0 stands as `learningRate` until replaced).
    func follow(_ schedule: any LearningRateSchedule) throws {
        let first = Float(schedule.learningRate(at: 0))
        try Self.checkRate(first, name: "learning_rate")
        fixedRate = first
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

    /// The optimizer's state buffers by Keras's slot names (`"m"`, `"v"`, `"rms"`...), each laid out like the
    /// model's parameters; empty until training has started. With `iterations` (and `Nadam`'s momentum
    /// cache) this is everything a whole-model save must write to resume training exactly.
    public var stateNames: [String] { slots.isEmpty ? [] : slotNames }

    /// The values of state buffer `name`, laid out like the model's parameters, or nil when there is none.
    public func stateValues(_ name: String) -> [Float]? {
        guard let index = stateNames.firstIndex(of: name) else { return nil }
        return Array(slots[index].buffer)
    }

    /// Replaces the state: the update count and every state buffer (by `stateNames`), as `stateValues` read
    /// them from an optimizer of the same kind and settings; how a whole-model load resumes training exactly.
    ///
    /// `values` holds either no buffer (training had not started: the state starts afresh) or one per name of
    /// this optimizer's `slotNames`, each of `parameterCount` values. Everything is checked before anything
    /// changes.
    /// - Throws: ``AnnealError/Kind/invalidArgument`` for a negative `iterations`, or buffers that are not
    ///   exactly this optimizer's; ``AnnealError/Kind/shapeMismatch`` for a buffer of another length;
    ///   ``AnnealError/Kind/outOfMemory`` when the state buffers cannot be allocated.
    public func setState(iterations: Int64, values: [String: [Float]], parameterCount: Int) throws {
        guard iterations >= 0 else {
            throw AnnealError.invalidArgument("iterations must be >= 0. Received: iterations=\(iterations)")
        }
        if !values.isEmpty {
            guard Set(values.keys) == Set(slotNames) else {
                throw AnnealError.invalidArgument(
                    "\(name) with these settings keeps the state [\(slotNames.joined(separator: ", "))]; received ["
                        + values.keys.sorted().joined(separator: ", ") + "]")
            }
            for (slot, buffer) in values where buffer.count != parameterCount {
                throw AnnealError.shapeMismatch(
                    "\(name) state '\(slot)' holds \(buffer.count) values; the model has \(parameterCount) parameters")
            }
        }
        guard !values.isEmpty else {
            self.iterations = iterations
            slots = []
            preparedCount = nil
            return
        }
        try prepare(parameterCount: parameterCount)  // first: a refused buffer leaves the state as it was
        self.iterations = iterations
        for (index, slot) in slotNames.enumerated() {
            if let buffer = values[slot] { slots[index].update(from: buffer) }
        }
    }

    /// The state buffers, in `slotNames`' order; sized by `prepare`.
    private(set) var slots: [FloatBuffer] = []
    /// The parameter count the state is sized for.
    private var preparedCount: Int?

    /// Sizes the state for `parameterCount` parameters, once: a model's parameter count never changes after
    /// compile. Called when training starts, so that no training step allocates and a model too big for its
    /// state fails there; throws `AnnealError.outOfMemory` naming the buffer that could not be made.
    func prepare(parameterCount: Int) throws {
        if preparedCount == parameterCount { return }
        let made = try slotNames.map { name in
            let buffer = try FloatBuffer(count: parameterCount, for: "the \(self.name) optimizer's \"\(name)\" state (\(parameterCount) floats)")
            let start = initialValue(ofSlot: name)
            if start != 0 { buffer.base.update(repeating: start, count: parameterCount) }
            return buffer
        }
        // Only once every buffer exists: a failure leaves the optimizer as it was.
        slots = made
        preparedCount = parameterCount
    }

    /// The names of the state buffers this optimizer keeps (per its settings), in Keras's slot order.
    var slotNames: [String] { [] }

    /// Where the state buffer `name` starts (0 unless an optimizer says otherwise).
    func initialValue(ofSlot name: String) -> Float { 0 }

    /// State buffer `index` of `slotNames` (`prepare` has run). By position, not name: a training step
    /// compares no strings.
    func slot(_ index: Int) -> UnsafeMutablePointer<Float> { slots[index].base }

    /// One training step's backward pass and update: computes every gradient, then applies the rule.
    /// (`SGD` overrides it to apply its update inside the backward pass.)
    func trainStep(network: Network, workspace: Workspace, rows: Int) throws {
        network.backward(workspace, rows: rows)
        try update(parameters: network.parameters.base, gradients: network.gradients.base, count: network.parameters.count)
    }

    /// One update of `count` parameters by their gradients at the rate in force, then counted. Makes the state
    /// on first use (a training session has made it already, so that its steps allocate nothing).
    func update(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int) throws {
        try prepare(parameterCount: count)
        apply(parameters: w, gradients: g, count: count, rate: effectiveLearningRate)
        iterations += 1
    }

    /// Whether a step leaves the workspace's packed kernels current (only `SGD`'s fused update writes them).
    var updatesPackedKernels: Bool { false }

    /// Moves the `count` parameters `w` by their gradients `g` with rate `rate` (the `lr_t` of this update;
    /// `iterations` is still the count before it). Each optimizer writes its rule here.
    func apply(
        parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int, rate: Float
    ) {
        preconditionFailure("\(name) defines no update rule")
    }

    static func checkRate<T: BinaryFloatingPoint>(_ rate: T, name: String) throws {
        guard rate.isFinite, rate >= 0 else {
            throw AnnealError.invalidArgument("\(name) must be a non-negative finite number. Received: \(name)=\(rate)")
        }
    }

    /// Checks a hyperparameter that must lie in `[0, 1]` (`[0, 1)` when `open`).
    static func checkFraction(_ value: Float, name: String, open: Bool = false) throws {
        guard value.isFinite, value >= 0, open ? value < 1 : value <= 1 else {
            throw AnnealError.invalidArgument(
                "\(name) must be between [0, 1\(open ? ")" : "]"). Received: \(name)=\(value)")
        }
    }

    /// Keras's `epsilon or backend.epsilon()`: 0 means the default 1e-7; negative or non-finite is an error.
    static func checkedEpsilon(_ epsilon: Float) throws -> Float {
        guard epsilon.isFinite, epsilon >= 0 else {
            throw AnnealError.invalidArgument("epsilon must be a non-negative finite number. Received: epsilon=\(epsilon)")
        }
        return epsilon == 0 ? 1e-7 : epsilon
    }
}
