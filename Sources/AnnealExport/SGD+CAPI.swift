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

/// Keras's range checks on the C doubles themselves, so that the message shows the value the caller passed
/// (narrowed to Float, 1.0000001 would read 1.0).
private func checkRanges(learningRate: Double?, momentum: Double, decay: Double) throws {
    if let learningRate {
        try finite(learningRate, "learning_rate")
        try check(learningRate >= 0, "learning_rate must be a non-negative finite number. Received: learning_rate=\(learningRate)")
    }
    try finite(momentum, "momentum")
    try check(momentum >= 0 && momentum <= 1, "momentum must be between [0, 1]. Received: momentum=\(momentum)")
    try finite(decay, "decay")
    try check(decay >= 0, "decay must be a non-negative number. Received: decay=\(decay)")
}

@c @implementation
public func anneal_sgd_create(
    _ learning_rate: Double, _ momentum: Double, _ decay: Double, _ nesterov: Bool,
    _ out_sgd: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_sgd, "out_sgd") {
        try checkRanges(learningRate: learning_rate, momentum: momentum, decay: decay)
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
        try checkRanges(learningRate: nil, momentum: momentum, decay: decay)
        let box = try SGDBox(learningRate: 0, schedule: rates, momentum: momentum, decay: decay, nesterov: nesterov)
        return try Handles.register(box, .sgd)
    }
}

@c @implementation
public func anneal_sgd_free(_ sgd: OpaquePointer?) {
    Handles.remove(sgd, .sgd)
}
