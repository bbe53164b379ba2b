/// A schedule an optimizer follows as a model-file record, and back: Keras's six schedules and
/// `ConstantSchedule`, by their arguments (Keras's names).
///
/// ```
/// schedule class=ExponentialDecay initial_rate=0.1 decay_steps=100 decay_rate=0.96 staircase=false unit=update
/// ```
/// Other schedules (closures, the PyTorch and tutorial schedules, `SequentialSchedule`) are not saved:
/// ``Sequential/save(to:)`` refuses a model whose optimizer follows one, rather than lose it.
enum ScheduleDescription {
    /// The record for `schedule`, or nil when it is not one the model file can hold.
    static func record(_ schedule: any LearningRateSchedule) -> ModelDescription.Record? {
        var fields: [(String, String)]
        switch schedule {
        case let s as ExponentialDecay:
            fields = [("class", "ExponentialDecay"), ("initial_rate", "\(s.initialRate)"),
                      ("decay_steps", "\(s.decaySteps)"), ("decay_rate", "\(s.decayRate)"), ("staircase", "\(s.staircase)")]
        case let s as InverseTimeDecay:
            fields = [("class", "InverseTimeDecay"), ("initial_rate", "\(s.initialRate)"),
                      ("decay_steps", "\(s.decaySteps)"), ("decay_rate", "\(s.decayRate)"), ("staircase", "\(s.staircase)")]
        case let s as PolynomialDecay:
            fields = [("class", "PolynomialDecay"), ("initial_rate", "\(s.initialRate)"),
                      ("decay_steps", "\(s.decaySteps)"), ("end_rate", "\(s.endRate)"), ("power", "\(s.power)"),
                      ("cycle", "\(s.cycle)")]
        case let s as PiecewiseConstantDecay:
            fields = [("class", "PiecewiseConstantDecay"),
                      ("boundaries", s.boundaries.map(String.init).joined(separator: ",")),
                      ("values", s.values.map { "\($0)" }.joined(separator: ","))]
        case let s as CosineDecay:
            fields = [("class", "CosineDecay"), ("initial_rate", "\(s.initialRate)"), ("decay_steps", "\(s.decaySteps)"),
                      ("alpha", "\(s.alpha)"), ("warmup_target", s.warmupTarget.map { "\($0)" } ?? "none"),
                      ("warmup_steps", "\(s.warmupSteps)")]
        case let s as CosineDecayRestarts:
            fields = [("class", "CosineDecayRestarts"), ("initial_rate", "\(s.initialRate)"),
                      ("first_decay_steps", "\(s.firstDecaySteps)"), ("t_mul", "\(s.tMul)"), ("m_mul", "\(s.mMul)"),
                      ("alpha", "\(s.alpha)")]
        case let s as ConstantSchedule:
            fields = [("class", "Constant"), ("rate", "\(s.rate)")]
        default:
            return nil
        }
        fields.append(("unit", schedule.unit.rawValue))
        return ModelDescription.Record("schedule", fields)
    }

    /// The schedule `record` describes.
    static func make(from record: ModelDescription.Record, _ read: DescriptionReader) throws -> any LearningRateSchedule {
        let unitName = try read.string(record, "unit")
        guard let unit = ScheduleUnit(rawValue: unitName) else { throw read.fail(record, "unknown unit '\(unitName)'") }
        switch try read.string(record, "class") {
        case "ExponentialDecay":
            return try ExponentialDecay(
                initialRate: try read.double(record, "initial_rate"), decaySteps: try read.int(record, "decay_steps"),
                decayRate: try read.double(record, "decay_rate"), staircase: try read.bool(record, "staircase"), unit: unit)
        case "InverseTimeDecay":
            return try InverseTimeDecay(
                initialRate: try read.double(record, "initial_rate"), decaySteps: try read.int(record, "decay_steps"),
                decayRate: try read.double(record, "decay_rate"), staircase: try read.bool(record, "staircase"), unit: unit)
        case "PolynomialDecay":
            return try PolynomialDecay(
                initialRate: try read.double(record, "initial_rate"), decaySteps: try read.int(record, "decay_steps"),
                endRate: try read.double(record, "end_rate"), power: try read.double(record, "power"),
                cycle: try read.bool(record, "cycle"), unit: unit)
        case "PiecewiseConstantDecay":
            let boundaries = try read.list(record, "boundaries").map { text -> Int in
                guard let value = Int(text) else { throw read.fail(record, "boundary '\(text)' is not an integer") }
                return value
            }
            let values = try read.list(record, "values").map { text -> Double in
                guard let value = Double(text) else { throw read.fail(record, "value '\(text)' is not a number") }
                return value
            }
            return try PiecewiseConstantDecay(boundaries: boundaries, values: values, unit: unit)
        case "CosineDecay":
            let target = try read.string(record, "warmup_target")
            return try CosineDecay(
                initialRate: try read.double(record, "initial_rate"), decaySteps: try read.int(record, "decay_steps"),
                alpha: try read.double(record, "alpha"),
                warmupTarget: target == "none" ? nil : try read.double(record, "warmup_target"),
                warmupSteps: try read.int(record, "warmup_steps"), unit: unit)
        case "CosineDecayRestarts":
            return try CosineDecayRestarts(
                initialRate: try read.double(record, "initial_rate"),
                firstDecaySteps: try read.int(record, "first_decay_steps"), tMul: try read.double(record, "t_mul"),
                mMul: try read.double(record, "m_mul"), alpha: try read.double(record, "alpha"), unit: unit)
        case "Constant":
            return try ConstantSchedule(try read.double(record, "rate"), unit: unit)
        case let other:
            throw read.fail(record, "unknown schedule class '\(other)'")
        }
    }
}
