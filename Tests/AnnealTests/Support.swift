import Foundation
import Anneal
import Testing

/// Paths and loaders shared by the tests.
enum Support {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let ionospherePath = packageRoot.appendingPathComponent("examples/data/ionosphere.csv").path

    static func ionosphere() throws -> Dataset { try Dataset(csvFile: ionospherePath) }

    /// A golden run recorded from real Keras (`time`, `step`, `base`, `adam`, `rmsprop`, `adagrad`), from the test fixtures.
    static func golden(_ name: String) throws -> GoldenRun {
        let url = packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures/\(name).json")
        return try GoldenRun(data: Data(contentsOf: url))
    }

    /// The tutorial's network: Dense(34, relu, 'normal') -> Dense(1, sigmoid, 'normal').
    static func tutorialModel(seed: UInt64) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        return model
    }

    /// The tutorial's step decay, written as the tutorial writes it.
    static func tutorialStepDecay(_ epoch: Int) -> Double {
        0.1 * pow(0.5, ((1 + Double(epoch)) / 10).rounded(.down))
    }
}

/// One recorded Keras training run (see Fixtures/README.md).
struct GoldenRun {
    let optimizer: [String: Any]
    let initialWeights: [WeightTensor]
    let finalWeights: [WeightTensor]
    let history: [String: [Double]]
    let lrAfterEpoch: [Double]
    let firstValidationPredictions: [Double]

    init(data: Data) throws {
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        optimizer = root["optimizer"] as? [String: Any] ?? [:]
        initialWeights = Self.tensors(root["initial_weights"])
        finalWeights = Self.tensors(root["final_weights"])
        history = (root["history"] as? [String: [Double]]) ?? [:]
        lrAfterEpoch = root["lr_after_epoch"] as? [Double] ?? []
        firstValidationPredictions = root["first_val_predictions"] as? [Double] ?? []
    }

    func number(_ key: String) -> Double { (optimizer[key] as? Double) ?? 0 }

    /// The run's optimizer with its recorded arguments (Keras's defaults for the others).
    func makeOptimizer() throws -> Optimizer {
        let rate = Float(number("learning_rate"))
        let decay = Float(number("decay"))
        switch optimizer["name"] as? String {
        case "Adam": return try Adam(learningRate: rate, decay: decay)
        case "RMSprop": return try RMSprop(learningRate: rate, decay: decay)
        case "Adagrad": return try Adagrad(learningRate: rate, decay: decay)
        default: return try SGD(learningRate: rate, momentum: Float(number("momentum")), nesterov: false, decay: decay)
        }
    }

    private static func tensors(_ value: Any?) -> [WeightTensor] {
        guard let list = value as? [Any] else { return [] }
        return list.map { item in
            if let matrix = item as? [[Double]] {
                return WeightTensor(shape: [matrix.count, matrix.first?.count ?? 0], values: matrix.flatMap { $0.map(Float.init) })
            }
            let vector = item as? [Double] ?? []
            return WeightTensor(shape: [vector.count], values: vector.map(Float.init))
        }
    }
}

extension Support {
    /// `rows x columns` values drawn uniformly from `range` with a fixed seed: reproducible test data.
    static func randomMatrix(rows: Int, columns: Int, in range: ClosedRange<Double> = -1...1, seed: UInt64) throws -> Matrix {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<(rows * columns)).map { _ in
            Float(range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnit())
        }
        return try Matrix(rows: rows, columns: columns, values: values)
    }

    /// A helper executable of this package (Tests/Helpers), built by `swift build` / `swift test` next to the
    /// test binary (or in a parent directory); nil when it is not there.
    static func builtExecutable(_ name: String) -> URL? {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// A fresh empty directory that is removed when `body` returns.
    static func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url.path)
    }
}

/// Expects `body` to throw an `AnnealError` of `kind` whose message contains every one of `fragments`,
/// and returns the error.
@discardableResult
func expectAnnealError(
    _ kind: AnnealError.Kind, mentioning fragments: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> AnnealError? {
    do {
        try body()
        Issue.record("expected an AnnealError(.\(kind)), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as AnnealError {
        #expect(error.kind == kind, "\(error.kind): \(error.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "message \"\(error.message)\" does not mention \"\(fragment)\"",
                    sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected an AnnealError(.\(kind)), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
