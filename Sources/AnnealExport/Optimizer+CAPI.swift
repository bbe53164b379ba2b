import Anneal
import CAnneal

/// The object behind an `anneal_optimizer` handle: one optimizer's kind and settings, from which each compile
/// builds a fresh optimizer (an optimizer holds one model's iterations and state, so it is never shared).
final class OptimizerBox {
    let make: () throws -> Optimizer

    /// Checks the settings by building an optimizer from them once.
    init(_ make: @escaping () throws -> Optimizer) throws {
        self.make = make
        _ = try make()
    }
}

/// Checks the shared arguments and registers the optimizer `build(rate)` makes (followed by `schedule`'s
/// rates when one is given), in the shape every constructor shares. `function` is the C function's name, for
/// an out-of-memory message.
private func makeOptimizer(
    function: String, learningRate: Double, decay: Double, schedule: OpaquePointer?, _ numbers: [(Double, String)],
    _ out: UnsafeMutablePointer<OpaquePointer?>?,
    _ build: @escaping (Float) throws -> Optimizer, scheduled: @escaping (any LearningRateSchedule) throws -> Optimizer
) -> Int32 {
    capiCreate(function: function, out, "out_optimizer") {
        try finite(learningRate, "learning_rate")
        try finite(decay, "decay")
        for (value, name) in numbers { try finite(value, name) }
        if let schedule {
            let rates = try AnnealExport.schedule(schedule)
            try check(rates.unit == .update, """
                an optimizer's schedule is evaluated per update: create it with ANNEAL_UNIT_UPDATE (this one \
                counts epochs; pass epoch schedules to anneal_model_fit or anneal_session_fit)
                """)
            return try Handles.register(try OptimizerBox { try scheduled(rates) }, .optimizer)
        }
        let rate = Float(learningRate)
        return try Handles.register(try OptimizerBox { try build(rate) }, .optimizer)
    }
}

@c @implementation
public func anneal_optimizer_adam(
    _ learning_rate: Double, _ beta_1: Double, _ beta_2: Double, _ epsilon: Double, _ amsgrad: Bool,
    _ decay: Double, _ schedule: OpaquePointer?, _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    let (b1, b2, eps, d) = (Float(beta_1), Float(beta_2), Float(epsilon), Float(decay))
    return makeOptimizer(
        function: #function, learningRate: learning_rate, decay: decay, schedule: schedule,
        [(beta_1, "beta_1"), (beta_2, "beta_2"), (epsilon, "epsilon")], out_optimizer,
        { try Adam(learningRate: $0, beta1: b1, beta2: b2, epsilon: eps, amsgrad: amsgrad, decay: d) },
        scheduled: { try Adam(schedule: $0, beta1: b1, beta2: b2, epsilon: eps, amsgrad: amsgrad, decay: d) })
}

@c @implementation
public func anneal_optimizer_rmsprop(
    _ learning_rate: Double, _ rho: Double, _ momentum: Double, _ epsilon: Double, _ centered: Bool,
    _ decay: Double, _ schedule: OpaquePointer?, _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    let (r, m, eps, d) = (Float(rho), Float(momentum), Float(epsilon), Float(decay))
    return makeOptimizer(
        function: #function, learningRate: learning_rate, decay: decay, schedule: schedule,
        [(rho, "rho"), (momentum, "momentum"), (epsilon, "epsilon")], out_optimizer,
        { try RMSprop(learningRate: $0, rho: r, momentum: m, epsilon: eps, centered: centered, decay: d) },
        scheduled: { try RMSprop(schedule: $0, rho: r, momentum: m, epsilon: eps, centered: centered, decay: d) })
}

@c @implementation
public func anneal_optimizer_adagrad(
    _ learning_rate: Double, _ initial_accumulator_value: Double, _ epsilon: Double, _ decay: Double,
    _ schedule: OpaquePointer?, _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    let (start, eps, d) = (Float(initial_accumulator_value), Float(epsilon), Float(decay))
    return makeOptimizer(
        function: #function, learningRate: learning_rate, decay: decay, schedule: schedule,
        [(initial_accumulator_value, "initial_accumulator_value"), (epsilon, "epsilon")], out_optimizer,
        { try Adagrad(learningRate: $0, initialAccumulatorValue: start, epsilon: eps, decay: d) },
        scheduled: { try Adagrad(schedule: $0, initialAccumulatorValue: start, epsilon: eps, decay: d) })
}

@c @implementation
public func anneal_optimizer_adadelta(
    _ learning_rate: Double, _ rho: Double, _ epsilon: Double, _ decay: Double, _ schedule: OpaquePointer?,
    _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    let (r, eps, d) = (Float(rho), Float(epsilon), Float(decay))
    return makeOptimizer(
        function: #function, learningRate: learning_rate, decay: decay, schedule: schedule, [(rho, "rho"), (epsilon, "epsilon")],
        out_optimizer,
        { try Adadelta(learningRate: $0, rho: r, epsilon: eps, decay: d) },
        scheduled: { try Adadelta(schedule: $0, rho: r, epsilon: eps, decay: d) })
}

@c @implementation
public func anneal_optimizer_adamax(
    _ learning_rate: Double, _ beta_1: Double, _ beta_2: Double, _ epsilon: Double, _ decay: Double,
    _ schedule: OpaquePointer?, _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    let (b1, b2, eps, d) = (Float(beta_1), Float(beta_2), Float(epsilon), Float(decay))
    return makeOptimizer(
        function: #function, learningRate: learning_rate, decay: decay, schedule: schedule,
        [(beta_1, "beta_1"), (beta_2, "beta_2"), (epsilon, "epsilon")], out_optimizer,
        { try Adamax(learningRate: $0, beta1: b1, beta2: b2, epsilon: eps, decay: d) },
        scheduled: { try Adamax(schedule: $0, beta1: b1, beta2: b2, epsilon: eps, decay: d) })
}

@c @implementation
public func anneal_optimizer_nadam(
    _ learning_rate: Double, _ beta_1: Double, _ beta_2: Double, _ epsilon: Double, _ schedule_decay: Double,
    _ out_optimizer: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_optimizer, "out_optimizer") {
        for (value, name) in [(learning_rate, "learning_rate"), (beta_1, "beta_1"), (beta_2, "beta_2"),
                              (epsilon, "epsilon"), (schedule_decay, "schedule_decay")] {
            try finite(value, name)
        }
        let (rate, b1, b2, eps) = (Float(learning_rate), Float(beta_1), Float(beta_2), Float(epsilon))
        let d = Float(schedule_decay)
        let box = try OptimizerBox {
            try Nadam(learningRate: rate, beta1: b1, beta2: b2, epsilon: eps, scheduleDecay: d)
        }
        return try Handles.register(box, .optimizer)
    }
}

@c @implementation
public func anneal_optimizer_free(_ optimizer: OpaquePointer?) {
    Handles.remove(optimizer, .optimizer)
}
