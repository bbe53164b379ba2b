/// An optimizer's class and arguments as a model-file record, and back.
///
/// ```
/// optimizer class=Adam learning_rate=0.001 decay=0.0 beta_1=0.9 beta_2=0.999 epsilon=1e-07 amsgrad=false
/// ```
/// Keras's argument names; `learning_rate` is the base rate in force (what a `LearningRateScheduler` or
/// `ReduceLROnPlateau` last set), and a schedule, when the optimizer follows one, is its own record.
extension Optimizer {
    var descriptionRecord: ModelDescription.Record {
        var fields: [(String, String)] = [("class", name), ("learning_rate", "\(learningRate)"), ("decay", "\(decay)")]
        switch self {
        case let sgd as SGD:
            fields += [("momentum", "\(sgd.momentum)"), ("nesterov", "\(sgd.nesterov)")]
        case let adam as Adam:
            fields += [("beta_1", "\(adam.beta1)"), ("beta_2", "\(adam.beta2)"), ("epsilon", "\(adam.epsilon)"),
                       ("amsgrad", "\(adam.amsgrad)")]
        case let rmsprop as RMSprop:
            fields += [("rho", "\(rmsprop.rho)"), ("momentum", "\(rmsprop.momentum)"),
                       ("epsilon", "\(rmsprop.epsilon)"), ("centered", "\(rmsprop.centered)")]
        case let adagrad as Adagrad:
            fields += [("initial_accumulator_value", "\(adagrad.initialAccumulatorValue)"),
                       ("epsilon", "\(adagrad.epsilon)")]
        case let adadelta as Adadelta:
            fields += [("rho", "\(adadelta.rho)"), ("epsilon", "\(adadelta.epsilon)")]
        case let adamax as Adamax:
            fields += [("beta_1", "\(adamax.beta1)"), ("beta_2", "\(adamax.beta2)"), ("epsilon", "\(adamax.epsilon)")]
        case let nadam as Nadam:
            fields += [("beta_1", "\(nadam.beta1)"), ("beta_2", "\(nadam.beta2)"), ("epsilon", "\(nadam.epsilon)"),
                       ("schedule_decay", "\(nadam.scheduleDecay)")]
        default:
            break
        }
        return ModelDescription.Record("optimizer", fields)
    }

    /// The optimizer `record` describes, following `schedule` when there is one.
    static func make(
        from record: ModelDescription.Record, schedule: (any LearningRateSchedule)?, _ read: DescriptionReader
    ) throws -> Optimizer {
        let rate = try read.float(record, "learning_rate")
        let decay = try read.float(record, "decay")
        let optimizer: Optimizer
        switch try read.string(record, "class") {
        case "SGD":
            optimizer = try SGD(learningRate: rate, momentum: try read.float(record, "momentum"),
                                nesterov: try read.bool(record, "nesterov"), decay: decay)
        case "Adam":
            optimizer = try Adam(learningRate: rate, beta1: try read.float(record, "beta_1"),
                                 beta2: try read.float(record, "beta_2"), epsilon: try read.float(record, "epsilon"),
                                 amsgrad: try read.bool(record, "amsgrad"), decay: decay)
        case "RMSprop":
            optimizer = try RMSprop(learningRate: rate, rho: try read.float(record, "rho"),
                                    momentum: try read.float(record, "momentum"),
                                    epsilon: try read.float(record, "epsilon"),
                                    centered: try read.bool(record, "centered"), decay: decay)
        case "Adagrad":
            optimizer = try Adagrad(learningRate: rate,
                                    initialAccumulatorValue: try read.float(record, "initial_accumulator_value"),
                                    epsilon: try read.float(record, "epsilon"), decay: decay)
        case "Adadelta":
            optimizer = try Adadelta(learningRate: rate, rho: try read.float(record, "rho"),
                                     epsilon: try read.float(record, "epsilon"), decay: decay)
        case "Adamax":
            optimizer = try Adamax(learningRate: rate, beta1: try read.float(record, "beta_1"),
                                   beta2: try read.float(record, "beta_2"), epsilon: try read.float(record, "epsilon"),
                                   decay: decay)
        case "Nadam":
            optimizer = try Nadam(learningRate: rate, beta1: try read.float(record, "beta_1"),
                                  beta2: try read.float(record, "beta_2"), epsilon: try read.float(record, "epsilon"),
                                  scheduleDecay: try read.float(record, "schedule_decay"))
        case let other:
            throw read.fail(record, "unknown optimizer class '\(other)'")
        }
        if let schedule { try optimizer.follow(schedule) }
        return optimizer
    }
}
