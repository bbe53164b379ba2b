import Anneal
import CAnneal

// The calling thread's share of the library's helper thread (`CallingThread.computesAlone`).

@c @implementation
public func anneal_calling_thread_set_threads(_ threads: Int32) -> Int32 {
    capiCall {
        guard threads == 0 || threads == 1 else {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "threads must be 0 (the default: the helper thread may "
                + "share the work) or 1 (the calling thread alone). Received: threads=\(threads)")
        }
        CallingThread.computesAlone = threads == 1
    }
}

@c @implementation
public func anneal_calling_thread_threads(_ out_threads: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall { try required(out_threads, "out_threads").pointee = CallingThread.computesAlone ? 1 : 0 }
}
