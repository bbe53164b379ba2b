import Anneal
import CAnneal

// anneal_history_last: the final value of one log key, without a count query and a buffer.

@c @implementation
public func anneal_history_last(
    _ history: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ out_value: UnsafeMutablePointer<Double>?
) -> Int32 {
    capiCall(function: "anneal_history_last") {
        let found = try Handles.object(history, .history, as: History.self, argument: "history")
        let name = try string(key, "key")
        let out = try required(out_value, "out_value")
        // A fit of 0 epochs logs no key at all: every key is then known to exist but has no value.
        guard !found.epochs.isEmpty else {
            throw CAPIError(ANNEAL_E_INVALID_STATE, "the history's '\(name)' has no value: no epoch was trained")
        }
        guard let values = found[name] else {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "the history has no key '\(name)'; its keys are \(found.keys)")
        }
        guard let last = values.last else {
            throw CAPIError(ANNEAL_E_INVALID_STATE, "the history's '\(name)' has no value: no epoch was trained")
        }
        out.pointee = last
    }
}
