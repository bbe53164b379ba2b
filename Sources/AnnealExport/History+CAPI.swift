import Anneal
import CAnneal

// `anneal_history`: the core's History, registered once its fit is over (immutable from then on).

private func history(_ handle: OpaquePointer?) throws -> History {
    try Handles.object(handle, .history, as: History.self, argument: "history")
}

@c @implementation
public func anneal_history_free(_ history: OpaquePointer?) {
    Handles.remove(history, .history)
}

@c @implementation
public func anneal_history_epoch_count(_ history: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall { try required(out_count, "out_count").pointee = Int32(clamping: try AnnealExport.history(history).epochs.count) }
}

@c @implementation
public func anneal_history_key_count(_ history: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall { try required(out_count, "out_count").pointee = Int32(clamping: try AnnealExport.history(history).keys.count) }
}

@c @implementation
public func anneal_history_key(
    _ history: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        try copyOut(try AnnealExport.history(history).keys, at: index, "key", to: buffer, capacity: capacity,
                    length: out_length)
    }
}

@c @implementation
public func anneal_history_values(
    _ history: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ out_values: UnsafeMutablePointer<Double>?,
    _ capacity: Int32, _ out_count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    capiCall {
        let found = try AnnealExport.history(history)
        let name = try string(key, "key")
        guard let values = found[name] else {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "the history has no key '\(name)'; its keys are \(found.keys)")
        }
        try copyOut(values, to: out_values, capacity: capacity, count: out_count, "out_values")
    }
}
