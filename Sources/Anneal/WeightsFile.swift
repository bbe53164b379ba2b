#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One array of weights: a shape and its values in row-major order (the last index varies fastest).
///
/// The layout is Keras's: a `Dense` kernel has shape `[inputs, units]` and holds `kernel[i][j]` at
/// `values[i * units + j]`; a bias has shape `[units]`. A rank-0 tensor (shape `[]`) is a scalar with one value;
/// a shape containing a 0 has no values.
///
/// The memberwise initializer does not validate; ``WeightsFile/encode(_:)`` checks that the shape's product
/// equals `values.count`. `==` compares values as numbers, so two tensors holding NaN are never equal (compare
/// `bitPattern`s to check an exact round trip).
public struct WeightTensor: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}

/// The binary weights file: encoding, decoding, and atomic saving and loading of a list of ``WeightTensor``s.
///
/// The codec knows nothing about models: it stores an ordered list of tensors, and the model decides which
/// tensor is which (Keras's `model.get_weights()` order: each layer's kernel, then its bias).
///
/// ## Format, version 1
///
/// All integers are unsigned and little-endian; there is no padding and no alignment anywhere.
///
/// | Offset   | Size         | Field                                                                    |
/// |----------|--------------|--------------------------------------------------------------------------|
/// | 0        | 8            | magic: the bytes `41 4E 4E 45 41 4C 57 00` (`"ANNEALW"` then a NUL byte) |
/// | 8        | 4            | format version, UInt32: `1`                                              |
/// | 12       | 4            | tensor count `n`, UInt32 (0 is allowed)                                  |
/// | 16       | ...          | `n` tensor records, one after the other (below)                         |
/// | end - 4  | 4            | CRC-32 of every byte before it (offset 0 up to end - 4), UInt32          |
///
/// Each tensor record:
///
/// | Size          | Field                                                                                  |
/// |---------------|----------------------------------------------------------------------------------------|
/// | 4             | rank `r`, UInt32 (0 for a scalar)                                                       |
/// | 8 * r         | `r` dimensions, each a UInt64, outermost first                                        |
/// | 4 * count     | `count` = product of the dimensions (1 when `r` = 0) float32 values, row-major        |
///
/// Values are IEEE 754 binary32 bit patterns stored little-endian, written and read bit for bit: NaN (with
/// its payload), infinities and negative zero survive a round trip. The codec allows non-finite values
/// because Keras saves whatever the model holds; a caller that needs finite weights checks them itself.
///
/// The checksum is the CRC-32 of zlib, gzip, PNG and Ethernet (IEEE 802.3: reflected polynomial
/// `0xEDB88320`, initial value `0xFFFFFFFF`, final XOR `0xFFFFFFFF`); it equals Python's
/// `zlib.crc32(data[:-4])`. The file ends right after it, so its total size is
/// `16 + sum over tensors of (4 + 8 * r + 4 * count) + 4`; an empty list is the 20-byte file
/// `41 4E 4E 45 41 4C 57 00 01 00 00 00 00 00 00 00 E7 22 53 81`.
///
/// Example: one tensor of shape `[2]` holding `1.0, -2.0` is 40 bytes:
///
/// ```
/// 41 4E 4E 45 41 4C 57 00   magic "ANNEALW\0"
/// 01 00 00 00               version 1
/// 01 00 00 00               1 tensor
/// 01 00 00 00               rank 1
/// 02 00 00 00 00 00 00 00   dimension 2
/// 00 00 80 3F               1.0
/// 00 00 00 C0               -2.0
/// 46 8E 91 7E               CRC-32 0x7E918E46 of the 32 bytes above
/// ```
///
/// A reader in Python:
///
/// ```python
/// import struct, zlib
/// def read_anneal_weights(data: bytes):
///     assert data[:8] == b"ANNEALW\0" and struct.unpack_from("<I", data, 8)[0] == 1
///     assert struct.unpack_from("<I", data, len(data) - 4)[0] == zlib.crc32(data[:-4])
///     (count,), pos, tensors = struct.unpack_from("<I", data, 12), 16, []
///     for _ in range(count):
///         (rank,) = struct.unpack_from("<I", data, pos); pos += 4
///         shape = struct.unpack_from(f"<{rank}Q", data, pos); pos += 8 * rank
///         size = 1
///         for d in shape: size *= d
///         tensors.append((shape, struct.unpack_from(f"<{size}f", data, pos))); pos += 4 * size
///     assert pos == len(data) - 4
///     return tensors
/// ```
///
/// ## Errors
///
/// ``decode(_:source:)`` never traps, whatever the bytes: it throws ``AnnealError/Kind/corruptFile`` for a file
/// that is truncated (anywhere), does not start with the magic, has another version, declares sizes that
/// overflow or exceed the bytes that remain, has bytes after the checksum, or whose checksum does not match.
/// It allocates only after checking that the bytes a size promises are present. Messages start with the
/// source and say what was expected and what was found (tensors are numbered from 0), for example
/// `weights.bin: truncated: tensor 2 (shape [3, 4]) needs 48 bytes of values, 40 remain`.
///
/// ``encode(_:)`` throws ``AnnealError/Kind/invalidArgument`` for a negative dimension or sizes beyond the
/// format's limits, and ``AnnealError/Kind/shapeMismatch`` when a shape's product differs from its value count.
/// ``write(_:to:)`` and ``read(from:)`` throw ``AnnealError/Kind/io`` naming the path and the system's reason.
public enum WeightsFile {
    /// The 8 bytes every weights file starts with: `"ANNEALW"` and a NUL.
    public static let magic: [UInt8] = Array("ANNEALW".utf8) + [0]
    /// The format version this build writes and the only one it reads.
    public static let version: UInt32 = 1

    /// The size of magic, version and tensor count.
    private static let headerSize = 16
    /// The size of the trailing CRC-32.
    private static let checksumSize = 4

    // MARK: Encoding

    /// The bytes of a weights file holding `tensors`, in order.
    public static func encode(_ tensors: [WeightTensor]) throws -> [UInt8] {
        guard let count = UInt32(exactly: tensors.count) else {
            throw AnnealError.invalidArgument(
                "cannot save \(tensors.count) tensors: the weights file holds at most \(UInt32.max)")
        }
        var total = headerSize + checksumSize
        for (index, tensor) in tensors.enumerated() {
            guard UInt32(exactly: tensor.shape.count) != nil else {
                throw AnnealError.invalidArgument(
                    "tensor \(index): rank \(tensor.shape.count) exceeds the weights file's limit of \(UInt32.max)")
            }
            var elements = 1
            for (axis, dimension) in tensor.shape.enumerated() {
                guard dimension >= 0 else {
                    throw AnnealError.invalidArgument(
                        "tensor \(index): dimension \(axis) of shape \(describe(tensor.shape)) is \(dimension); "
                            + "dimensions must be >= 0")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else {
                    throw AnnealError.invalidArgument(
                        "tensor \(index): shape \(describe(tensor.shape)) has more elements than an Int can count")
                }
                elements = product
            }
            guard elements == tensor.values.count else {
                throw AnnealError.shapeMismatch(
                    "tensor \(index): shape \(describe(tensor.shape)) holds \(elements) values, "
                        + "but \(tensor.values.count) were given")
            }
            // 4 + 8 * rank + 4 * elements, overflow-checked: this size is only a capacity hint, but the
            // arithmetic must not trap (or wrap silently under -Ounchecked).
            let (dimensionBytes, overflow1) = tensor.shape.count.multipliedReportingOverflow(by: 8)
            let (valueBytes, overflow2) = elements.multipliedReportingOverflow(by: 4)
            let (partial, overflow3) = total.addingReportingOverflow(4)
            let (partial2, overflow4) = partial.addingReportingOverflow(dimensionBytes)
            let (sum, overflow5) = partial2.addingReportingOverflow(valueBytes)
            guard !(overflow1 || overflow2 || overflow3 || overflow4 || overflow5) else {
                throw AnnealError.invalidArgument("tensor \(index): the weights file would exceed \(Int.max) bytes")
            }
            total = sum
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        bytes += magic
        appendUInt32(version, to: &bytes)
        appendUInt32(count, to: &bytes)
        for tensor in tensors {
            appendUInt32(UInt32(truncatingIfNeeded: tensor.shape.count), to: &bytes)  // checked above
            for dimension in tensor.shape {
                appendUInt64(UInt64(truncatingIfNeeded: dimension), to: &bytes)  // checked >= 0 above
            }
            for value in tensor.values {
                appendUInt32(value.bitPattern, to: &bytes)
            }
        }
        appendUInt32(crc32(bytes), to: &bytes)
        return bytes
    }

    private static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    private static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        appendUInt32(UInt32(truncatingIfNeeded: value), to: &bytes)
        appendUInt32(UInt32(truncatingIfNeeded: value >> 32), to: &bytes)
    }

    // MARK: Decoding

    /// The tensors stored in `bytes`, a whole weights file.
    ///
    /// - Parameters:
    ///   - bytes: the file's content.
    ///   - source: what to call the bytes in error messages (usually the file's path).
    /// - Throws: ``AnnealError/Kind/corruptFile`` when the bytes are not a valid version-1 weights file.
    public static func decode(_ bytes: [UInt8], source: String) throws -> [WeightTensor] {
        var reader = Reader(bytes: bytes, source: source)

        // Magic: a short prefix of it is a truncated file, anything else is not ours.
        let prefixLength = min(bytes.count, magic.count)
        guard bytes[0..<prefixLength].elementsEqual(magic[0..<prefixLength]) else {
            throw reader.corrupt(
                "not an Anneal weights file: it starts with \(hex(bytes[0..<prefixLength])), "
                    + "expected \(hex(magic[...])) (\"ANNEALW\\0\")")
        }
        guard bytes.count >= magic.count else {
            throw reader.corrupt("truncated: the magic needs \(magic.count) bytes, \(bytes.count) remain")
        }
        reader.offset = magic.count

        let foundVersion = try reader.uint32("the format version")
        guard foundVersion == version else {
            throw reader.corrupt(
                "unsupported weights file version \(foundVersion); this build reads version \(version)")
        }
        let count = try reader.uint32("the tensor count")

        // No reserveCapacity(count): the count is unchecked. Every record takes at least 4 bytes, so the loop
        // stops at the end of the bytes however large `count` claims to be.
        var tensors: [WeightTensor] = []
        // UInt32 -> Int(exactly:) rather than Int(_:), which would not trap under -Ounchecked on a 32-bit Int.
        for index in 0..<(Int(exactly: count) ?? Int.max) {
            let rank = try reader.uint32("tensor \(index)'s rank")
            let rankCount = Int(exactly: rank) ?? Int.max
            let (dimensionBytes, rankOverflow) = rankCount.multipliedReportingOverflow(by: 8)
            guard !rankOverflow, dimensionBytes <= reader.remaining else {
                throw reader.corrupt(
                    "truncated: tensor \(index) declares rank \(rank), whose dimensions need "
                        + "\(UInt64(rank) * 8) bytes, \(reader.remaining) remain")
            }
            var shape: [Int] = []
            shape.reserveCapacity(rankCount)  // checked against the remaining bytes above
            var elements = 1
            var elementsOverflow = false
            for _ in 0..<rankCount {
                let raw = try reader.uint64("a dimension of tensor \(index)")
                guard let dimension = Int(exactly: raw) else {
                    throw reader.corrupt(
                        "tensor \(index): dimension \(shape.count) is \(raw), larger than the largest size "
                            + "\(Int.max)")
                }
                shape.append(dimension)
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                elementsOverflow = elementsOverflow || overflow
                elements = product
            }
            let (valueBytes, bytesOverflow) = elements.multipliedReportingOverflow(by: 4)
            guard !elementsOverflow, !bytesOverflow else {
                throw reader.corrupt(
                    "tensor \(index): shape \(describe(shape)) has too many elements to count (the sizes overflow)")
            }
            guard valueBytes <= reader.remaining else {
                throw reader.corrupt(
                    "truncated: tensor \(index) (shape \(describe(shape))) needs \(valueBytes) bytes of values, "
                        + "\(reader.remaining) remain")
            }
            tensors.append(WeightTensor(shape: shape, values: reader.floats(elements)))
        }

        let payloadEnd = reader.offset
        let stored = try reader.uint32("the checksum")
        guard reader.remaining == 0 else {
            throw reader.corrupt(
                "\(reader.remaining) trailing bytes after the checksum: the tensors end at offset \(payloadEnd), "
                    + "so the file should be \(reader.offset) bytes, but it is \(bytes.count)")
        }
        let computed = crc32(bytes[0..<payloadEnd])
        guard stored == computed else {
            throw reader.corrupt(
                "checksum mismatch: the file stores CRC-32 \(hex(stored)) but its content has \(hex(computed)); "
                    + "the file is corrupted")
        }
        return tensors
    }

    /// Bounds-checked little-endian reads. Every read checks `remaining` itself (the module is compiled with
    /// -Ounchecked, so an out-of-range index would not trap: it would read garbage).
    private struct Reader {
        let bytes: [UInt8]
        let source: String
        var offset = 0

        /// Invariant: `0 <= offset <= bytes.count`.
        var remaining: Int { bytes.count - offset }

        func corrupt(_ message: String) -> AnnealError {
            AnnealError(.corruptFile, "\(source): \(message)")
        }

        mutating func uint32(_ what: @autoclosure () -> String) throws -> UInt32 {
            guard remaining >= 4 else {
                throw corrupt("truncated: \(what()) needs 4 bytes, \(remaining) remain")
            }
            let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            offset += 4
            return value
        }

        mutating func uint64(_ what: @autoclosure () -> String) throws -> UInt64 {
            guard remaining >= 8 else {
                throw corrupt("truncated: \(what()) needs 8 bytes, \(remaining) remain")
            }
            var value: UInt64 = 0
            for byte in 0..<8 {
                value |= UInt64(bytes[offset + byte]) << (8 * UInt64(byte))
            }
            offset += 8
            return value
        }

        /// `count` floats; the caller has checked that `4 * count <= remaining`.
        mutating func floats(_ count: Int) -> [Float] {
            var values: [Float] = []
            values.reserveCapacity(count)
            var position = offset
            for _ in 0..<count {
                let pattern = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
                    | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
                values.append(Float(bitPattern: pattern))
                position += 4
            }
            offset = position
            return values
        }
    }

    // MARK: Files

    /// Saves `tensors` to `path` atomically: a crash or error mid-save leaves any previous file at `path` intact.
    ///
    /// The bytes go to a new temporary file in the same directory (`.<name>.tmp-<pid>-<random>`), which is
    /// flushed to disk with `fsync` and then renamed over `path` (`rename(2)` replaces a file atomically within
    /// one file system). The directory is then synced too, on a best-effort basis, so the rename itself
    /// survives a power loss. On any failure the temporary file is removed.
    ///
    /// - Throws: ``AnnealError/Kind/invalidArgument`` or ``AnnealError/Kind/shapeMismatch`` from
    ///   ``encode(_:)`` (before touching the disk), or ``AnnealError/Kind/io`` naming the path and the reason.
    public static func write(_ tensors: [WeightTensor], to path: String) throws {
        try writeAtomically(try encode(tensors), to: path, kind: "weights file")
    }

    /// Writes `bytes` to `path` as ``write(_:to:)`` does (the model file shares it); `kind` names the file in
    /// messages (`"weights file"`).
    static func writeAtomically(_ bytes: [UInt8], to path: String, kind: String) throws {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw AnnealError.invalidArgument("invalid \(kind) path \(String(reflecting: path))")
        }
        let (directory, name) = split(path)
        let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
        let temporary = "\(directory ?? "").\(name).tmp-\(getpid())-\(suffix)"

        let descriptor = systemOpen(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw ioError(path, "cannot create temporary file \(temporary)", errno)
        }
        var failure: AnnealError?
        if let code = writeAll(bytes, to: descriptor) {
            failure = ioError(path, "cannot write temporary file \(temporary)", code)
        } else if fsync(descriptor) != 0 {
            failure = ioError(path, "cannot flush temporary file \(temporary)", errno)
        }
        if close(descriptor) != 0, failure == nil {
            failure = ioError(path, "cannot close temporary file \(temporary)", errno)
        }
        if failure == nil, rename(temporary, path) != 0 {
            failure = ioError(path, "cannot rename \(temporary) over it", errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncDirectory(directory ?? ".")
    }

    /// Loads the tensors saved in the weights file at `path`.
    ///
    /// - Throws: ``AnnealError/Kind/io`` when the file cannot be opened or read (naming the path and the
    ///   reason), ``AnnealError/Kind/corruptFile`` when its content is not a valid weights file.
    public static func read(from path: String) throws -> [WeightTensor] {
        try decode(try readBytes(from: path, kind: "weights file"), source: path)
    }

    /// The whole content of the file at `path`; `kind` names the file in messages (`"weights file"`).
    static func readBytes(from path: String, kind: String) throws -> [UInt8] {
        guard !path.utf8.contains(0) else {
            throw AnnealError.invalidArgument("invalid \(kind) path \(String(reflecting: path))")
        }
        let descriptor = systemOpen(path, O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else {
            throw ioError(path, "cannot open \(kind)", errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count > 0 {
                bytes += chunk[0..<min(count, chunk.count)]
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw ioError(path, "cannot read \(kind)", errno)
            }
        }
        return bytes
    }

    /// Writes every byte, retrying short writes and interruptions; returns the `errno` of a failure.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard let base = buffer.baseAddress else { return nil }  // nothing to write
            var written = 0
            while written < buffer.count {
                let count = systemWrite(descriptor, base + written, buffer.count - written)
                if count > 0 {
                    written += count
                } else if count == 0 {
                    return EIO
                } else if errno != EINTR {
                    return errno
                }
            }
            return nil
        }
    }

    /// Best effort: a failure here leaves the new file in place, only possibly not yet durable.
    private static func syncDirectory(_ directory: String) {
        let descriptor = systemOpen(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// `("dir/", "name")` for `"dir/name"`, `(nil, "name")` for `"name"`.
    static func split(_ path: String) -> (directory: String?, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    private static func ioError(_ path: String, _ action: String, _ code: Int32) -> AnnealError {
        AnnealError(.io, "\(path): \(action): \(String(cString: strerror(code)))")
    }

    // MARK: CRC-32

    /// The CRC-32 of zlib (IEEE 802.3, reflected polynomial `0xEDB88320`): `crc32("123456789") == 0xCBF43926`.
    static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            // The index is always in 0...255 and the table has 256 entries.
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { (index: UInt32) -> UInt32 in
        var value = index
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    // MARK: Messages

    /// `[3, 4]`, shortened after 8 dimensions so a corrupt rank cannot make a huge message.
    private static func describe(_ shape: [Int]) -> String {
        let shown = shape.prefix(8).map(String.init).joined(separator: ", ")
        return shape.count > 8 ? "[\(shown), ... (rank \(shape.count))]" : "[\(shown)]"
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.isEmpty ? "nothing" : bytes.map { hexByte($0) }.joined(separator: " ")
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

// Free functions, so the enum's own `read` and `write` do not shadow the system calls.

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
