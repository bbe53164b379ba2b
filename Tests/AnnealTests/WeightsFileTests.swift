import Foundation
import Testing

@testable import Anneal

@Suite("WeightsFile")
struct WeightsFileTests {
    // MARK: Helpers

    /// A small file with a rank-2 kernel, a rank-1 bias and a rank-0 scalar.
    static let sample: [WeightTensor] = [
        WeightTensor(shape: [2, 3], values: [0.5, -1.25, 2, 3.5, -4, 0.125]),
        WeightTensor(shape: [3], values: [0.1, 0.2, 0.3]),
        WeightTensor(shape: [], values: [7]),
    ]

    /// Expects `body` to throw an `AnnealError` of `kind` and returns it.
    @discardableResult
    func expectError(
        _ kind: AnnealError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) -> AnnealError? {
        do {
            try body()
            Issue.record("expected an AnnealError(.\(kind)), nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as AnnealError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected an AnnealError(.\(kind)), got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Overwrites a little-endian integer at `offset` and recomputes the checksum, so only the structure is wrong.
    func patched<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, _ value: T) -> [UInt8] {
        var result = bytes
        for index in 0..<(T.bitWidth / 8) {
            result[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
        return resealed(result)
    }

    /// `bytes` with its last 4 bytes replaced by the CRC-32 of the rest.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = WeightsFile.crc32(body)
        body += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
        return body
    }

    /// A fresh empty directory, removed by `body`'s end.
    func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-wf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url.path)
    }

    func bitPatterns(_ tensors: [WeightTensor]) -> [[UInt32]] { tensors.map { $0.values.map(\.bitPattern) } }

    // MARK: Checksum

    @Test func crc32MatchesZlib() {
        #expect(WeightsFile.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(WeightsFile.crc32([UInt8]()) == 0)
        #expect(WeightsFile.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    // MARK: Byte layout

    @Test func layoutOfTheDocumentedExample() throws {
        let bytes = try WeightsFile.encode([WeightTensor(shape: [2], values: [1, -2])])
        let expected: [UInt8] = [
            0x41, 0x4E, 0x4E, 0x45, 0x41, 0x4C, 0x57, 0x00,  // "ANNEALW\0"
            0x01, 0x00, 0x00, 0x00,  // version 1
            0x01, 0x00, 0x00, 0x00,  // 1 tensor
            0x01, 0x00, 0x00, 0x00,  // rank 1
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // dimension 2
            0x00, 0x00, 0x80, 0x3F,  // 1.0
            0x00, 0x00, 0x00, 0xC0,  // -2.0
            0x46, 0x8E, 0x91, 0x7E,  // CRC-32 0x7E918E46 (Python: zlib.crc32 of the 32 bytes above)
        ]
        #expect(bytes == expected)
    }

    @Test func layoutOfAnEmptyList() throws {
        let expected: [UInt8] = [
            0x41, 0x4E, 0x4E, 0x45, 0x41, 0x4C, 0x57, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xE7, 0x22, 0x53, 0x81,
        ]
        #expect(try WeightsFile.encode([]) == expected)
    }

    @Test func layoutOfRankZeroAndRankTwo() throws {
        let bytes = try WeightsFile.encode([
            WeightTensor(shape: [], values: [0.5]),
            WeightTensor(shape: [1, 2], values: [-0.0, 3]),
        ])
        let expected: [UInt8] = [
            0x41, 0x4E, 0x4E, 0x45, 0x41, 0x4C, 0x57, 0x00,  // magic
            0x01, 0x00, 0x00, 0x00,  // version 1
            0x02, 0x00, 0x00, 0x00,  // 2 tensors
            0x00, 0x00, 0x00, 0x00,  // tensor 0: rank 0, no dimensions
            0x00, 0x00, 0x00, 0x3F,  // 0.5
            0x02, 0x00, 0x00, 0x00,  // tensor 1: rank 2
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 1
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 2
            0x00, 0x00, 0x00, 0x80,  // -0.0
            0x00, 0x00, 0x40, 0x40,  // 3.0
        ]
        #expect(Array(bytes.dropLast(4)) == expected)
        #expect(bytes.count == 16 + (4 + 4) + (4 + 16 + 8) + 4)
        #expect(
            Array(bytes.suffix(4))
                == [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: WeightsFile.crc32(expected) >> $0) })
    }

    // MARK: Round trips

    @Test(arguments: [
        [WeightTensor](),
        sample,
        [WeightTensor(shape: [0], values: []), WeightTensor(shape: [3, 0, 2], values: [])],
        [WeightTensor(shape: [1, 1, 1, 1], values: [42])],
    ])
    func roundTrip(_ tensors: [WeightTensor]) throws {
        let decoded = try WeightsFile.decode(try WeightsFile.encode(tensors), source: "memory")
        #expect(decoded == tensors)
    }

    @Test func roundTripIsBitExactForSpecialValues() throws {
        let values: [Float] = [
            .nan, Float(bitPattern: 0x7FC0_1234), -.nan, .signalingNaN, .infinity, -.infinity, -0.0,
            .leastNonzeroMagnitude, .greatestFiniteMagnitude, .ulpOfOne,
        ]
        let tensors = [WeightTensor(shape: [values.count], values: values)]
        let decoded = try WeightsFile.decode(try WeightsFile.encode(tensors), source: "memory")
        #expect(decoded.map(\.shape) == [[values.count]])
        #expect(bitPatterns(decoded) == bitPatterns(tensors))
    }

    @Test func roundTripOfALargerModel() throws {
        var generator = SeededGenerator(seed: 7)
        let shapes = [[784, 64], [64], [64, 10], [10]]
        let tensors = shapes.map { shape in
            WeightTensor(
                shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextNormal()) })
        }
        let bytes = try WeightsFile.encode(tensors)
        #expect(bytes.count == 16 + shapes.map { 4 + 8 * $0.count + 4 * $0.reduce(1, *) }.reduce(0, +) + 4)
        #expect(try WeightsFile.decode(bytes, source: "memory") == tensors)
    }

    // MARK: Encoding rejects bad tensors

    @Test func encodeRejectsBadShapes() {
        let negative = expectError(.invalidArgument) {
            _ = try WeightsFile.encode([Self.sample[0], WeightTensor(shape: [2, -1], values: [])])
        }
        #expect(negative?.message == "tensor 1: dimension 1 of shape [2, -1] is -1; dimensions must be >= 0")

        let mismatch = expectError(.shapeMismatch) {
            _ = try WeightsFile.encode([WeightTensor(shape: [2, 3], values: [1, 2, 3])])
        }
        #expect(mismatch?.message == "tensor 0: shape [2, 3] holds 6 values, but 3 were given")

        expectError(.shapeMismatch) { _ = try WeightsFile.encode([WeightTensor(shape: [], values: [])]) }
        expectError(.invalidArgument) {
            _ = try WeightsFile.encode([WeightTensor(shape: [Int.max, 2], values: [])])
        }
        expectError(.shapeMismatch) {
            _ = try WeightsFile.encode([WeightTensor(shape: [Int.max / 2], values: [])])
        }
    }

    @Test func hugeDimensionsNextToAZeroAreFine() throws {
        let tensors = [WeightTensor(shape: [Int.max / 2, 0, 3], values: [])]
        #expect(try WeightsFile.decode(try WeightsFile.encode(tensors), source: "memory") == tensors)
    }

    // MARK: Decoding rejects corrupt files

    @Test func truncationAtEveryOffsetIsCorrupt() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        for length in 0..<bytes.count {
            let error = expectError(.corruptFile) {
                _ = try WeightsFile.decode(Array(bytes.prefix(length)), source: "w.bin")
            }
            #expect(error?.message.hasPrefix("w.bin: ") == true)
        }
        let empty = expectError(.corruptFile) { _ = try WeightsFile.decode([], source: "w.bin") }
        #expect(empty?.message == "w.bin: truncated: the magic needs 8 bytes, 0 remain")
    }

    @Test func truncationMessageSaysWhatIsMissing() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        // Tensor 1 is [3]: its values start after 16 + (4 + 16 + 24) + (4 + 8) = 72 bytes; keep 2 of its floats.
        let values = expectError(.corruptFile) {
            _ = try WeightsFile.decode(Array(bytes.prefix(80)), source: "weights.bin")
        }
        #expect(values?.message == "weights.bin: truncated: tensor 1 (shape [3]) needs 12 bytes of values, 8 remain")

        let checksum = expectError(.corruptFile) {
            _ = try WeightsFile.decode(Array(bytes.dropLast(1)), source: "weights.bin")
        }
        #expect(checksum?.message == "weights.bin: truncated: the checksum needs 4 bytes, 3 remain")
    }

    @Test func everyFlippedBitIsCaught() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        // Values and checksum (tensor 0's values, tensor 1's values, tensor 2's value and the CRC): a flip there
        // cannot change the structure, so the checksum must catch it. Flips elsewhere are structure errors.
        let checksumOnly = [36..<60, 72..<84, 88..<96]
        #expect(bytes.count == 96)
        for offset in bytes.indices {
            for bit in 0..<8 {
                var corrupted = bytes
                corrupted[offset] ^= 1 << bit
                let error = expectError(.corruptFile) { _ = try WeightsFile.decode(corrupted, source: "w.bin") }
                guard let message = error?.message else { continue }
                switch offset {
                case 0..<8: #expect(message.contains("not an Anneal weights file"), "\(message)")
                case 8..<12: #expect(message.contains("unsupported weights file version"), "\(message)")
                default: break
                }
                if checksumOnly.contains(where: { $0.contains(offset) }) {
                    #expect(message.contains("checksum mismatch"), "offset \(offset) bit \(bit): \(message)")
                }
            }
        }
    }

    @Test func checksumMismatchMessage() throws {
        var bytes = try WeightsFile.encode([WeightTensor(shape: [2], values: [1, -2])])
        bytes[28] ^= 0x01
        let error = expectError(.corruptFile) { _ = try WeightsFile.decode(bytes, source: "w.bin") }
        #expect(
            error?.message.hasPrefix(
                "w.bin: checksum mismatch: the file stores CRC-32 0x7E918E46 but its content has 0x") == true)
    }

    @Test func wrongMagicIsNotAnAnnealFile() throws {
        let hdf5: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 32)
        let error = expectError(.corruptFile) { _ = try WeightsFile.decode(hdf5, source: "model.h5") }
        #expect(
            error?.message
                == "model.h5: not an Anneal weights file: it starts with 89 48 44 46 0D 0A 1A 0A, "
                + "expected 41 4E 4E 45 41 4C 57 00 (\"ANNEALW\\0\")")

        expectError(.corruptFile) { _ = try WeightsFile.decode(Array("ANNEALX".utf8), source: "short") }
        expectError(.corruptFile) { _ = try WeightsFile.decode(Array("hello, world\n".utf8), source: "text") }
    }

    @Test func otherVersionsAreRejected() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        for version: UInt32 in [0, 2, .max] {
            let error = expectError(.corruptFile) {
                _ = try WeightsFile.decode(patched(bytes, at: 8, version), source: "w.bin")
            }
            #expect(error?.message == "w.bin: unsupported weights file version \(version); this build reads version 1")
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        let error = expectError(.corruptFile) { _ = try WeightsFile.decode(bytes + [0, 0, 0], source: "w.bin") }
        #expect(
            error?.message
                == "w.bin: 3 trailing bytes after the checksum: the tensors end at offset \(bytes.count - 4), "
                + "so the file should be \(bytes.count) bytes, but it is \(bytes.count + 3)")
        // Even when the trailing bytes make a valid checksum of everything before them.
        expectError(.corruptFile) { _ = try WeightsFile.decode(resealed(bytes + [0, 0, 0, 0]), source: "w.bin") }
    }

    @Test func absurdSizesAreRejectedWithoutAllocating() throws {
        let bytes = try WeightsFile.encode(Self.sample)
        // Tensor count, rank of tensor 0 and its first dimension: each patched with a consistent checksum.
        let cases: [(offset: Int, value: any FixedWidthInteger, messagePrefix: String)] = [
            // Tensor 3's rank is read from the checksum's 4 bytes, so the value in the message varies.
            (12, UInt32.max, "truncated: tensor 3 "),
            (
                16, UInt32.max,
                "truncated: tensor 0 declares rank 4294967295, whose dimensions need 34359738360 bytes, 76 remain"
            ),
            (20, UInt64.max, "tensor 0: dimension 0 is 18446744073709551615, larger than the largest size \(Int.max)"),
            (
                20, UInt64(Int.max),
                "tensor 0: shape [\(Int.max), 3] has too many elements to count (the sizes overflow)"
            ),
            (
                20, UInt64(1) << 62,
                "tensor 0: shape [\(1 << 62), 3] has too many elements to count (the sizes overflow)"
            ),
            (
                20, UInt64(1) << 40,
                "truncated: tensor 0 (shape [\(1 << 40), 3]) needs \(3 << 42) bytes of values, 60 remain"
            ),
        ]
        for (offset, value, messagePrefix) in cases {
            let corrupted: [UInt8]
            switch value {
            case let value as UInt32: corrupted = patched(bytes, at: offset, value)
            case let value as UInt64: corrupted = patched(bytes, at: offset, value)
            default:
                Issue.record("unexpected width")
                continue
            }
            let error = expectError(.corruptFile) { _ = try WeightsFile.decode(corrupted, source: "w.bin") }
            #expect(error?.message.hasPrefix("w.bin: " + messagePrefix) == true, "\(error?.message ?? "")")
        }
        // A 2^32 x 2^32 shape overflows Int only after both dimensions.
        var header: [UInt8] = Array(bytes.prefix(16))
        header[12] = 1
        header[13...15] = [0, 0, 0]
        let huge = header + [2, 0, 0, 0] + [0, 0, 0, 0, 1, 0, 0, 0] + [0, 0, 0, 0, 1, 0, 0, 0] + [0, 0, 0, 0]
        let error = expectError(.corruptFile) { _ = try WeightsFile.decode(resealed(huge), source: "w.bin") }
        #expect(error?.message.contains("the sizes overflow") == true)
    }

    @Test func randomMutationsNeverCrash() throws {
        var generator = SeededGenerator(seed: 2024)
        let original = try WeightsFile.encode(Self.sample)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes[position] = 0xFF
                case 2: bytes.removeSubrange(position...)
                default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                }
                if bytes.isEmpty { break }
            }
            // Half the time, give it a valid checksum so the structure checks are exercised.
            if generator.next() % 2 == 0, bytes.count >= 4 { bytes = resealed(bytes) }
            do {
                _ = try WeightsFile.decode(bytes, source: "fuzz")
            } catch let error as AnnealError {
                #expect(error.kind == .corruptFile)
            }
        }
    }

    // MARK: Files

    @Test func writeThenReadAndReplace() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/weights.bin"
            try WeightsFile.write(Self.sample, to: path)
            #expect(try WeightsFile.read(from: path) == Self.sample)

            let replacement = [WeightTensor(shape: [1], values: [9])]
            try WeightsFile.write(replacement, to: path)
            #expect(try WeightsFile.read(from: path) == replacement)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["weights.bin"])
            #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == WeightsFile.encode(replacement))
        }
    }

    @Test func temporaryFilesGoNextToTheDestination() {
        #expect(WeightsFile.split("weights.bin") == (nil, "weights.bin"))
        #expect(WeightsFile.split("out/weights.bin") == ("out/", "weights.bin"))
        #expect(WeightsFile.split("/weights.bin") == ("/", "weights.bin"))
    }

    @Test func failedWriteLeavesThePreviousFileAndNoTemporaryFile() throws {
        try withTemporaryDirectory { directory in
            // Renaming a file over a non-empty directory fails after the temporary file was written.
            let path = directory + "/taken"
            try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
            let error = expectError(.io) { try WeightsFile.write(Self.sample, to: path) }
            #expect(error?.message.hasPrefix(path + ": cannot rename ") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["taken"])

            // Invalid tensors fail before the disk is touched, leaving an existing file as it was.
            let existing = directory + "/weights.bin"
            try WeightsFile.write(Self.sample, to: existing)
            expectError(.shapeMismatch) { try WeightsFile.write([WeightTensor(shape: [2], values: [])], to: existing) }
            #expect(try WeightsFile.read(from: existing) == Self.sample)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["taken", "weights.bin"])
        }
    }

    @Test func writeIntoAMissingDirectoryIsAnIOError() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/missing/weights.bin"
            let error = expectError(.io) { try WeightsFile.write(Self.sample, to: path) }
            #expect(error?.message.hasPrefix(path + ": cannot create temporary file ") == true)
            #expect(error?.message.hasSuffix(": No such file or directory") == true)
        }
    }

    @Test func readErrors() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/nope.bin"
            let error = expectError(.io) { _ = try WeightsFile.read(from: missing) }
            #expect(error?.message == missing + ": cannot open weights file: No such file or directory")

            expectError(.io) { _ = try WeightsFile.read(from: directory) }  // a directory: EISDIR on read

            let corrupt = directory + "/corrupt.bin"
            try Data(try WeightsFile.encode(Self.sample).dropLast(2)).write(to: URL(fileURLWithPath: corrupt))
            let truncated = expectError(.corruptFile) { _ = try WeightsFile.read(from: corrupt) }
            #expect(truncated?.message == corrupt + ": truncated: the checksum needs 4 bytes, 2 remain")
        }
    }

    @Test func badPathsAreInvalidArguments() {
        expectError(.invalidArgument) { try WeightsFile.write(Self.sample, to: "") }
        expectError(.invalidArgument) { try WeightsFile.write(Self.sample, to: "a\u{0}b") }
        expectError(.invalidArgument) { _ = try WeightsFile.read(from: "a\u{0}b") }
    }
}
