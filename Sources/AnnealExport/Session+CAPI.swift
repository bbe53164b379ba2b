#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Anneal
import CAnneal

/// The object behind an `anneal_session` handle.
final class SessionBox {
    let session: TrainingSession
    /// The model's handle as the caller knows it (passed to epoch callbacks) and its registry entry, held
    /// with the session's on every call, even after the model's handle is freed.
    let modelHandle: OpaquePointer?
    let modelEntry: HandleEntry
    /// Whether an epoch has begun, so that batches and running values have an epoch to belong to.
    var epochBegun = false

    init(session: TrainingSession, modelHandle: OpaquePointer?, modelEntry: HandleEntry) {
        self.session = session
        self.modelHandle = modelHandle
        self.modelEntry = modelEntry
    }
}

/// Runs `body` with the session behind `handle`, holding the session and its model for this call: a call that
/// trains holds the model as `.train`, so that a fit's callback may train another session of its model
/// (never the fit's own, which the fit holds).
private func withSession<R>(_ handle: OpaquePointer?, _ access: Access, _ body: (SessionBox) throws -> R) throws -> R {
    let (entry, box) = try Handles.entry(handle, .session, holding: SessionBox.self, argument: "session")
    return try Handles.holding([entry], access) {
        try Handles.holding([box.modelEntry], access == .restructure ? .train : access) { try body(box) }
    }
}

/// Calls a C `anneal_epoch_callback` at the start and end of every epoch and, when asked, of every batch (a
/// Keras callback).
final class EpochCallback: Callback {
    let function: anneal_epoch_callback
    let userData: UnsafeMutableRawPointer?
    let modelHandle: OpaquePointer?
    let modelEntry: HandleEntry?
    let epochEvents: Bool
    let batchEvents: Bool

    init(_ function: @escaping anneal_epoch_callback, userData: UnsafeMutableRawPointer?, modelHandle: OpaquePointer?,
         modelEntry: HandleEntry?, epochEvents: Bool = true, batchEvents: Bool = false) {
        self.function = function
        self.userData = userData
        self.modelHandle = modelHandle
        self.modelEntry = modelEntry
        self.epochEvents = epochEvents
        self.batchEvents = batchEvents
    }

    func onEpochBegin(_ epoch: Int, model: Sequential) throws {
        if epochEvents { try call(ANNEAL_EVENT_EPOCH_BEGIN, epoch, Logs(), model) }
    }

    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        if epochEvents { try call(ANNEAL_EVENT_EPOCH_END, epoch, logs, model) }
    }

    func onTrainBatchBegin(_ batch: Int, model: Sequential) throws {
        if batchEvents { try call(ANNEAL_EVENT_BATCH_BEGIN, batch, Logs(), model) }
    }

    func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws {
        if batchEvents { try call(ANNEAL_EVENT_BATCH_END, batch, logs, model) }
    }

    /// The callback's answer to ANNEAL_EVENT_POLL after `epoch`: whether it asks training to stop.
    func poll(_ epoch: Int) throws -> Bool {
        try answer(ANNEAL_EVENT_POLL, epoch, Logs()) > 0
    }

    private func call(_ event: Int32, _ index: Int, _ logs: Logs, _ model: Sequential) throws {
        if try answer(event, index, logs) > 0 { model.stopTraining = true }
    }

    /// The C strings of the last logs' keys, kept while the keys stay the same: with batch events every batch's
    /// end passes the same keys, and copying them each time would allocate in the training loop.
    private var cKeysFor: [String] = []
    private var cKeys: [UnsafePointer<CChar>?] = []

    deinit { cKeys.forEach { free(UnsafeMutablePointer(mutating: $0)) } }

    /// `logs`'s keys as C strings, valid until the next call with other keys.
    private func cStrings(for logs: Logs) throws -> [UnsafePointer<CChar>?] {
        if logs.keys != cKeysFor {
            cKeys.forEach { free(UnsafeMutablePointer(mutating: $0)) }
            cKeys = []
            cKeysFor = []
            for key in logs.keys {
                guard let copy = strdup(key) else {
                    throw CAPIError(ANNEAL_E_OUT_OF_MEMORY, "out of memory copying the log key '\(key)' for the epoch callback")
                }
                cKeys.append(UnsafePointer(copy))
            }
            cKeysFor = logs.keys
        }
        return cKeys
    }

    /// Calls the function with the model open for callback-safe calls; a negative return is an error.
    private func answer(_ event: Int32, _ index: Int, _ logs: Logs) throws -> Int32 {
        let constKeys = logs.isEmpty ? [] : try cStrings(for: logs)  // begin events pass no keys
        let result = constKeys.withUnsafeBufferPointer { keyBuffer in
            logs.values.withUnsafeBufferPointer { valueBuffer in
                Handles.openForCallback(modelEntry) {
                    function(userData, modelHandle, event, Int32(clamping: index),
                             logs.isEmpty ? nil : keyBuffer.baseAddress, logs.isEmpty ? nil : valueBuffer.baseAddress,
                             Int32(clamping: logs.count))
                }
            }
        }
        if result < 0 {
            let moment = switch event {
            case ANNEAL_EVENT_EPOCH_BEGIN: "the begin of epoch \(index)"
            case ANNEAL_EVENT_EPOCH_END: "the end of epoch \(index)"
            case ANNEAL_EVENT_BATCH_BEGIN: "the begin of batch \(index)"
            case ANNEAL_EVENT_BATCH_END: "the end of batch \(index)"
            default: "the poll after epoch \(index)"
            }
            throw CAPIError(ANNEAL_E_CALLBACK, "the epoch callback returned \(result) at \(moment); training aborted")
        }
        return result
    }
}

/// Which events a C epoch callback receives and how often it is polled (`anneal_session_fit_events`);
/// `anneal_model_fit`, `anneal_session_fit` and `anneal_session_fit_callbacks` give the epoch events only.
struct EpochEvents {
    var mask: Int32 = ANNEAL_EVENTS_EPOCH
    var pollSeconds: Double = 0

    /// `events` and `poll_seconds` as the C caller gave them, checked.
    init(checking events: Int32, pollSeconds: Double) throws {
        let known = ANNEAL_EVENTS_EPOCH | ANNEAL_EVENTS_BATCH | ANNEAL_EVENTS_POLL
        try check(events & ~known == 0, "events has bits other than ANNEAL_EVENTS_EPOCH, ANNEAL_EVENTS_BATCH and ANNEAL_EVENTS_POLL. Received: events=\(events)")
        try check(pollSeconds.isFinite && pollSeconds >= 0, "poll_seconds must be finite and >= 0. Received: poll_seconds=\(pollSeconds)")
        mask = events
        self.pollSeconds = pollSeconds
    }

    init() {}

    func has(_ bit: Int32) -> Bool { mask & bit != 0 }
}

/// Keras's fit loop over `session` with an optional epoch schedule, Keras's callbacks and a C callback, in
/// that order: what `anneal_model_fit`, `anneal_session_fit`, `anneal_session_fit_callbacks` and
/// `anneal_session_fit_events` share. The caller holds the model (and session, and callbacks).
func runFit(
    _ session: TrainingSession, modelHandle: OpaquePointer?, modelEntry: HandleEntry?, epochs: Int32,
    initialEpoch: Int32, schedule: (any LearningRateSchedule)?, callbacks: [any Callback] = [],
    callback: anneal_epoch_callback?, userData: UnsafeMutableRawPointer?, events: EpochEvents = EpochEvents()
) throws -> History {
    var every: [any Callback] = try schedule.map { [try epochScheduler($0)] } ?? []
    every += callbacks
    var poll: FitPoll?
    if let callback {
        let caller = EpochCallback(callback, userData: userData, modelHandle: modelHandle, modelEntry: modelEntry,
                                   epochEvents: events.has(ANNEAL_EVENTS_EPOCH),
                                   batchEvents: events.has(ANNEAL_EVENTS_BATCH))
        // A callback that hears no epoch or batch event stays out of the loop's callbacks, so that a fit
        // with nothing else to run trains in bulk between polls.
        if caller.epochEvents || caller.batchEvents { every.append(caller) }
        if events.has(ANNEAL_EVENTS_POLL) { poll = FitPoll(interval: events.pollSeconds, check: caller.poll) }
    }
    return try session.model.fit(session: session, epochs: Int(epochs), verbose: 0, callbacks: every,
                                 initialEpoch: Int(initialEpoch), poll: poll)
}

/// Creates a session on the model behind `model`, holding it meanwhile; `function` is the C function's name.
private func createSession(
    _ function: String, _ model: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
    _ make: (Sequential) throws -> TrainingSession
) -> Int32 {
    capiCreate(function: function, out, "out_session") {
        let (entry, sequential) = try Handles.entry(model, .model, holding: Sequential.self, argument: "model")
        let session = try Handles.holding([entry], .train) { () throws -> TrainingSession in
            try checkCompiled(sequential, function)
            return try make(sequential)
        }
        return try Handles.register(SessionBox(session: session, modelHandle: model, modelEntry: entry), .session)
    }
}

@c @implementation
public func anneal_session_create(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ batch_size: Int32, _ validation_split: Double, _ shuffle: Bool,
    _ shuffle_seed: UnsafePointer<UInt64>?, _ out_session: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    createSession("anneal_session_create", model, out_session) { sequential in
        try checkWidths(of: sequential, rows: rows, cols: cols, yCols: y_cols)
        return try TrainingSession(
            model: sequential, x: try matrix(x, rows: rows, columns: cols, "x"),
            y: try matrix(y, rows: rows, columns: y_cols, "y", columnsName: "y_cols"), batchSize: Int(batch_size),
            validationSplit: validation_split, shuffle: shuffle, seed: optionalSeed(shuffle_seed))
    }
}

@c @implementation
public func anneal_session_create_with_validation(
    _ model: OpaquePointer?, _ x: UnsafePointer<Float>?, _ rows: Int64, _ cols: Int32, _ y: UnsafePointer<Float>?,
    _ y_cols: Int32, _ x_val: UnsafePointer<Float>?, _ y_val: UnsafePointer<Float>?, _ val_rows: Int64,
    _ batch_size: Int32, _ shuffle: Bool, _ shuffle_seed: UnsafePointer<UInt64>?,
    _ out_session: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    createSession("anneal_session_create_with_validation", model, out_session) { sequential in
        try checkWidths(of: sequential, rows: rows, cols: cols, yCols: y_cols)
        let validation = (x: try matrix(x_val, rows: val_rows, columns: cols, "x_val", rowsName: "val_rows"),
                          y: try matrix(y_val, rows: val_rows, columns: y_cols, "y_val", rowsName: "val_rows",
                                        columnsName: "y_cols"))
        return try TrainingSession(
            model: sequential, x: try matrix(x, rows: rows, columns: cols, "x"),
            y: try matrix(y, rows: rows, columns: y_cols, "y", columnsName: "y_cols"), batchSize: Int(batch_size),
            validationData: validation, shuffle: shuffle, seed: optionalSeed(shuffle_seed))
    }
}

@c @implementation
public func anneal_session_free(_ session: OpaquePointer?) {
    Handles.remove(session, .session)
}

/// The getters' one body: the session held for use, `out` (the C argument `name`) checked, then `value` of
/// the session written to it.
private func sessionValue<T>(
    function: String = #function, _ session: OpaquePointer?, _ out: UnsafeMutablePointer<T>?, _ name: String,
    _ value: (TrainingSession) -> T
) -> Int32 {
    capiCall(function: function) {
        try withSession(session, .use) { box in
            let out = try required(out, name)
            out.pointee = value(box.session)
        }
    }
}

@c @implementation
public func anneal_session_batch_count(_ session: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    sessionValue(session, out_count, "out_count") { Int32(clamping: $0.batchCount) }
}

@c @implementation
public func anneal_session_training_rows(_ session: OpaquePointer?, _ out_rows: UnsafeMutablePointer<Int64>?) -> Int32 {
    sessionValue(session, out_rows, "out_rows") { Int64($0.trainingRows) }
}

@c @implementation
public func anneal_session_validation_rows(_ session: OpaquePointer?, _ out_rows: UnsafeMutablePointer<Int64>?) -> Int32 {
    sessionValue(session, out_rows, "out_rows") { Int64($0.validationRows) }
}

@c @implementation
public func anneal_session_batches_done(_ session: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    sessionValue(session, out_count, "out_count") { Int32(clamping: $0.batchesDone) }
}

/// The sample-weight calls' `weights`: one per row of the session's `rows` `part` ("training",
/// "validation") rows, or NULL for none.
private func rowWeights(_ weights: UnsafePointer<Float>?, _ count: Int64, rows: Int, _ part: String) throws -> [Float]? {
    guard weights == nil || count == Int64(rows) else {
        throw CAPIError(ANNEAL_E_SHAPE_MISMATCH, "count is \(count), but the session has \(rows) \(part) rows; pass one weight per row")
    }
    return try sampleWeights(weights, count: count, "weights")
}

@c @implementation
public func anneal_session_set_sample_weights(
    _ session: OpaquePointer?, _ weights: UnsafePointer<Float>?, _ count: Int64
) -> Int32 {
    capiCall {
        try withSession(session, .restructure) { box in
            try box.session.setSampleWeights(try rowWeights(weights, count, rows: box.session.trainingRows, "training"))
        }
    }
}

@c @implementation
public func anneal_session_set_validation_sample_weights(
    _ session: OpaquePointer?, _ weights: UnsafePointer<Float>?, _ count: Int64
) -> Int32 {
    capiCall {
        try withSession(session, .restructure) { box in
            guard box.session.hasValidation else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "the session has no validation data to weight: create it with a validation_split > 0 or with anneal_session_create_with_validation")
            }
            try box.session.setValidationSampleWeights(
                try rowWeights(weights, count, rows: box.session.validationRows, "validation"))
        }
    }
}

@c @implementation
public func anneal_session_begin_epoch(_ session: OpaquePointer?) -> Int32 {
    capiCall {
        try withSession(session, .restructure) { box in
            box.session.beginEpoch()
            box.epochBegun = true
        }
    }
}

@c @implementation
public func anneal_session_train_batch(_ session: OpaquePointer?, _ index: Int32) -> Int32 {
    capiCall {
        try withSession(session, .restructure) { box in
            guard box.epochBegun else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "no epoch has begun: call anneal_session_begin_epoch before anneal_session_train_batch")
            }
            try box.session.trainBatch(Int(index))
        }
    }
}

/// The epoch calls' shape: the session held to train, `capacity` checked, `body`'s logs copied out.
private func epochCall(
    function: String = #function, _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?,
    _ capacity: Int32, _ out_count: UnsafeMutablePointer<Int32>?, _ body: (SessionBox) throws -> Logs
) -> Int32 {
    capiCall(function: function) {
        try withSession(session, .restructure) { box in
            try nonNegative(capacity, "capacity")
            try copyOut(try body(box).values, to: out_values, capacity: capacity, count: out_count, "out_values")
        }
    }
}

@c @implementation
public func anneal_session_train_epoch(
    _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    epochCall(session, out_values, capacity, out_count) { box in
        let logs = try box.session.trainEpoch()
        box.epochBegun = true
        return logs
    }
}

@c @implementation
public func anneal_session_running_values(
    _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall {
        try withSession(session, .use) { box in
            guard box.epochBegun else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "no epoch has begun: call anneal_session_begin_epoch first")
            }
            try copyOut(box.session.runningLogs().values, to: out_values, capacity: capacity, count: out_count, "out_values")
        }
    }
}

@c @implementation
public func anneal_session_validate(
    _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall {
        try withSession(session, .restructure) { box in
            guard box.session.hasValidation else {
                throw CAPIError(ANNEAL_E_INVALID_STATE, "the session has no validation data: create it with a validation_split > 0 or with anneal_session_create_with_validation")
            }
            try nonNegative(capacity, "capacity")
            var logs = Logs()
            box.session.addValidation(to: &logs)
            try copyOut(logs.values, to: out_values, capacity: capacity, count: out_count, "out_values")
        }
    }
}

@c @implementation
public func anneal_session_run_epoch(
    _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    epochCall(session, out_values, capacity, out_count) { box in
        _ = try box.session.trainEpoch()
        box.epochBegun = true
        return box.session.epochLogs()
    }
}

@c @implementation
public func anneal_session_end_epoch(
    _ session: OpaquePointer?, _ out_values: UnsafeMutablePointer<Double>?, _ capacity: Int32,
    _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    epochCall(session, out_values, capacity, out_count) { box in
        guard box.epochBegun else {
            throw CAPIError(ANNEAL_E_INVALID_STATE, "no epoch has begun: call anneal_session_begin_epoch and train its batches first")
        }
        return box.session.epochLogs()
    }
}

@c @implementation
public func anneal_session_epoch_key_count(_ session: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    sessionValue(session, out_count, "out_count") { Int32(clamping: $0.epochValueCount) }
}

@c @implementation
public func anneal_session_epoch_key(
    _ session: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try withSession(session, .use) {
            try copyOut($0.session.epochLogKeys, at: index, "key", to: buffer, capacity: capacity, length: out_length)
        }
    }
}

@c @implementation
public func anneal_session_run_epochs(
    _ session: OpaquePointer?, _ epochs: Int32, _ max_seconds: Double, _ out_values: UnsafeMutablePointer<Double>?,
    _ capacity: Int64, _ out_epochs: UnsafeMutablePointer<Int32>?, _ out_values_per_epoch: UnsafeMutablePointer<Int32>?
) -> Int32 {
    out_epochs?.pointee = 0
    return capiCall {
        try withSession(session, .restructure) { box in
            try nonNegative(epochs, "epochs")
            try check(!max_seconds.isNaN, "max_seconds must be a number. Received: max_seconds=nan")
            let perEpoch = box.session.epochValueCount
            out_values_per_epoch?.pointee = Int32(perEpoch)
            let needed = Int64(epochs) * Int64(perEpoch)
            try nonNegative(capacity, "capacity")
            guard epochs > 0 else { return }
            let values = try required(out_values, "out_values")
            guard capacity >= needed else {
                throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL,
                                "out_values holds \(capacity) values; \(epochs) epochs of \(perEpoch) need \(needed)")
            }
            defer { box.epochBegun = true }
            var room = UnsafeMutableBufferPointer(start: values, count: Int(needed)).mutableSpan
            out_epochs?.pointee = Int32(try box.session.runEpochs(Int(epochs), into: &room, maxSeconds: max_seconds))
        }
    }
}

@c @implementation
public func anneal_session_fit(
    _ session: OpaquePointer?, _ epochs: Int32, _ initial_epoch: Int32, _ schedule: OpaquePointer?,
    _ callback: anneal_epoch_callback?, _ user_data: UnsafeMutableRawPointer?,
    _ out_history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    out_history?.pointee = nil
    return capiCall {
        let rates = try schedule.map { try AnnealExport.schedule($0) }
        let history = try withSession(session, .restructure) { box in
            defer { box.epochBegun = true }
            return try runFit(box.session, modelHandle: box.modelHandle, modelEntry: box.modelEntry, epochs: epochs,
                              initialEpoch: initial_epoch, schedule: rates, callback: callback, userData: user_data)
        }
        out_history?.pointee = try Handles.register(history, .history)
    }
}

@c @implementation
public func anneal_session_fit_callbacks(
    _ session: OpaquePointer?, _ epochs: Int32, _ initial_epoch: Int32,
    _ callbacks: UnsafePointer<OpaquePointer?>?, _ callback_count: Int32, _ callback: anneal_epoch_callback?,
    _ user_data: UnsafeMutableRawPointer?, _ out_history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    fitWithCallbacks(session, epochs, initial_epoch, callbacks, callback_count, callback, user_data, out_history) {
        EpochEvents()
    }
}

@c @implementation
public func anneal_session_fit_events(
    _ session: OpaquePointer?, _ epochs: Int32, _ initial_epoch: Int32,
    _ callbacks: UnsafePointer<OpaquePointer?>?, _ callback_count: Int32, _ callback: anneal_epoch_callback?,
    _ user_data: UnsafeMutableRawPointer?, _ events: Int32, _ poll_seconds: Double,
    _ out_history: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    fitWithCallbacks(session, epochs, initial_epoch, callbacks, callback_count, callback, user_data, out_history) {
        try EpochEvents(checking: events, pollSeconds: poll_seconds)
    }
}

/// The body of `anneal_session_fit_callbacks` and `anneal_session_fit_events`: the callbacks' handles
/// checked and held, the fit run, its history registered.
private func fitWithCallbacks(
    function: String = #function, _ session: OpaquePointer?, _ epochs: Int32, _ initialEpoch: Int32,
    _ callbacks: UnsafePointer<OpaquePointer?>?, _ callbackCount: Int32, _ callback: anneal_epoch_callback?,
    _ userData: UnsafeMutableRawPointer?, _ outHistory: UnsafeMutablePointer<OpaquePointer?>?,
    _ events: () throws -> EpochEvents
) -> Int32 {
    outHistory?.pointee = nil
    return capiCall(function: function) {
        try nonNegative(callbackCount, "callback_count")
        let events = try events()
        let handles = callbackCount == 0 ? [] : Array(UnsafeBufferPointer(
            start: try required(callbacks, "callbacks"), count: Int(callbackCount)))
        let found = try handles.enumerated().map { try callbackEntry($1, argument: "callbacks[\($0)]") }
        let history = try withSession(session, .restructure) { box in
            try Handles.holding(found.map(\.0), .restructure) {
                defer { box.epochBegun = true }
                return try runFit(box.session, modelHandle: box.modelHandle, modelEntry: box.modelEntry,
                                  epochs: epochs, initialEpoch: initialEpoch, schedule: nil,
                                  callbacks: found.map(\.1), callback: callback, userData: userData, events: events)
            }
        }
        outHistory?.pointee = try Handles.register(history, .history)
    }
}
