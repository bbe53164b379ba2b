import Anneal
import CAnneal

/// The object behind an `anneal_schedule` handle (immutable).
final class ScheduleBox {
    let schedule: any LearningRateSchedule
    init(_ schedule: any LearningRateSchedule) { self.schedule = schedule }
}

/// A schedule evaluated in another unit than its type's default (the `unit` argument of the constructors).
struct UnitOverride: LearningRateSchedule {
    let base: any LearningRateSchedule
    let unit: ScheduleUnit
    func learningRate(at step: Int) -> Double { base.learningRate(at: step) }
}

func schedule(_ handle: OpaquePointer?, _ name: String = "schedule") throws -> any LearningRateSchedule {
    try Handles.object(handle, .schedule, as: ScheduleBox.self, argument: name).schedule
}

func code(of unit: ScheduleUnit) -> Int32 {
    switch unit {
    case .epoch: ANNEAL_UNIT_EPOCH
    case .update: ANNEAL_UNIT_UPDATE
    }
}

/// Checks `unit`, builds the schedule and registers it, in the shape every constructor shares.
private func makeSchedule(
    _ unit: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?, _ build: () throws -> any LearningRateSchedule
) -> Int32 {
    capiCreate(out, "out_schedule") {
        let chosen: ScheduleUnit? = try decode(unit, [
            (ANNEAL_UNIT_DEFAULT, nil), (ANNEAL_UNIT_EPOCH, .epoch), (ANNEAL_UNIT_UPDATE, .update),
        ], "unit")
        let made = try build()
        guard let chosen, chosen != made.unit else { return try Handles.register(ScheduleBox(made), .schedule) }
        return try Handles.register(ScheduleBox(UnitOverride(base: made, unit: chosen)), .schedule)
    }
}

/// A caller's int64 list (NULL allowed when empty) as [Int].
private func integers(_ pointer: UnsafePointer<Int64>?, _ count: Int32, _ name: String, _ countName: String) throws -> [Int] {
    try nonNegative(count, countName)
    if count == 0 { return [] }
    let base = try required(pointer, name)
    return UnsafeBufferPointer(start: base, count: Int(count)).map { Int($0) }
}

@c @implementation
public func anneal_schedule_step_decay(
    _ initial_rate: Double, _ drop: Double, _ epochs_drop: Double, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try StepDecay(initialRate: initial_rate, drop: drop, epochsDrop: epochs_drop) }
}

@c @implementation
public func anneal_schedule_time_decay(
    _ initial_rate: Double, _ decay: Double, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try TimeDecay(initialRate: initial_rate, decay: decay) }
}

@c @implementation
public func anneal_schedule_tutorial_compounding_decay(
    _ initial_rate: Double, _ decay: Double, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try TutorialCompoundingDecay(initialRate: initial_rate, decay: decay) }
}

@c @implementation
public func anneal_schedule_constant(
    _ rate: Double, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try ConstantSchedule(rate) }
}

@c @implementation
public func anneal_schedule_exponential_decay(
    _ initial_rate: Double, _ decay_steps: Int64, _ decay_rate: Double, _ staircase: Bool, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try ExponentialDecay(initialRate: initial_rate, decaySteps: Int(decay_steps), decayRate: decay_rate, staircase: staircase)
    }
}

@c @implementation
public func anneal_schedule_inverse_time_decay(
    _ initial_rate: Double, _ decay_steps: Int64, _ decay_rate: Double, _ staircase: Bool, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try InverseTimeDecay(initialRate: initial_rate, decaySteps: Int(decay_steps), decayRate: decay_rate, staircase: staircase)
    }
}

@c @implementation
public func anneal_schedule_piecewise_constant_decay(
    _ boundaries: UnsafePointer<Int64>?, _ boundary_count: Int32, _ values: UnsafePointer<Double>?,
    _ value_count: Int32, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        let bounds = try integers(boundaries, boundary_count, "boundaries", "boundary_count")
        try check(value_count >= 1, "value_count must be at least 1. Received: value_count=\(value_count)")
        // Compared before `values` is read: a count larger than the caller's array would read past it.
        try check(Int(value_count) == bounds.count + 1,
                  "value_count must be boundary_count + 1 = \(bounds.count + 1). Received: value_count=\(value_count)")
        let rates = Array(UnsafeBufferPointer(start: try required(values, "values"), count: Int(value_count)))
        return try PiecewiseConstantDecay(boundaries: bounds, values: rates)
    }
}

@c @implementation
public func anneal_schedule_polynomial_decay(
    _ initial_rate: Double, _ decay_steps: Int64, _ end_rate: Double, _ power: Double, _ cycle: Bool, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try PolynomialDecay(initialRate: initial_rate, decaySteps: Int(decay_steps), endRate: end_rate, power: power, cycle: cycle)
    }
}

@c @implementation
public func anneal_schedule_cosine_decay(
    _ initial_rate: Double, _ decay_steps: Int64, _ alpha: Double, _ has_warmup_target: Bool, _ warmup_target: Double,
    _ warmup_steps: Int64, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try CosineDecay(initialRate: initial_rate, decaySteps: Int(decay_steps), alpha: alpha,
                        warmupTarget: has_warmup_target ? warmup_target : nil, warmupSteps: Int(warmup_steps))
    }
}

@c @implementation
public func anneal_schedule_cosine_decay_restarts(
    _ initial_rate: Double, _ first_decay_steps: Int64, _ t_mul: Double, _ m_mul: Double, _ alpha: Double,
    _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try CosineDecayRestarts(initialRate: initial_rate, firstDecaySteps: Int(first_decay_steps), tMul: t_mul,
                                mMul: m_mul, alpha: alpha)
    }
}

@c @implementation
public func anneal_schedule_step_lr(
    _ initial_rate: Double, _ step_size: Int64, _ gamma: Double, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try StepLR(initialRate: initial_rate, stepSize: Int(step_size), gamma: gamma) }
}

@c @implementation
public func anneal_schedule_multi_step_lr(
    _ initial_rate: Double, _ milestones: UnsafePointer<Int64>?, _ milestone_count: Int32, _ gamma: Double,
    _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        let list = try integers(milestones, milestone_count, "milestones", "milestone_count")
        // The header promises a sorted list (as PyTorch's documentation asks); the core would sort a list out
        // of order silently, hiding a typo such as {30, 10} meant as {10, 30}.
        for (i, (previous, next)) in zip(list, list.dropFirst()).enumerated() where next < previous {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                            "milestones must be sorted (non-decreasing): milestones[\(i + 1)] = \(next) follows milestones[\(i)] = \(previous). Received: milestones=\(list)")
        }
        return try MultiStepLR(initialRate: initial_rate, milestones: list, gamma: gamma)
    }
}

@c @implementation
public func anneal_schedule_exponential_lr(
    _ initial_rate: Double, _ gamma: Double, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try ExponentialLR(initialRate: initial_rate, gamma: gamma) }
}

@c @implementation
public func anneal_schedule_cosine_annealing_lr(
    _ initial_rate: Double, _ t_max: Int64, _ eta_min: Double, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) { try CosineAnnealingLR(initialRate: initial_rate, tMax: Int(t_max), etaMin: eta_min) }
}

@c @implementation
public func anneal_schedule_cosine_annealing_warm_restarts(
    _ initial_rate: Double, _ t_0: Int64, _ t_mult: Int64, _ eta_min: Double, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try CosineAnnealingWarmRestarts(initialRate: initial_rate, t0: Int(t_0), tMult: Int(t_mult), etaMin: eta_min)
    }
}

@c @implementation
public func anneal_schedule_one_cycle_lr(
    _ max_rate: Double, _ total_steps: Int64, _ pct_start: Double, _ anneal_strategy: Int32, _ div_factor: Double,
    _ final_div_factor: Double, _ three_phase: Bool, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        let strategy: OneCycleLR.AnnealStrategy = try decode(
            anneal_strategy, [(ANNEAL_ANNEAL_COSINE, .cosine), (ANNEAL_ANNEAL_LINEAR, .linear)], "anneal_strategy")
        return try OneCycleLR(maxRate: max_rate, totalSteps: Int(total_steps), pctStart: pct_start,
                              annealStrategy: strategy, divFactor: div_factor, finalDivFactor: final_div_factor,
                              threePhase: three_phase)
    }
}

@c @implementation
public func anneal_schedule_cyclic_lr(
    _ base_rate: Double, _ max_rate: Double, _ step_size_up: Int64, _ step_size_down: Int64, _ mode: Int32,
    _ gamma: Double, _ unit: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        let cyclicMode: CyclicLR.Mode = try decode(mode, [
            (ANNEAL_CYCLIC_TRIANGULAR, .triangular), (ANNEAL_CYCLIC_TRIANGULAR2, .triangular2),
            (ANNEAL_CYCLIC_EXP_RANGE, .exponentialRange),
        ], "mode")
        return try CyclicLR(baseRate: base_rate, maxRate: max_rate, stepSizeUp: Int(step_size_up),
                            stepSizeDown: step_size_down == 0 ? nil : Int(step_size_down), mode: cyclicMode, gamma: gamma)
    }
}

@c @implementation
public func anneal_schedule_linear_lr(
    _ initial_rate: Double, _ start_factor: Double, _ end_factor: Double, _ total_iters: Int64, _ unit: Int32,
    _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(unit, out_schedule) {
        try LinearLR(initialRate: initial_rate, startFactor: start_factor, endFactor: end_factor, totalIters: Int(total_iters))
    }
}

@c @implementation
public func anneal_schedule_sequential(
    _ schedules: UnsafePointer<OpaquePointer?>?, _ count: Int32, _ milestones: UnsafePointer<Int64>?,
    _ milestone_count: Int32, _ out_schedule: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeSchedule(ANNEAL_UNIT_DEFAULT, out_schedule) {
        try check(count >= 1, "count must be at least 1. Received: count=\(count)")
        let handles = UnsafeBufferPointer(start: try required(schedules, "schedules"), count: Int(count))
        let parts = try handles.enumerated().map { try AnnealExport.schedule($1, "schedules[\($0)]") }
        // Compared before `milestones` is read: a count larger than the caller's array would read past it.
        try check(milestone_count == count - 1,
                  "milestone_count must be count - 1 = \(count - 1), one milestone between two schedules. Received: milestone_count=\(milestone_count)")
        return try SequentialSchedule(parts, milestones: try integers(milestones, milestone_count, "milestones", "milestone_count"))
    }
}

@c @implementation
public func anneal_schedule_free(_ schedule: OpaquePointer?) {
    Handles.remove(schedule, .schedule)
}

@c @implementation
public func anneal_schedule_rate(_ schedule: OpaquePointer?, _ step: Int64, _ out_rate: UnsafeMutablePointer<Double>?) -> Int32 {
    capiCall {
        let found = try AnnealExport.schedule(schedule)
        let out = try required(out_rate, "out_rate")
        try check(step >= 0 && step <= Int64(Int32.max), "step must be in [0, \(Int32.max)]. Received: step=\(step)")
        out.pointee = found.learningRate(at: Int(step))
    }
}

@c @implementation
public func anneal_schedule_unit(_ schedule: OpaquePointer?, _ out_unit: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        let found = try AnnealExport.schedule(schedule)
        try required(out_unit, "out_unit").pointee = code(of: found.unit)
    }
}
