/// Something that watches or steers training, with Keras's hooks.
///
/// Per `fit`, hooks run in this order: `onTrainBegin`; for each epoch `onEpochBegin`, then for each batch
/// `onTrainBatchBegin` / `onTrainBatchEnd`, then validation, then `onEpochEnd` with the epoch's logs;
/// finally `onTrainEnd`. Callbacks run in the order given to `fit`, before the model's own History and
/// progress printer, so keys a callback adds to the epoch logs (like `lr`) reach both.
///
/// Every hook has a default that does nothing. A hook that throws ends `fit` with that same error; the model
/// keeps the weights of its last finished batch. Set `model.stopTraining = true` to end training after the
/// current batch's epoch.
public protocol Callback: AnyObject {
    func onTrainBegin(model: Sequential) throws
    func onTrainEnd(logs: Logs, model: Sequential) throws
    func onEpochBegin(_ epoch: Int, model: Sequential) throws
    /// `logs` holds the epoch's `loss`, metrics, `val_` values and what earlier callbacks added; a callback may add keys.
    func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws
    func onTrainBatchBegin(_ batch: Int, model: Sequential) throws
    /// `logs` holds the epoch's running means so far (`loss` and metrics), as Keras 2 reports them.
    func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws
}

extension Callback {
    public func onTrainBegin(model: Sequential) throws {}
    public func onTrainEnd(logs: Logs, model: Sequential) throws {}
    public func onEpochBegin(_ epoch: Int, model: Sequential) throws {}
    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {}
    public func onTrainBatchBegin(_ batch: Int, model: Sequential) throws {}
    public func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws {}
}

/// Keras's `mode` for callbacks that watch a monitored value.
public enum MonitorMode: String, Sendable {
    /// `max` when the monitored name ends in `acc`/`accuracy`/`auc` (contains `acc` for ReduceLROnPlateau), else `min`.
    case auto
    case min
    case max
}
