import Anneal
import CAnneal

// Whole-model save and load (anneal.h: anneal_model_save, anneal_model_load, anneal_model_description).

/// `ANNEAL_E_INVALID_STATE` when the optimizer follows a schedule a model file cannot hold, said in words that
/// fit C and Python callers alike (the core's message names the schedule's Swift type).
func checkDescribableSchedule(_ model: Sequential) throws {
    guard model.canDescribeSchedule else {
        throw CAPIError(ANNEAL_E_INVALID_STATE,
                        "cannot save the model: its \(model.optimizer?.name ?? "") optimizer follows a schedule a model file cannot hold (a callback schedule, the tutorial's compounding decay, a PyTorch schedule, or a schedule given another unit than its own); Keras's schedules and a constant rate can be saved")
    }
}

@c @implementation
public func anneal_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    capiCall {
        try withModel(model) { model in
            // The weights and each optimizer state buffer are copied into tensors, then into the file's bytes.
            try checkDescribableSchedule(model)
            try reserveWeightCopies(model, 2 * (1 + (model.optimizer?.stateNames.count ?? 0)))
            try model.save(to: try string(path, "path"))
        }
    }
}

@c @implementation
public func anneal_model_load(_ path: UnsafePointer<CChar>?, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    capiCreate(out_model, "out_model") { try registerModel(Sequential(contentsOf: try string(path, "path"))) }
}

@c @implementation
public func anneal_model_description(
    _ model: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try checkDescribableSchedule(model)
            try copyOut(try model.describe().text, to: buffer, capacity: capacity, length: out_length, "buffer")
        }
    }
}
