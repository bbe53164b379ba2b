import Anneal
import AnnealFuzzDriver

/// libFuzzer target for the weights-file reader, `WeightsFile.decode(_:source:)`.
///
/// The first byte of an input is a mode, the rest is the file. When bit 0 of the mode is set, the file's last
/// 4 bytes are replaced by the CRC-32 of the bytes before them, so that the fuzzer explores the structure behind
/// the checksum instead of stopping at it; otherwise the bytes are decoded as they are. An empty input is skipped.
///
/// The reader must either throw an `AnnealError` of kind `.corruptFile` or return tensors that encode back to
/// exactly the same bytes (the format has one encoding per list of tensors); anything else, or a trap, is a
/// finding.
///
/// Built normally (`swift build`), this is a replay tool: `anneal-fuzz-weights FILE...` runs each file once
/// and prints what the reader said. Built with `-DANNEAL_LIBFUZZER -sanitize=fuzzer`, it runs libFuzzer's
/// driver (see `fuzz/run.sh`). Both modes are `FuzzDriver` in `fuzz/driver/FuzzDriver.swift`.
func fuzzWeights(_ input: UnsafeRawBufferPointer) -> String {
    guard let mode = input.first else { return "skipped: empty input" }
    var bytes = Array(input.dropFirst())
    if mode & 1 == 1, bytes.count >= 4 {
        let crc = crc32(bytes.dropLast(4))
        for index in 0..<4 {
            bytes[bytes.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index)))
        }
    }
    do {
        let tensors = try WeightsFile.decode(bytes, source: "fuzz.bin")
        for tensor in tensors {
            check(tensor.values.count == tensor.shape.reduce(1, *), "a tensor whose values do not fill its shape")
        }
        let encoded: [UInt8]
        do {
            encoded = try WeightsFile.encode(tensors)
        } catch {
            check(false, "decoded tensors do not encode again: \(error)")
            return ""
        }
        check(encoded == bytes, "decode then encode changed the bytes")
        return "decoded \(tensors.count) tensors: " + tensors.map { "\($0.shape)" }.joined(separator: " ")
    } catch let error as AnnealError {
        check(error.kind == .corruptFile, "decode threw \(error.kind), not corruptFile: \(error.message)")
        check(error.message.hasPrefix("fuzz.bin: "), "a message that does not start with the source")
        return "\(error.kind): \(error.message)"
    } catch {
        check(false, "threw a non-AnnealError: \(error)")
        return "\(error)"
    }
}

/// zlib's CRC-32, bit by bit (the reader's table version is internal to the core).
func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

@main
enum Main {
    static func main() { FuzzDriver.run(name: "anneal-fuzz-weights", fuzzWeights) }
}
