import Foundation
import Testing
@testable import Anneal

/// Whole-model save and load: a model saved mid-training and loaded goes on training bit for bit as the
/// uninterrupted one, for every optimizer and the settings that add state; corrupt files are refused whole.
@Suite("Model save and load")
struct ModelSaveTests {
    /// Every optimizer, with the variants that keep more state (momentum, Nesterov, amsgrad, centered) and a
    /// saved schedule.
    static let optimizers: [(String, @Sendable () throws -> Optimizer)] = [
        ("SGD", { try SGD(learningRate: 0.1) }),
        ("SGD momentum decay", { try SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002) }),
        ("SGD nesterov", { try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) }),
        ("SGD schedule", { try SGD(schedule: ExponentialDecay(initialRate: 0.1, decaySteps: 7, decayRate: 0.9), momentum: 0.5) }),
        ("Adam", { try Adam(learningRate: 0.01) }),
        ("Adam amsgrad decay", { try Adam(learningRate: 0.01, amsgrad: true, decay: 0.01) }),
        ("Adam cosine", { try Adam(schedule: CosineDecay(initialRate: 0.01, decaySteps: 40, warmupTarget: 0.02, warmupSteps: 5)) }),
        ("RMSprop", { try RMSprop(learningRate: 0.01) }),
        ("RMSprop momentum centered", { try RMSprop(learningRate: 0.01, momentum: 0.5, centered: true) }),
        ("Adagrad", { try Adagrad(learningRate: 0.05, initialAccumulatorValue: 0.2) }),
        ("Adadelta", { try Adadelta(learningRate: 1, rho: 0.9) }),
        ("Adamax", { try Adamax(learningRate: 0.02, decay: 0.001) }),
        ("Nadam", { try Nadam(learningRate: 0.01) }),
        ("Adam piecewise", { try Adam(schedule: PiecewiseConstantDecay(boundaries: [10, 20], values: [0.01, 0.005, 0.001])) }),
    ]

    static func model(_ optimizer: Optimizer, seed: UInt64 = 11) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dense(8, activation: .tanh, kernelInitializer: .normal(mean: 0, stddev: 0.1), inputDimension: 34))
        try model.add(Dense(3, activation: .relu, biasInitializer: .constant(0.01)))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .uniform(minimum: -0.2, maximum: 0.2)))
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    static func bits(_ tensors: [WeightTensor]) -> [[UInt32]] { tensors.map { $0.values.map(\.bitPattern) } }

    @Test("save, load, fit on: bit-identical to the uninterrupted run", arguments: 0..<optimizers.count)
    func resumesExactly(_ index: Int) throws {
        let (label, make) = Self.optimizers[index]
        let data = try Support.ionosphere()
        let x = data.featureMatrix, y = data.labelMatrix
        // Two fits of two epochs (each fit draws its own shuffling stream from the model's generator): the
        // uninterrupted run is the saved model going on in memory.
        let straight = try Self.model(try make())
        _ = try straight.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/model.anneal"
            try straight.save(to: path)
            let resumed = try Sequential(contentsOf: path)
            #expect(Self.bits(resumed.getWeights()) == Self.bits(straight.getWeights()), "\(label): weights")
            #expect(resumed.optimizer?.iterations == straight.optimizer?.iterations, "\(label): iterations")
            for name in straight.optimizer?.stateNames ?? [] {
                #expect(resumed.optimizer?.stateValues(name)?.map(\.bitPattern)
                        == straight.optimizer?.stateValues(name)?.map(\.bitPattern), "\(label): state \(name)")
            }
            let expected = try straight.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            let history = try resumed.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            let same = Self.bits(resumed.getWeights()) == Self.bits(straight.getWeights())
            #expect(same, "\(label): weights after fit differ")
            #expect(history["loss"] == expected["loss"] && history["val_loss"] == expected["val_loss"], "\(label): losses")
            #expect(history["loss"]?.count == 2)
            #expect(resumed.metricNames == ["accuracy"])
            #expect(resumed.optimizer?.name == straight.optimizer?.name)
        }
    }

    @Test("the description round-trips: arguments, initializers, names and the generator")
    func describesEverything() throws {
        let model = try Self.model(try RMSprop(learningRate: 0.003, rho: 0.8, momentum: 0.3, epsilon: 1e-6, centered: true))
        let text = try model.describe().text
        #expect(text.contains("optimizer class=RMSprop learning_rate=0.003 decay=0.0 rho=0.8 momentum=0.3 epsilon=1e-06 centered=true"))
        #expect(text.contains("kernel_initializer=normal(0.0,0.1)"))
        #expect(text.contains("bias_initializer=constant(0.01)"))
        #expect(text.contains("compile loss=binary_crossentropy from_logits=false label_smoothing=0.0 delta=1.0 metrics=accuracy"))
        #expect(text.contains("name=dense_2"))
        #expect(try ModelDescription(parsing: text, source: "x") == model.describe())
        try Support.withTemporaryDirectory { directory in
            try model.save(to: directory + "/m")
            let loaded = try Sequential(contentsOf: directory + "/m")
            #expect(loaded.layers == model.layers)
            #expect(try loaded.describe().text == text)
        }
    }

    @Test("an uncompiled, unbuilt model saves and loads; loadWeights reads a model file's weights")
    func uncompiledAndWeights() throws {
        let model = Sequential(seed: 3)
        try model.add(Dense(4, activation: .softmax))
        try Support.withTemporaryDirectory { directory in
            try model.save(to: directory + "/empty")
            let loaded = try Sequential(contentsOf: directory + "/empty")
            #expect(!loaded.isBuilt && !loaded.isCompiled && loaded.layers == model.layers)

            let trained = try Self.model(try Adam())
            try trained.save(to: directory + "/adam")
            let other = try Self.model(try SGD(), seed: 99)
            try other.loadWeights(from: directory + "/adam")
            #expect(Self.bits(other.getWeights()) == Self.bits(trained.getWeights()))
        }
    }

    @Test("a corrupt, truncated or missing file is an error naming the file, and nothing is loaded")
    func refusesBadFiles() throws {
        let data = try Support.ionosphere()
        let model = try Self.model(try Adam())
        _ = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 1, verbose: 0)
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/model.anneal"
            try model.save(to: path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            expectAnnealError(.io, mentioning: [directory + "/missing"]) { _ = try Sequential(contentsOf: directory + "/missing") }
            bytes[40] ^= 1
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            expectAnnealError(.corruptFile, mentioning: [path, "checksum"]) { _ = try Sequential(contentsOf: path) }
            for length in [0, 7, 19, 200, bytes.count - 1] {
                try Data(bytes.prefix(length)).write(to: URL(fileURLWithPath: path))
                expectAnnealError(.corruptFile, mentioning: [path]) { _ = try Sequential(contentsOf: path) }
            }
            // A weights file is not a model file.
            try model.saveWeights(to: path)
            expectAnnealError(.corruptFile, mentioning: [path, "not an Anneal model file"]) { _ = try Sequential(contentsOf: path) }
            // A well-formed file whose description is wrong (checksum recomputed).
            let text = try model.describe().text.replacing("units=8", with: "units=9")
            try ModelFile.write(description: text, tensors: model.getWeights(), to: path)
            expectAnnealError(.corruptFile, mentioning: [path]) { _ = try Sequential(contentsOf: path) }
            // A description promising a huge layer is refused before anything is allocated.
            let huge = try model.describe().text.replacing("units=8", with: "units=4000000000000")
            try ModelFile.write(description: huge, tensors: model.getWeights(), to: path)
            expectAnnealError(.corruptFile, mentioning: [path, "shape"]) { _ = try Sequential(contentsOf: path) }
        }
    }

    @Test("a schedule the file cannot hold is refused at save, naming it")
    func refusesClosureSchedules() throws {
        let model = try Self.model(try SGD(schedule: ClosureSchedule(unit: .update) { _ in 0.1 }))
        try Support.withTemporaryDirectory { directory in
            expectAnnealError(.invalidState, mentioning: ["ClosureSchedule"]) { try model.save(to: directory + "/m") }
            #expect(!FileManager.default.fileExists(atPath: directory + "/m"))
        }
    }

    @Test("setState checks the buffers against the optimizer and the model")
    func setStateChecks() throws {
        let adam = try Adam()
        expectAnnealError(.invalidArgument, mentioning: ["iterations"]) { try adam.setState(iterations: -1, values: [:], parameterCount: 2) }
        expectAnnealError(.invalidArgument, mentioning: ["m, v"]) { try adam.setState(iterations: 1, values: ["m": [0, 0]], parameterCount: 2) }
        expectAnnealError(.shapeMismatch) { try adam.setState(iterations: 1, values: ["m": [0], "v": [0, 0]], parameterCount: 2) }
        try adam.setState(iterations: 5, values: ["m": [1, 2], "v": [3, 4]], parameterCount: 2)
        #expect(adam.iterations == 5 && adam.stateValues("v") == [3, 4])
    }
}
