/// A callback made of closures: Keras's `LambdaCallback`. Any closure left nil does nothing.
public final class LambdaCallback: Callback {
    public typealias EpochHook = (Int, Logs, Sequential) throws -> Void
    public typealias BatchHook = (Int, Logs, Sequential) throws -> Void

    let epochBegin: ((Int, Sequential) throws -> Void)?
    let epochEnd: EpochHook?
    let batchBegin: ((Int, Sequential) throws -> Void)?
    let batchEnd: BatchHook?
    let trainBegin: ((Sequential) throws -> Void)?
    let trainEnd: ((Logs, Sequential) throws -> Void)?

    public init(
        onEpochBegin: ((Int, Sequential) throws -> Void)? = nil,
        onEpochEnd: EpochHook? = nil,
        onBatchBegin: ((Int, Sequential) throws -> Void)? = nil,
        onBatchEnd: BatchHook? = nil,
        onTrainBegin: ((Sequential) throws -> Void)? = nil,
        onTrainEnd: ((Logs, Sequential) throws -> Void)? = nil
    ) {
        epochBegin = onEpochBegin
        epochEnd = onEpochEnd
        batchBegin = onBatchBegin
        batchEnd = onBatchEnd
        trainBegin = onTrainBegin
        trainEnd = onTrainEnd
    }

    public func onTrainBegin(model: Sequential) throws { try trainBegin?(model) }
    public func onTrainEnd(logs: Logs, model: Sequential) throws { try trainEnd?(logs, model) }
    public func onEpochBegin(_ epoch: Int, model: Sequential) throws { try epochBegin?(epoch, model) }
    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws { try epochEnd?(epoch, logs, model) }
    public func onTrainBatchBegin(_ batch: Int, model: Sequential) throws { try batchBegin?(batch, model) }
    public func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws { try batchEnd?(batch, logs, model) }
}
