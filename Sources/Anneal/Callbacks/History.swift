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

    /// `onEpochEnd` for the epochs `epochRange` at once, column by column (`Sequential.run`'s bulk branch,
    /// where a Logs per epoch would cost a few percent of a small fit): `values` holds each epoch's values
    /// for `keys`, one epoch after the other, from `offset`.
    func recordEpochs(_ epochRange: Range<Int>, keys names: [String], values: [Double], offset: Int) {
        epochs.append(contentsOf: epochRange)
        for (column, key) in names.enumerated() {
            if history[key] == nil { keys.append(key) }
            for row in 0..<epochRange.count {
                history[key, default: []].append(values[offset + row * names.count + column])
            }
        }
    }

    public subscript(key: String) -> [Double]? { history[key] }
}
