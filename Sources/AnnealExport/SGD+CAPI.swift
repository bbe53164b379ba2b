import Anneal
import CAnneal

/// The object behind an `anneal_sgd` handle: SGD's settings, from which each compile builds a fresh optimizer
/// (an optimizer holds one model's iterations and velocities, so it is never shared).
final class SGDBox {
    let learningRate: Float
    let schedule: (any LearningRateSchedule)?
    let momentum: Float
    let decay: Float
    let nesterov: Bool

    /// Checks the settings by building an optimizer from them once.
    init(learningRate: Double, schedule: (any LearningRateSchedule)?, momentum: Double, decay: Double, nesterov: Bool) throws {
        self.learningRate = Float(learningRate)
        self.schedule = schedule
        self.momentum = Float(momentum)
        self.decay = Float(decay)
        self.nesterov = nesterov
        _ = try makeOptimizer()
    }

    func makeOptimizer() throws -> SGD {
        if let schedule {
            return try SGD(schedule: schedule, momentum: momentum, nesterov: nesterov, decay: decay)
        }
        return try SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, decay: decay)
    }
}

@c @implementation
public func anneal_sgd_create(
    _ learning_rate: Double, _ momentum: Double, _ decay: Double, _ nesterov: Bool,
    _ out_sgd: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_sgd, "out_sgd") {
        try finite(learning_rate, "learning_rate")
        try finite(momentum, "momentum")
        try finite(decay, "decay")
        let box = try SGDBox(learningRate: learning_rate, schedule: nil, momentum: momentum, decay: decay, nesterov: nesterov)
        return try Handles.register(box, .sgd)
    }
}

@c @implementation
public func anneal_sgd_create_scheduled(
    _ schedule: OpaquePointer?, _ momentum: Double, _ decay: Double, _ nesterov: Bool,
    _ out_sgd: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_sgd, "out_sgd") {
        let rates = try AnnealExport.schedule(schedule)
        try check(rates.unit == .update,
                  "an SGD schedule is evaluated per update: create it with ANNEAL_UNIT_UPDATE (this one counts epochs; pass epoch schedules to anneal_model_fit or anneal_session_fit)")
        try finite(momentum, "momentum")
        try finite(decay, "decay")
        let box = try SGDBox(learningRate: 0, schedule: rates, momentum: momentum, decay: decay, nesterov: nesterov)
        return try Handles.register(box, .sgd)
    }
}

@c @implementation
public func anneal_sgd_free(_ sgd: OpaquePointer?) {
    Handles.remove(sgd, .sgd)
}
