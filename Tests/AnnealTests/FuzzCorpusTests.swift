import Foundation
import Testing

@testable import Anneal

/// The fuzzers' seed corpus (`fuzz/corpus/`), replayed in the normal suite with the fuzz targets' checks.
///
/// A crash that `fuzz/run.sh` finds is added to `fuzz/corpus/<target>/` (named for what it shows) and gets a
/// named test here, so it keeps being checked without the fuzzer. Input format as in `fuzz/csv/FuzzCSV.swift`
/// and `fuzz/weights/FuzzWeights.swift`: the first byte holds options, the rest is the file.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    static func corpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = Support.packageRoot.appendingPathComponent("fuzz/corpus/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test("every CSV seed loads or throws an AnnealError, and a loaded dataset keeps its promises")
    func csvSeeds() throws {
        let seeds = try Self.corpus("csv")
        #expect(seeds.count >= 10)
        for (name, input) in seeds {
            guard let options = input.first else { continue }
            let header: Dataset.Header = [.auto, .present, .absent, .auto][Int(options & 3)]
            let delimiter: Character = [",", ";", "\t", "|"][Int((options >> 2) & 3)]
            do {
                let data = try Dataset(
                    csvBytes: Array(input.dropFirst()), sourceName: name, labelColumn: Int(options >> 4) - 3,
                    header: header, delimiter: delimiter)
                #expect(data.features.count == data.rowCount * data.featureCount, "\(name)")
                #expect(data.features.allSatisfy(\.isFinite) && data.labels.allSatisfy(\.isFinite), "\(name)")
            } catch let error as AnnealError {
                #expect(error.message.hasPrefix(name), "\(name): \(error.message)")
            }
        }
    }

    @Test("every weights seed decodes to tensors that encode back to the same bytes, or is corruptFile")
    func weightsSeeds() throws {
        let seeds = try Self.corpus("weights")
        #expect(seeds.count >= 10)
        var decoded = 0
        for (name, input) in seeds {
            guard let mode = input.first else { continue }
            var bytes = Array(input.dropFirst())
            if mode & 1 == 1, bytes.count >= 4 {
                let crc = WeightsFile.crc32(bytes.dropLast(4))
                for index in 0..<4 { bytes[bytes.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
            }
            do {
                let tensors = try WeightsFile.decode(bytes, source: name)
                #expect(try WeightsFile.encode(tensors) == bytes, "\(name)")
                decoded += 1
            } catch let error as AnnealError {
                #expect(error.kind == .corruptFile, "\(name): \(error.message)")
                #expect(error.message.hasPrefix("\(name): "), "\(name): \(error.message)")
            }
        }
        #expect(decoded >= 3, "the corpus keeps some valid files")
    }
}
