/// Stops training as soon as a batch's running loss is NaN or infinite: Keras's `TerminateOnNaN`.
///
/// It prints `Batch 3: Invalid loss, terminating training` (as Keras does) and sets `stopTraining`;
/// the current epoch still ends with its validation and `onEpochEnd`.
public final class TerminateOnNaN: Callback {
    public init() {}

    public func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws {
        guard let loss = logs["loss"], !loss.isFinite else { return }
        model.output("Batch \(batch): Invalid loss, terminating training\n")
        model.stopTraining = true
    }
}
