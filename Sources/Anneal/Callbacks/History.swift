/// Records every epoch's logs: what `fit` returns.
///
/// `history["loss"]` is the list of epoch losses; `keys` keeps the order in which keys first appeared
/// (`loss, accuracy, val_loss, val_accuracy`, then keys added by callbacks such as `lr`).
public final class History: Callback {
    public private(set) var epochs: [Int] = []
    public private(set) var history: [String: [Double]] = [:]
    public private(set) var keys: [String] = []

    public init() {}

    public func onTrainBegin(model: Sequential) throws {
        epochs = []
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        epochs.append(epoch)
        for (key, value) in logs {
            if history[key] == nil { keys.append(key) }
            history[key, default: []].append(value)
        }
    }

    public subscript(key: String) -> [Double]? { history[key] }
}
