#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Anneal
import CAnneal

// Checks and copies of what a C caller passes: every pointer, size and enum is checked here before the core
// sees it, so that nothing a caller supplies can trap.

/// The pointer, or `ANNEAL_E_NULL_POINTER` naming the argument.
func required<T>(_ pointer: T?, _ name: String) throws -> T {
    guard let pointer else { throw CAPIError(ANNEAL_E_NULL_POINTER, "\(name) is NULL") }
    return pointer
}

/// A NUL-terminated UTF-8 argument as a String.
func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    let pointer = try required(pointer, name)
    guard let text = String(validatingCString: pointer) else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "\(name) is not valid UTF-8")
    }
    return text
}

/// Rejects NaN and infinities before they are narrowed to Float (where the core reports them).
func finite(_ value: Double, _ name: String) throws {
    guard value.isFinite else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "\(name) must be a finite number. Received: \(name)=\(value)")
    }
}

/// Refuses a negative count, capacity or index: "count must be non-negative. Received: count=-1".
func nonNegative(_ value: some BinaryInteger, _ name: String) throws {
    try check(value >= 0, "\(name) must be non-negative. Received: \(name)=\(value)")
}

/// `ANNEAL_E_INVALID_ARGUMENT` unless `condition` holds.
func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    guard condition else { throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, message()) }
}

/// Allocations above this many bytes are tried with malloc first, so that an impossible size is a status.
private let probeThreshold = 1 << 26

/// Refuses up front an allocation of `count` elements of `stride` bytes that cannot succeed: the copies of a
/// caller's arrays are Swift arrays, whose refused allocation would end the process.
func reserve(_ count: Int, of stride: Int, _ what: String) throws {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
    guard !overflow else {
        throw CAPIError(ANNEAL_E_OUT_OF_MEMORY, "a copy of \(what): \(count) elements of \(stride) bytes, more bytes than an address can count")
    }
    guard bytes > probeThreshold else { return }
    guard let probe = malloc(bytes) else {
        throw CAPIError(ANNEAL_E_OUT_OF_MEMORY, "could not allocate \(bytes) bytes for a copy of \(what)")
    }
    free(probe)
}

/// `rows * columns`, checked: positive sizes and no overflow. `rowsName` and `columnsName` are the C
/// arguments ("rows", "cols"), `name` the array's.
func elementCount(rows: Int64, columns: Int32, _ name: String, rowsName: String = "rows",
                  columnsName: String = "cols") throws -> Int {
    try check(rows >= 1, "\(rowsName) must be at least 1. Received: \(rowsName)=\(rows)")
    try check(columns >= 1, "\(columnsName) must be at least 1. Received: \(columnsName)=\(columns)")
    let (count, overflow) = Int(rows).multipliedReportingOverflow(by: Int(columns))
    let bytesOverflow = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride).overflow
    try check(!overflow && !bytesOverflow,
              "\(name) is \(rowsName) x \(columnsName) = \(rows) x \(columns) floats: more bytes than an address can count")
    return count
}

/// A copy of a caller's row-major float matrix, checked by `elementCount` first.
func matrix(_ pointer: UnsafePointer<Float>?, rows: Int64, columns: Int32, _ name: String, rowsName: String = "rows",
            columnsName: String = "cols") throws -> Matrix {
    let count = try elementCount(rows: rows, columns: columns, name, rowsName: rowsName, columnsName: columnsName)
    let base = try required(pointer, name)
    try reserve(count, of: MemoryLayout<Float>.stride, name)
    return try Matrix(rows: Int(rows), columns: Int(columns), values: Array(UnsafeBufferPointer(start: base, count: count)))
}

/// A copy of a caller's `count` sample weights, each finite; nil for a NULL pointer with `count` 0.
func sampleWeights(_ pointer: UnsafePointer<Float>?, count: Int64, _ name: String) throws -> [Float]? {
    guard let pointer else {
        guard count == 0 else {
            throw CAPIError(ANNEAL_E_NULL_POINTER, "\(name) is NULL but count is \(count); pass count 0 to weigh every row 1")
        }
        return nil
    }
    try nonNegative(count, "count")
    try reserve(Int(count), of: MemoryLayout<Float>.stride, name)
    let values = Array(UnsafeBufferPointer(start: pointer, count: Int(count)))
    if let index = indexOfFirstNonFinite(values) {
        throw CAPIError(ANNEAL_E_NON_FINITE, "\(name)[\(index)] is \(values[index]); every sample weight must be finite")
    }
    return values
}

/// The sizes a call declares for its arrays, compared with the model's before a byte of them is read:
/// a wrong width would otherwise make the copy of `rows * cols` floats read past the caller's buffer.
/// `cols` must equal the model's input width once known; `y_cols`, when given, the label columns its
/// compiled loss takes (1 for sparse_categorical_crossentropy, one per output otherwise).
func checkWidths(of model: Sequential, rows: Int64, cols: Int32, yCols: Int32? = nil) throws {
    try check(rows >= 1, "rows must be at least 1. Received: rows=\(rows)")
    try check(cols >= 1, "cols must be at least 1. Received: cols=\(cols)")
    if let inputs = model.inputDimension, Int(cols) != inputs {
        throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                        "cols must be \(inputs), the model's input width. Received: cols=\(cols)")
    }
    guard let yCols else { return }
    try check(yCols >= 1, "y_cols must be at least 1. Received: y_cols=\(yCols)")
    if let loss = model.loss, let units = model.layers.last?.units, Int(yCols) != loss.labelWidth(units: units) {
        throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                        "y_cols must be \(loss.labelWidth(units: units)) for \(loss.name) over \(units) output units. Received: y_cols=\(yCols)")
    }
}

/// `ANNEAL_E_INVALID_STATE` unless the model is compiled, in the words of the C call that needs it.
func checkCompiled(_ model: Sequential, _ function: String) throws {
    guard model.isCompiled else {
        throw CAPIError(ANNEAL_E_INVALID_STATE, "the model is not compiled: call anneal_model_compile before \(function)")
    }
}

/// Copies `values` into a caller's float buffer of `capacity` elements.
func copyOut(_ values: [Float], to buffer: UnsafeMutablePointer<Float>?, capacity: Int64, _ name: String) throws {
    let buffer = try required(buffer, name)
    guard capacity >= Int64(values.count) else {
        throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL, "\(name) holds \(capacity) floats; \(values.count) are needed")
    }
    values.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { buffer.update(from: base, count: source.count) }
    }
}

/// Copies `values` into a caller's double buffer ("copy-out values" in anneal.h).
func copyOut(_ values: [Double], to buffer: UnsafeMutablePointer<Double>?, capacity: Int32,
             count outCount: UnsafeMutablePointer<Int32>?, _ name: String) throws {
    try nonNegative(capacity, "capacity")
    let count = Int32(clamping: values.count)
    // The count is written on success and on a buffer too small, never with a NULL buffer refused.
    guard buffer != nil || capacity > 0 else {
        outCount?.pointee = count
        return
    }
    let buffer = try required(buffer, name)
    outCount?.pointee = count
    guard capacity >= count else {
        throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL, "\(name) holds \(capacity) values; \(count) are needed")
    }
    for (index, value) in values.enumerated() { buffer[index] = value }
}

/// Copies `text` and its NUL into a caller's buffer ("copy-out string" in anneal.h).
func copyOut(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int64,
             length outLength: UnsafeMutablePointer<Int64>?, _ name: String) throws {
    try nonNegative(capacity, "capacity")
    let bytes = Array(text.utf8)
    // The length is written on success and on a buffer too small, never with a NULL buffer refused.
    guard buffer != nil || capacity > 0 else {
        outLength?.pointee = Int64(bytes.count)
        return
    }
    let buffer = try required(buffer, name)
    outLength?.pointee = Int64(bytes.count)
    guard capacity > Int64(bytes.count) else {
        throw CAPIError(ANNEAL_E_BUFFER_TOO_SMALL,
                        "\(name) holds \(capacity) bytes; \(bytes.count + 1) are needed (with the terminating NUL)")
    }
    for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

/// Copies name `index` of `names` (each one `what`: "metric", "key") and its NUL into a caller's `buffer`
/// ("copy-out string" in anneal.h); an index out of range is an invalid argument naming `what`.
func copyOut(_ names: [String], at index: Int32, _ what: String, to buffer: UnsafeMutablePointer<CChar>?,
             capacity: Int64, length outLength: UnsafeMutablePointer<Int64>?) throws {
    let at = try AnnealExport.index(index, count: names.count, what)
    try copyOut(names[at], to: buffer, capacity: capacity, length: outLength, "buffer")
}

/// An index into a list of `count` elements.
func index(_ value: Int32, count: Int, _ what: String) throws -> Int {
    try check(value >= 0 && Int(value) < count,
              "\(what) index \(value) is out of range: there are \(count)")
    return Int(value)
}

/// An optional seed passed by pointer (NULL: none).
func optionalSeed(_ pointer: UnsafePointer<UInt64>?) -> UInt64? {
    pointer?.pointee
}
