#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// `format` with `arguments` as C's printf formats them: Keras's console and checkpoint texts come from
/// Python's printf-style `%` formatting, and this keeps the core free of Foundation (whose load time shows
/// in every short Python process). Integers go with `%ld` (Int) or `%lld` (Int64), floating point with
/// `%f`, `%e` or `%g` (Double).
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    var length = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
    if length >= buffer.count {  // a va_list is read once: format again into a buffer of the right size
        buffer = [CChar](repeating: 0, count: Int(length) + 1)
        length = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
    }
    guard length >= 0 else { return "" }
    return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
