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

    /// A golden run recorded from real Keras, from the test fixtures: `Fixtures/golden/` (the further runs, see
    /// its README) or, failing that, `Fixtures/` (`time`, `step`, `base`, `adam`, `rmsprop`, `adagrad`).
    static func golden(_ name: String) throws -> GoldenRun {
        let fixtures = packageRoot.appendingPathComponent("Tests/AnnealTests/Fixtures")
        let further = fixtures.appendingPathComponent("golden/\(name).json")
        let url = FileManager.default.fileExists(atPath: further.path)
            ? further : fixtures.appendingPathComponent("\(name).json")
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
    /// The outputs for the first validation rows after training, row after row.
    let firstValidationPredictions: [Double]
    /// The network: each Dense layer's units and activation (kernels 'normal', biases zero).
    let layers: [(units: Int, activation: String)]
    let loss: Loss
    /// The metrics given to `compile`, each with the name History gives it.
    let metrics: [(name: String, metric: Metric)]

    init(data: Data) throws {
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        optimizer = root["optimizer"] as? [String: Any] ?? [:]
        initialWeights = Self.tensors(root["initial_weights"])
        finalWeights = Self.tensors(root["final_weights"])
        history = Self.history(root["history"])
        lrAfterEpoch = root["lr_after_epoch"] as? [Double] ?? []
        let predictions = root["first_val_predictions"] as? [Any] ?? []
        firstValidationPredictions = predictions.flatMap { $0 as? [Double] ?? [$0 as? Double ?? .nan] }
        layers = (root["layers"] as? [[String: Any]] ?? [])
            .map { ($0["units"] as? Int ?? 0, $0["activation"] as? String ?? "linear") }
        loss = try Self.loss(root["loss"] ?? "binary_crossentropy")
        metrics = try (root["metrics"] as? [Any] ?? ["accuracy"]).flatMap(Self.metrics)
    }

    func number(_ key: String) -> Double { (optimizer[key] as? Double) ?? 0 }

    func flag(_ key: String) -> Bool { (optimizer[key] as? Bool) ?? false }

    /// The recorded `learning_rate` when Keras was given a schedule (`{"class": "ExponentialDecay", ...}`).
    func schedule() throws -> (any LearningRateSchedule)? {
        guard let config = optimizer["learning_rate"] as? [String: Any] else { return nil }
        try #require(config["class"] as? String == "ExponentialDecay", "no replay for the schedule \(config)")
        return try ExponentialDecay(
            initialRate: config["initial_learning_rate"] as? Double ?? .nan, decaySteps: config["decay_steps"] as? Int ?? 0,
            decayRate: config["decay_rate"] as? Double ?? .nan, staircase: config["staircase"] as? Bool ?? false)
    }

    /// The run's optimizer with its recorded arguments (Keras's defaults for the others).
    func makeOptimizer() throws -> Optimizer {
        let rate = Float(number("learning_rate"))
        let decay = Float(number("decay"))
        let momentum = Float(number("momentum"))
        let amsgrad = flag("amsgrad")
        let centered = flag("centered")
        let schedule = try schedule()
        switch optimizer["name"] as? String {
        case "Adam":
            if let schedule { return try Adam(schedule: schedule, amsgrad: amsgrad, decay: decay) }
            return try Adam(learningRate: rate, amsgrad: amsgrad, decay: decay)
        case "RMSprop": return try RMSprop(learningRate: rate, momentum: momentum, centered: centered, decay: decay)
        case "Adagrad": return try Adagrad(learningRate: rate, decay: decay)
        case "Adadelta": return try Adadelta(learningRate: rate, decay: decay)
        case "Adamax": return try Adamax(learningRate: rate, decay: decay)
        case "Nadam": return try Nadam(learningRate: rate)
        default: return try SGD(learningRate: rate, momentum: momentum, nesterov: false, decay: decay)
        }
    }

    /// A recorded loss: a name given to `compile`, or a loss object as `{"class": "Huber", "delta": ...}`.
    private static func loss(_ value: Any) throws -> Loss {
        if let name = value as? String { return try Loss(name: name) }
        let config = value as? [String: Any] ?? [:]
        try #require(config["class"] as? String == "Huber", "no replay for the loss \(config)")
        return Loss(.huber, delta: Float(config["delta"] as? Double ?? 1))
    }

    /// History as Anneal logs it: a key of numbers as recorded; a key of arrays (a metric of several
    /// thresholds), one key `name[i]` per value (see `Logs.entries`).
    static func history(_ value: Any?) -> [String: [Double]] {
        var found: [String: [Double]] = [:]
        for (key, values) in value as? [String: [Any]] ?? [:] {
            if let rows = values as? [[Double]] {
                for index in rows.first?.indices ?? 0..<0 { found[Logs.elementKey(key, index)] = rows.map { $0[index] } }
            } else {
                found[key] = values as? [Double] ?? []
            }
        }
        return found
    }

    /// A recorded metric as compiled: a name given to `compile`, or a metric object as `{"class": "AUC",
    /// "name": ...}`; a Precision or Recall of several thresholds is one metric per threshold.
    private static func metrics(_ value: Any) throws -> [(name: String, metric: Metric)] {
        let config = value as? [String: Any] ?? [:]
        if let thresholds = (config["thresholds"] as? [Double])?.map(Float.init), config["class"] as? String != "AUC" {
            let name = config["name"] as? String ?? ""
            let topK = config["top_k"] as? Int, classId = config["class_id"] as? Int
            let precision = config["class"] as? String == "Precision"
            return Metric.perThreshold(name, thresholds: thresholds) {
                precision ? .precision(threshold: $0, topK: topK, classId: classId) : .recall(threshold: $0, topK: topK, classId: classId)
            }
        }
        return [try metric(value)]
    }

    /// A recorded metric: a name given to `compile`, or a metric object as `{"class": "AUC", "name": ...}`.
    private static func metric(_ value: Any) throws -> (name: String, metric: Metric) {
        if let name = value as? String { return (name, try Metric(name: name)) }
        let config = value as? [String: Any] ?? [:]
        let name = config["name"] as? String ?? ""
        switch config["class"] as? String {
        case "AUC":
            let curve: Metric.Curve = config["curve"] as? String == "PR" ? .pr : .roc
            let summation = Metric.Summation(rawValue: config["summation_method"] as? String ?? "interpolation") ?? .interpolation
            let multiLabel = config["multi_label"] as? Bool ?? false, fromLogits = config["from_logits"] as? Bool ?? false
            let labelWeights = (config["label_weights"] as? [Double])?.map(Float.init)
            if let values = (config["thresholds"] as? [Double])?.map(Float.init) {
                return (name, .auc(thresholdValues: values, curve: curve, multiLabel: multiLabel, labelWeights: labelWeights,
                                   summation: summation, fromLogits: fromLogits))
            }
            return (name, .auc(thresholds: config["num_thresholds"] as? Int ?? 200, curve: curve, multiLabel: multiLabel,
                               labelWeights: labelWeights, summation: summation, fromLogits: fromLogits))
        case "TopKCategoricalAccuracy": return (name, .topKCategoricalAccuracy(k: config["k"] as? Int ?? 5))
        case "Precision", "Recall":
            let topK = config["top_k"] as? Int, classId = config["class_id"] as? Int
            // Keras's default threshold: 0.5, or -1e10 with top_k.
            let threshold = Float(config["thresholds"] as? Double ?? (topK == nil ? 0.5 : -1e10))
            return (name, config["class"] as? String == "Precision" ? .precision(threshold: threshold, topK: topK, classId: classId)
                    : .recall(threshold: threshold, topK: topK, classId: classId))
        default:
            try #require(Bool(false), "no replay for the metric \(config)")
            return (name, .accuracy)
        }
    }

    /// The run's network for `inputs` features (the weights come from `initialWeights`), compiled as recorded.
    func makeModel(inputs: Int) throws -> Sequential {
        let model = Sequential(seed: 1)
        for (index, layer) in layers.enumerated() {
            try model.add(Dense(layer.units, activation: Activation(name: layer.activation), kernelInitializer: .normal(),
                                inputDimension: index == 0 ? inputs : nil))
        }
        try model.setWeights(initialWeights)
        try model.compile(optimizer: makeOptimizer(), loss: loss, namedMetrics: metrics)
        return model
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

    /// Runs the helper executable at `helper` with `environment` added to this process's; its exit status and
    /// standard output.
    static func runHelper(_ helper: URL, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = helper
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
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
