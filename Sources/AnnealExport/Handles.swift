#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CAnneal

/// The kinds of handle `anneal.h` declares; a handle of one kind passed as another is `ANNEAL_E_INVALID_HANDLE`.
enum HandleKind: String {
    case dataset, model, sgd, optimizer, schedule, session, history, callback, metric

    var typeName: String { "anneal_\(rawValue)" }
}

/// How a call uses a model or session, which decides what an epoch callback may do re-entrantly.
enum Access {
    /// Reads, weights, learning rate, predict, evaluate: allowed on the model from inside its fit callback.
    case use
    /// Creates or trains another session of the model: allowed from inside the model's fit callback too (the
    /// fit is paused between batches or epochs, and holds nothing of the model's but what it reads afresh
    /// for its next batch), as Keras lets a callback call train_on_batch.
    case train
    /// Changes the model's structure, or uses the session a fit is running: refused from inside a callback.
    case restructure
}

/// One live handle: its object and, for models and sessions, who is using it.
final class HandleEntry {
    let object: AnyObject
    let kind: HandleKind
    /// Calls holding the entry (more than 1 only for a callback calling back into its own model).
    fileprivate var holds = 0
    fileprivate var holder = pthread_t()
    /// True while the fit holding this model runs the user's epoch callback.
    fileprivate var openForCallback = false

    init(object: AnyObject, kind: HandleKind) {
        self.object = object
        self.kind = kind
    }
}

/// Every live handle, under one lock.
///
/// A handle is a token (`0xA77E...`), not an address: tokens are never reused, so a freed or made-up handle is
/// always detected, and a C caller that dereferences one crashes on a non-canonical address instead of
/// reading memory. The registry keeps the object alive; a call that acquired an entry keeps it alive until it
/// returns, even when another thread frees the handle meanwhile.
enum Handles {
    private static let lock = Lock()
    nonisolated(unsafe) private static var entries: [UInt: HandleEntry] = [:]
    nonisolated(unsafe) private static var counter: UInt = 0
    private static let tag: UInt = 0xA77E << 48

    /// Registers `object` and returns its new handle.
    static func register(_ object: AnyObject, _ kind: HandleKind) throws -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        // Never nil: the tag makes the token non-zero.
        guard let handle = OpaquePointer(bitPattern: tag | (counter << 4)) else {
            throw CAPIError(ANNEAL_E_INTERNAL, "handle token is zero")
        }
        entries[tag | (counter << 4)] = HandleEntry(object: object, kind: kind)
        return handle
    }

    /// Forgets a handle; NULL, unknown and wrong-kind handles are ignored (free has no status to report).
    static func remove(_ handle: OpaquePointer?, _ kind: HandleKind) {
        guard let handle else { return }
        let token = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[token], entry.kind == kind {
            entries[token] = nil
        }
    }

    /// The live entry of `handle`, checked for kind.
    static func entry(_ handle: OpaquePointer?, _ kind: HandleKind, argument: String) throws -> HandleEntry {
        guard let handle else {
            throw CAPIError(ANNEAL_E_INVALID_HANDLE, "\(argument) is NULL; expected a live \(kind.typeName)")
        }
        let token = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        lock.lock()
        let found = entries[token]
        lock.unlock()
        guard let found else {
            throw CAPIError(ANNEAL_E_INVALID_HANDLE,
                            "\(argument) (\(handle)) is not a live handle: it was freed, or never created by Anneal")
        }
        guard found.kind == kind else {
            throw CAPIError(ANNEAL_E_INVALID_HANDLE,
                            "\(argument) is an \(found.kind.typeName) handle, expected an \(kind.typeName) handle")
        }
        return found
    }

    /// The live entry of `handle` and its object, for a handle the call then holds (model, session, callback,
    /// metric); an entry holding another type is `ANNEAL_E_INTERNAL`, "model handle holds ...".
    static func entry<T: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, holding type: T.Type,
                                    argument: String) throws -> (HandleEntry, T) {
        let found = try entry(handle, kind, argument: argument)
        guard let object = found.object as? T else {
            throw CAPIError(ANNEAL_E_INTERNAL, "\(kind.rawValue) handle holds \(Swift.type(of: found.object))")
        }
        return (found, object)
    }

    /// The object of an immutable handle (dataset, sgd, optimizer, schedule, history): no busy tracking.
    static func object<T: AnyObject>(_ handle: OpaquePointer?, _ kind: HandleKind, as type: T.Type,
                                     argument: String) throws -> T {
        let found = try entry(handle, kind, argument: argument)
        guard let object = found.object as? T else {
            throw CAPIError(ANNEAL_E_INTERNAL, "\(argument): handle object is \(Swift.type(of: found.object)), expected \(T.self)")
        }
        return object
    }

    /// Marks every entry as used by this thread for the duration of `body`, or refuses at once:
    /// `ANNEAL_E_BUSY` when another thread holds one, `ANNEAL_E_INVALID_STATE` when this thread does (a callback
    /// calling back into what is running it), except `.use` and `.train` calls on a model whose callback is open.
    static func holding<R>(_ held: [HandleEntry], _ access: Access, _ body: () throws -> R) throws -> R {
        let me = pthread_self()
        lock.lock()
        for entry in held where entry.holds > 0 {
            let sameThread = pthread_equal(entry.holder, me) != 0
            if sameThread && entry.openForCallback && access != .restructure { continue }
            lock.unlock()
            if sameThread {
                throw CAPIError(ANNEAL_E_INVALID_STATE,
                                "this \(entry.kind.typeName) is running a fit or session call on this thread; from inside an epoch callback only the model's callback-safe functions may be called")
            }
            throw CAPIError(ANNEAL_E_BUSY,
                            "this \(entry.kind.typeName) is in use by a call on another thread; a model or session takes one call at a time")
        }
        for entry in held {
            entry.holds += 1
            entry.holder = me
        }
        lock.unlock()
        defer {
            lock.lock()
            for entry in held { entry.holds -= 1 }
            lock.unlock()
        }
        return try body()
    }

    /// Lets the thread that holds `entry` call `.use` and `.train` functions on it while `body` (the user's
    /// callback) runs.
    static func openForCallback<R>(_ entry: HandleEntry?, _ body: () throws -> R) rethrows -> R {
        guard let entry else { return try body() }
        lock.lock()
        let wasOpen = entry.openForCallback
        entry.openForCallback = true
        lock.unlock()
        defer {
            lock.lock()
            entry.openForCallback = wasOpen
            lock.unlock()
        }
        return try body()
    }
}

/// A pthread mutex: the registry's lock (the library does without Foundation, whose load time shows in every
/// short Python process).
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }

    func unlock() { pthread_mutex_unlock(mutex) }
}
