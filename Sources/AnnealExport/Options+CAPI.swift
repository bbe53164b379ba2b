import CAnneal

// The versioned option structs of anneal.h (anneal_fit_options, anneal_dense_options, ...): each begins
// with `int64_t struct_size`, read alone before any other field, so that a struct of a size this library
// does not know is refused without reading past what the caller allocated.

/// The options behind `pointer`, or `defaults` when it is NULL; `name` is the C argument, `type` the C type.
/// Only the size of this header's layout is known: a later minor version that appends fields will accept
/// the sizes of earlier layouts here and fill the fields they lack from their _INIT macro.
func options<T>(_ pointer: UnsafePointer<T>?, _ name: String, type: String, defaults: @autoclosure () -> T) throws -> T {
    guard let pointer else { return defaults() }
    let size = UnsafeRawPointer(pointer).loadUnaligned(as: Int64.self)
    guard size == Int64(MemoryLayout<T>.stride) else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                        "\(name)->struct_size must be sizeof(\(type)) = \(MemoryLayout<T>.stride) (start from the \(type.uppercased())_INIT macro). Received: struct_size=\(size)")
    }
    return pointer.pointee
}
