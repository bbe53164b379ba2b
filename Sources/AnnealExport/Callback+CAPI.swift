import Anneal
import CAnneal

// `anneal_callback`: Keras's built-in callbacks of the core, for C fits and for front ends that run their own
// epoch loop (the Python package's callbacks wrap these handles).

/// The object behind an `anneal_callback` handle: a core callback, where its text goes, and the logs its
/// last event left. In a fit it runs as itself, its text sent to the chosen output.
final class CallbackBox: Callback {
    let base: any Callback
    /// The model's output while a hook runs (nil: the model's own, standard output by default); made once,
    /// so that swapping it in around a batch hook allocates nothing.
    private(set) var output: ((String) -> Void)?
    var logs = Logs()

    init(_ base: any Callback) { self.base = base }

    func setOutput(_ write: anneal_write_callback?, _ userData: UnsafeMutableRawPointer?) {
        guard let write else {
            output = nil
            return
        }
        output = { text in text.withCString { write(userData, $0) } }
    }

    private func withOutput(_ model: Sequential, _ body: () throws -> Void) rethrows {
        guard let output else { return try body() }
        let saved = model.output
        model.output = output
        defer { model.output = saved }
        try body()
    }

    func onTrainBegin(model: Sequential) throws { try withOutput(model) { try base.onTrainBegin(model: model) } }
    func onTrainEnd(logs: Logs, model: Sequential) throws {
        try withOutput(model) { try base.onTrainEnd(logs: logs, model: model) }
    }
    func onEpochBegin(_ epoch: Int, model: Sequential) throws {
        try withOutput(model) { try base.onEpochBegin(epoch, model: model) }
    }
    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        try withOutput(model) { try base.onEpochEnd(epoch, logs: &logs, model: model) }
    }
    func onTrainBatchBegin(_ batch: Int, model: Sequential) throws {
        try withOutput(model) { try base.onTrainBatchBegin(batch, model: model) }
    }
    func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws {
        try withOutput(model) { try base.onTrainBatchEnd(batch, logs: logs, model: model) }
    }
}

/// Keras's LearningRateScheduler over an epoch schedule: what a fit's `schedule` argument and
/// `anneal_callback_learning_rate_scheduler` make.
func epochScheduler(_ schedule: any LearningRateSchedule, verbose: Int = 0) throws -> LearningRateScheduler {
    try check(schedule.unit == .epoch,
              "a fit schedule is evaluated per epoch: create it with ANNEAL_UNIT_EPOCH (per-update schedules go to anneal_sgd_create_scheduled or an anneal_optimizer constructor)")
    return LearningRateScheduler(schedule, verbose: verbose)
}

/// The entry of a callback handle and its box.
func callbackEntry(_ handle: OpaquePointer?, argument: String = "callback") throws -> (HandleEntry, CallbackBox) {
    try Handles.entry(handle, .callback, holding: CallbackBox.self, argument: argument)
}

private func makeCallback(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ build: () throws -> any Callback) -> Int32 {
    capiCreate(out, "out_callback") { try Handles.register(CallbackBox(try build()), .callback) }
}

private func monitorMode(_ code: Int32) throws -> MonitorMode {
    try decode(code, [(ANNEAL_MODE_AUTO, .auto), (ANNEAL_MODE_MIN, .min), (ANNEAL_MODE_MAX, .max)], "mode")
}

@c @implementation
public func anneal_callback_early_stopping(
    _ monitor: UnsafePointer<CChar>?, _ min_delta: Double, _ patience: Int32, _ verbose: Int32, _ mode: Int32,
    _ baseline: UnsafePointer<Double>?, _ restore_best_weights: Bool, _ start_from_epoch: Int32,
    _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) {
        try EarlyStopping(
            monitor: try string(monitor, "monitor"), minDelta: min_delta, patience: Int(patience),
            verbose: Int(verbose), mode: try monitorMode(mode), baseline: baseline?.pointee,
            restoreBestWeights: restore_best_weights, startFromEpoch: Int(start_from_epoch))
    }
}

@c @implementation
public func anneal_callback_reduce_lr_on_plateau(
    _ monitor: UnsafePointer<CChar>?, _ factor: Double, _ patience: Int32, _ verbose: Int32, _ mode: Int32,
    _ min_delta: Double, _ cooldown: Int32, _ min_lr: Double, _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) {
        try ReduceLROnPlateau(
            monitor: try string(monitor, "monitor"), factor: factor, patience: Int(patience), verbose: Int(verbose),
            mode: try monitorMode(mode), minDelta: min_delta, cooldown: Int(cooldown), minLearningRate: min_lr)
    }
}

@c @implementation
public func anneal_callback_model_checkpoint(
    _ filepath: UnsafePointer<CChar>?, _ monitor: UnsafePointer<CChar>?, _ verbose: Int32, _ save_best_only: Bool,
    _ mode: Int32, _ initial_value_threshold: UnsafePointer<Double>?,
    _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) {
        try ModelCheckpoint(
            filepath: try string(filepath, "filepath"), monitor: try string(monitor, "monitor"), verbose: Int(verbose),
            saveBestOnly: save_best_only, mode: try monitorMode(mode),
            initialValueThreshold: initial_value_threshold?.pointee)
    }
}

@c @implementation
public func anneal_callback_csv_logger(
    _ filename: UnsafePointer<CChar>?, _ separator: UnsafePointer<CChar>?, _ append: Bool,
    _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) {
        try CSVLogger(filename: try string(filename, "filename"), separator: try string(separator, "separator"),
                      append: append)
    }
}

@c @implementation
public func anneal_callback_terminate_on_nan(_ out_callback: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    makeCallback(out_callback) { TerminateOnNaN() }
}

@c @implementation
public func anneal_callback_learning_rate_scheduler(
    _ schedule: OpaquePointer?, _ verbose: Int32, _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) { try epochScheduler(try AnnealExport.schedule(schedule), verbose: Int(verbose)) }
}

@c @implementation
public func anneal_callback_learning_rate_function(
    _ rate: anneal_rate_callback?, _ user_data: UnsafeMutableRawPointer?, _ verbose: Int32,
    _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) {
        let rate = try required(rate, "rate")
        return LearningRateScheduler(verbose: Int(verbose)) { epoch, current in
            var value = Double.nan
            let result = rate(user_data, Int32(clamping: epoch), current, &value)
            guard result == 0 else {
                throw CAPIError(ANNEAL_E_CALLBACK, "the rate callback returned \(result) at epoch \(epoch); training aborted")
            }
            return value
        }
    }
}

@c @implementation
public func anneal_callback_progress_logger(
    _ verbose: Int32, _ epochs: Int32, _ steps: Int32, _ out_callback: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    makeCallback(out_callback) { try ProgressLogger(verbose: Int(verbose), epochs: Int(epochs), steps: Int(steps)) }
}

@c @implementation
public func anneal_callback_free(_ callback: OpaquePointer?) {
    Handles.remove(callback, .callback)
}

@c @implementation
public func anneal_callback_set_output(
    _ callback: OpaquePointer?, _ write: anneal_write_callback?, _ user_data: UnsafeMutableRawPointer?
) -> Int32 {
    capiCall {
        let (entry, box) = try callbackEntry(callback)
        try Handles.holding([entry], .restructure) { box.setOutput(write, user_data) }
    }
}

/// The caller's logs (`count` unique keys and their values) as Logs.
private func logs(_ keys: UnsafePointer<UnsafePointer<CChar>?>?, _ values: UnsafePointer<Double>?, _ count: Int32) throws -> Logs {
    try nonNegative(count, "count")
    var logs = Logs()
    guard count > 0 else { return logs }
    let keys = try required(keys, "keys")
    let values = try required(values, "values")
    for index in 0..<Int(count) {
        let key = try string(keys[index], "keys[\(index)]")
        if let first = logs.keys.firstIndex(of: key) {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "keys[\(index)] (\"\(key)\") repeats keys[\(first)]; give each key once")
        }
        logs[key] = values[index]
    }
    return logs
}

/// Runs one event of the callback behind `handle` on the model behind `model`, holding both; writes to
/// `out_stop` whether the callback asked training to stop.
private func event(
    _ handle: OpaquePointer?, _ model: OpaquePointer?, _ out_stop: UnsafeMutablePointer<Bool>?,
    _ body: (CallbackBox, Sequential) throws -> Void
) -> Int32 {
    out_stop?.pointee = false
    return capiCall {
        let (entry, box) = try callbackEntry(handle)
        let (modelEntry, sequential) = try Handles.entry(model, .model, holding: Sequential.self, argument: "model")
        try Handles.holding([entry], .restructure) {
            try Handles.holding([modelEntry], .use) {
                let stopping = sequential.stopTraining
                sequential.stopTraining = false
                defer { sequential.stopTraining = stopping || sequential.stopTraining }
                try body(box, sequential)
                out_stop?.pointee = sequential.stopTraining
            }
        }
    }
}

@c @implementation
public func anneal_callback_train_begin(_ callback: OpaquePointer?, _ model: OpaquePointer?) -> Int32 {
    event(callback, model, nil) { box, model in
        box.logs = Logs()
        try box.onTrainBegin(model: model)
    }
}

@c @implementation
public func anneal_callback_epoch_begin(
    _ callback: OpaquePointer?, _ model: OpaquePointer?, _ epoch: Int32, _ out_stop: UnsafeMutablePointer<Bool>?
) -> Int32 {
    event(callback, model, out_stop) { box, model in
        try nonNegative(epoch, "epoch")
        box.logs = Logs()
        try box.onEpochBegin(Int(epoch), model: model)
    }
}

@c @implementation
public func anneal_callback_batch_end(
    _ callback: OpaquePointer?, _ model: OpaquePointer?, _ batch: Int32,
    _ keys: UnsafePointer<UnsafePointer<CChar>?>?, _ values: UnsafePointer<Double>?, _ count: Int32,
    _ out_stop: UnsafeMutablePointer<Bool>?
) -> Int32 {
    event(callback, model, out_stop) { box, model in
        try nonNegative(batch, "batch")
        box.logs = try logs(keys, values, count)
        try box.onTrainBatchEnd(Int(batch), logs: box.logs, model: model)
    }
}

@c @implementation
public func anneal_callback_epoch_end(
    _ callback: OpaquePointer?, _ model: OpaquePointer?, _ epoch: Int32,
    _ keys: UnsafePointer<UnsafePointer<CChar>?>?, _ values: UnsafePointer<Double>?, _ count: Int32,
    _ out_stop: UnsafeMutablePointer<Bool>?
) -> Int32 {
    event(callback, model, out_stop) { box, model in
        try nonNegative(epoch, "epoch")
        var epochLogs = try logs(keys, values, count)
        box.logs = Logs()
        try box.onEpochEnd(Int(epoch), logs: &epochLogs, model: model)
        box.logs = epochLogs
    }
}

@c @implementation
public func anneal_callback_train_end(
    _ callback: OpaquePointer?, _ model: OpaquePointer?, _ keys: UnsafePointer<UnsafePointer<CChar>?>?,
    _ values: UnsafePointer<Double>?, _ count: Int32
) -> Int32 {
    event(callback, model, nil) { box, model in
        box.logs = try logs(keys, values, count)
        try box.onTrainEnd(logs: box.logs, model: model)
    }
}

/// Runs `body` with the logs of the callback behind `handle`, holding it.
private func withLogs(_ handle: OpaquePointer?, _ body: (Logs) throws -> Void) throws {
    let (entry, box) = try callbackEntry(handle)
    try Handles.holding([entry], .restructure) { try body(box.logs) }
}

@c @implementation
public func anneal_callback_log_count(_ callback: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall { try withLogs(callback) { try required(out_count, "out_count").pointee = Int32(clamping: $0.count) } }
}

@c @implementation
public func anneal_callback_log_key(
    _ callback: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall { try withLogs(callback) { try copyOut($0.keys, at: index, "key", to: buffer, capacity: capacity, length: out_length) } }
}

@c @implementation
public func anneal_callback_log_values(
    _ callback: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall { try withLogs(callback) { try copyOut($0.values, to: out_values, capacity: capacity, count: out_count, "out_values") } }
}

/// The state `anneal_callback_state` reads, by Keras's attribute names.
private func state(of callback: any Callback) -> KeyValuePairs<String, Double> {
    func mode(_ maximize: Bool) -> Double { Double(maximize ? ANNEAL_MODE_MAX : ANNEAL_MODE_MIN) }
    switch callback {
    case let early as EarlyStopping:
        return ["wait": Double(early.wait), "stopped_epoch": Double(early.stoppedEpoch), "best": early.best,
                "best_epoch": Double(early.bestEpoch), "mode": mode(early.maximize)]
    case let plateau as ReduceLROnPlateau:
        return ["wait": Double(plateau.wait), "best": plateau.best, "cooldown_counter": Double(plateau.cooldownCounter),
                "mode": mode(plateau.maximize)]
    case let checkpoint as ModelCheckpoint:
        return ["best": checkpoint.best, "mode": mode(checkpoint.maximize)]
    default:
        return [:]
    }
}

@c @implementation
public func anneal_callback_state(
    _ callback: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ out_value: UnsafeMutablePointer<Double>?
) -> Int32 {
    capiCall {
        let (entry, box) = try callbackEntry(callback)
        let key = try string(name, "name")
        let out = try required(out_value, "out_value")
        try Handles.holding([entry], .restructure) {
            let values = state(of: box.base)
            guard let found = values.first(where: { $0.key == key }) else {
                throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                                "this callback has no state '\(key)'; it has \(values.map(\.key))")
            }
            out.pointee = found.value
        }
    }
}
