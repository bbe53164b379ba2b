import Anneal
import CAnneal

// Whole-model save and load (anneal.h: anneal_model_save, anneal_model_load, anneal_model_description).

@c @implementation
public func anneal_model_save(_ model: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    capiCall {
        try withModel(model) { model in
            // The weights and each optimizer state buffer are copied into tensors, then into the file's bytes.
            try reserveWeightCopies(model, 2 * (1 + (model.optimizer?.stateNames.count ?? 0)))
            try model.save(to: try string(path, "path"))
        }
    }
}

@c @implementation
public func anneal_model_load(_ path: UnsafePointer<CChar>?, _ out_model: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    capiCreate(out_model, "out_model") {
        let model = try Sequential(contentsOf: try string(path, "path"))
        model.output = { _ in }  // the library never prints
        return try Handles.register(model, .model)
    }
}

@c @implementation
public func anneal_model_description(
    _ model: OpaquePointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try withModel(model) { model in
            try copyOut(try model.describe().text, to: buffer, capacity: capacity, length: out_length, "buffer")
        }
    }
}
