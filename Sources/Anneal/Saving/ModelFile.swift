/// The whole-model file: a model's description (architecture, compile settings, optimizer arguments and
/// counters, the random generator's state) and its tensors (weights, then the optimizer's state buffers),
/// checksummed and written atomically like the weights file, whose tensor list it embeds unchanged.
///
/// ## Format, version 1
///
/// All integers are unsigned and little-endian; there is no padding.
///
/// | Offset       | Size | Field                                                                          |
/// |--------------|------|--------------------------------------------------------------------------------|
/// | 0            | 8    | magic: the bytes `41 4E 4E 45 41 4C 4D 00` (`"ANNEALM"` then a NUL byte)        |
/// | 8            | 4    | format version, UInt32: `1`                                                    |
/// | 12           | 4    | description length `d` in bytes, UInt32                                        |
/// | 16           | d    | the description, UTF-8 text (``ModelDescription``)                             |
/// | 16 + d       | ...  | a complete weights file (``WeightsFile``, with its own magic and CRC-32)      |
/// | end - 4      | 4    | CRC-32 of every byte before it (offset 0 up to end - 4), UInt32                |
///
/// The outer CRC-32 is checked before anything else is read, so a corrupt file is reported as such and
/// nothing of it is used. The embedded weights file keeps its own format (and reader) unchanged: old weights
/// files are not model files, and `loadWeights` reads either.
///
/// ## Errors
///
/// ``decode(_:source:)`` never traps, whatever the bytes: it throws ``AnnealError/Kind/corruptFile`` naming
/// the source for a truncated file, another magic or version, a description that is not UTF-8, or a
/// checksum mismatch.
public enum ModelFile {
    /// The 8 bytes every model file starts with: `"ANNEALM"` and a NUL.
    public static let magic: [UInt8] = Array("ANNEALM".utf8) + [0]
    /// The format version this build writes and the only one it reads.
    public static let version: UInt32 = 1

    /// The bytes of a model file holding `description` and `tensors`.
    public static func encode(description: String, tensors: [WeightTensor]) throws -> [UInt8] {
        let text = Array(description.utf8)
        guard let length = UInt32(exactly: text.count) else {
            throw AnnealError.invalidArgument("the model's description is too long for a model file (\(text.count) bytes)")
        }
        let weights = try WeightsFile.encode(tensors)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + text.count + weights.count + 4)
        bytes += magic
        append(version, to: &bytes)
        append(length, to: &bytes)
        bytes += text
        bytes += weights
        append(WeightsFile.crc32(bytes), to: &bytes)
        return bytes
    }

    /// Whether `bytes` start like a model file (then ``decode(_:source:)`` applies, not the weights reader).
    public static func isModelFile(_ bytes: [UInt8]) -> Bool {
        bytes.count >= magic.count && bytes[0..<magic.count].elementsEqual(magic)
    }

    /// The description and tensors stored in `bytes`, a whole model file; `source` names it in messages.
    /// - Throws: ``AnnealError/Kind/corruptFile`` when the bytes are not a valid version-1 model file.
    public static func decode(_ bytes: [UInt8], source: String) throws -> (description: String, tensors: [WeightTensor]) {
        func corrupt(_ message: String) -> AnnealError { AnnealError(.corruptFile, "\(source): \(message)") }
        guard isModelFile(bytes) else {
            throw corrupt("not an Anneal model file: it does not start with \"ANNEALM\\0\"")
        }
        guard bytes.count >= 20 else {
            throw corrupt("truncated: a model file has at least 20 bytes, this one has \(bytes.count)")
        }
        let stored = uint32(bytes, at: bytes.count - 4)
        let computed = WeightsFile.crc32(bytes[0..<(bytes.count - 4)])
        guard stored == computed else {
            throw corrupt("checksum mismatch: the file stores CRC-32 \(stored) but its content has \(computed); the file is corrupted")
        }
        let found = uint32(bytes, at: 8)
        guard found == version else {
            throw corrupt("unsupported model file version \(found); this build reads version \(version)")
        }
        let length = Int(exactly: uint32(bytes, at: 12)) ?? Int.max
        guard length <= bytes.count - 20 else {
            throw corrupt("truncated: the description declares \(length) bytes, \(bytes.count - 20) remain")
        }
        guard let description = String(validating: bytes[16..<(16 + length)], as: UTF8.self) else {
            throw corrupt("the model's description is not UTF-8 text")
        }
        let tensors = try WeightsFile.decode(Array(bytes[(16 + length)..<(bytes.count - 4)]), source: "\(source) (its weights)")
        return (description, tensors)
    }

    /// Saves atomically, as ``WeightsFile/write(_:to:)``: a crash mid-save leaves any previous file intact.
    public static func write(description: String, tensors: [WeightTensor], to path: String) throws {
        try WeightsFile.writeAtomically(try encode(description: description, tensors: tensors), to: path, kind: "model file")
    }

    /// Reads the model file at `path`.
    /// - Throws: ``AnnealError/Kind/io`` naming the path and the reason, ``AnnealError/Kind/corruptFile``.
    public static func read(from path: String) throws -> (description: String, tensors: [WeightTensor]) {
        try decode(try WeightsFile.readBytes(from: path, kind: "model file"), source: path)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// The UInt32 at `offset`; the caller has checked that 4 bytes are there.
    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
