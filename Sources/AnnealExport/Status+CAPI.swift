#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Anneal
import CAnneal

// The one error channel of the C library: every export runs its body through `capiCall`, which turns any
// thrown error into a pinned status code and the calling thread's last-error message.

/// A failure decided at the C boundary (NULL pointers, bad sizes, handles), with its status.
struct CAPIError: Error {
    let status: Int32
    let message: String

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// The status of each kind of core error: the one place where `AnnealError.Kind` meets `anneal.h`.
func status(of kind: AnnealError.Kind) -> Int32 {
    switch kind {
    case .invalidArgument: ANNEAL_E_INVALID_ARGUMENT
    case .shapeMismatch: ANNEAL_E_SHAPE_MISMATCH
    case .invalidState: ANNEAL_E_INVALID_STATE
    case .nonFinite: ANNEAL_E_NON_FINITE
    case .io: ANNEAL_E_IO
    case .parse: ANNEAL_E_PARSE
    case .corruptFile: ANNEAL_E_CORRUPT_FILE
    case .outOfMemory: ANNEAL_E_OUT_OF_MEMORY
    }
}

/// Runs an export's body: `ANNEAL_OK` and an empty last error, or the failure's status and message.
///
/// `function` is the export's Swift name (`#function` at the export, "anneal_model_build(_:_:)"): an
/// out-of-memory message starts with its C name, since the core names the request but not the call.
func capiCall(function: String = #function, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        LastError.clear()
        return ANNEAL_OK
    } catch let error as CAPIError {
        LastError.set(error.status == ANNEAL_E_OUT_OF_MEMORY ? "\(function.prefix { $0 != "(" }): \(error.message)" : error.message)
        return error.status
    } catch let error as AnnealError {
        LastError.set(error.kind == .outOfMemory ? "\(function.prefix { $0 != "(" }): \(error.message)" : error.message)
        return status(of: error.kind)
    } catch {
        LastError.set("unexpected error: \(error)")
        return ANNEAL_E_INTERNAL
    }
}

/// Runs a constructor's body: writes NULL to `out` first, then the new handle on success.
func capiCreate(
    function: String = #function, _ out: UnsafeMutablePointer<OpaquePointer?>?, _ name: String,
    _ body: () throws -> OpaquePointer
) -> Int32 {
    out?.pointee = nil
    return capiCall(function: function) {
        let out = try required(out, name)
        out.pointee = try body()
    }
}

/// The per-thread last-error message: a malloc'd C string per thread, freed when the thread ends.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in free(pointer) }
        return key
    }()
    private static let empty: StaticString = ""

    static func set(_ message: String) {
        let old = pthread_getspecific(key)
        pthread_setspecific(key, strdup(message))
        free(old)
    }

    static func clear() {
        guard let current = pthread_getspecific(key) else { return }
        current.assumingMemoryBound(to: CChar.self).pointee = 0
    }

    static var current: UnsafePointer<CChar> {
        if let current = pthread_getspecific(key) { return UnsafePointer(current.assumingMemoryBound(to: CChar.self)) }
        return cString(empty)
    }
}

/// A C view of static text, valid for the life of the process.
func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func anneal_status_string(_ status: Int32) -> UnsafePointer<CChar>? {
    let text: StaticString = switch status {
    case ANNEAL_OK: "ok"
    case ANNEAL_E_INVALID_ARGUMENT: "invalid argument"
    case ANNEAL_E_NULL_POINTER: "null pointer"
    case ANNEAL_E_INVALID_HANDLE: "invalid handle"
    case ANNEAL_E_SHAPE_MISMATCH: "shape mismatch"
    case ANNEAL_E_INVALID_STATE: "invalid state"
    case ANNEAL_E_NON_FINITE: "non-finite value"
    case ANNEAL_E_IO: "input/output error"
    case ANNEAL_E_PARSE: "parse error"
    case ANNEAL_E_CORRUPT_FILE: "corrupt file"
    case ANNEAL_E_BUFFER_TOO_SMALL: "buffer too small"
    case ANNEAL_E_BUSY: "busy"
    case ANNEAL_E_OUT_OF_MEMORY: "out of memory"
    case ANNEAL_E_CALLBACK: "callback aborted"
    case ANNEAL_E_INTERNAL: "internal error"
    default: "unknown status"
    }
    return cString(text)
}

@c @implementation
public func anneal_last_error() -> UnsafePointer<CChar>? {
    LastError.current
}
