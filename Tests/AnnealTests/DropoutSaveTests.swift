import Foundation
import Testing
@testable import Anneal

/// Whole-model save and load of models with Dropout: the layers come back in order with their rates and
/// seeds, and each mask stream goes on where it stood, so a loaded model trains on bit for bit as the
/// uninterrupted one; a damaged `dropout` record is a corrupt file.
@Suite("Model save and load with Dropout")
struct DropoutSaveTests {
    /// Dropout(0.2, seed 9) on the inputs -> Dense(8, tanh) -> Dropout(0.3) -> Dense(3, relu) -> Dropout(0)
    /// -> Dense(1, sigmoid): a seeded stream, a derived one and an identity Dropout that has no stream.
    static func model(_ optimizer: Optimizer, seed: UInt64 = 21) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dropout(rate: 0.2, seed: 9))
        try model.add(Dense(8, activation: .tanh, inputDimension: 34))
        try model.add(Dropout(rate: 0.3))
        try model.add(Dense(3, activation: .relu))
        try model.add(Dropout(rate: 0))
        try model.add(Dense(1, activation: .sigmoid))
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    static let optimizers: [(String, @Sendable () throws -> Optimizer)] = [
        ("SGD momentum", { try SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002) }),
        ("Adam", { try Adam(learningRate: 0.01) }),
        ("RMSprop centered", { try RMSprop(learningRate: 0.01, momentum: 0.5, centered: true) }),
    ]

    @Test("save, load, fit on: bit-identical to the uninterrupted run", arguments: 0..<optimizers.count)
    func resumesExactly(_ index: Int) throws {
        let (label, make) = Self.optimizers[index]
        let data = try Support.ionosphere()
        let x = data.featureMatrix, y = data.labelMatrix
        let straight = try Self.model(try make())
        _ = try straight.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/model.anneal"
            try straight.save(to: path)
            let resumed = try Sequential(contentsOf: path)
            #expect(resumed.stack == straight.stack, "\(label): layers")
            #expect(try resumed.describe().text == straight.describe().text, "\(label): description")
            let expected = try straight.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            let history = try resumed.fit(x, y, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
            #expect(ModelSaveTests.bits(resumed.getWeights()) == ModelSaveTests.bits(straight.getWeights()),
                    "\(label): weights after fit differ")
            #expect(history["loss"] == expected["loss"] && history["val_loss"] == expected["val_loss"], "\(label): losses")
        }
    }

    @Test("the dropout records: rate, seed or none, Keras's names, a state only where masks are drawn")
    func describesDropout() throws {
        let model = try Self.model(try Adam())
        let records = try model.describe().all("dropout")
        #expect(records.map { $0["rate"] } == ["0.2", "0.3", "0.0"])
        #expect(records.map { $0["seed"] } == ["9", "none", "none"])
        #expect(records.map { $0["name"] } == ["dropout", "dropout_1", "dropout_2"])
        #expect(records.map { $0["state"] != nil } == [true, true, false])
        // In the order added: the first record after the generator is the input Dropout.
        #expect(try model.describe().records.map(\.kind).prefix(8)
                == ["anneal-model", "generator", "dropout", "layer", "dropout", "layer", "dropout", "layer"])
        // The state is the stream's current one: it moves when fit draws masks.
        let before = records[1]["state"]
        let data = try Support.ionosphere()
        _ = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 1, batchSize: 64, verbose: 0)
        #expect(try model.describe().all("dropout")[1]["state"] != before)
    }

    @Test("a damaged dropout record is a corrupt file naming the record and the field")
    func refusesBadRecords() throws {
        let model = try Self.model(try Adam())
        let text = try model.describe().text
        let cases: [(String, String, [String])] = [
            ("rate=0.3", "rate=1.0", ["dropout", "rate"]),
            ("rate=0.3", "rate=x", ["dropout", "rate=x"]),
            ("seed=9", "seed=-1", ["dropout", "seed=-1"]),
            ("seed=9", "speed=9", ["dropout", "missing field 'seed'"]),
        ]
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/m"
            for (old, new, fragments) in cases {
                try ModelFile.write(description: text.replacing(old, with: new), tensors: model.getWeights(), to: path)
                expectAnnealError(.corruptFile, mentioning: [path] + fragments) { _ = try Sequential(contentsOf: path) }
            }
            let state = try #require(try model.describe().all("dropout")[0]["state"])
            for bad in ["0,0,0,0", "1,2,3", "1,2,3,x"] {
                try ModelFile.write(description: text.replacing("state=\(state)", with: "state=\(bad)"),
                                    tensors: model.getWeights(), to: path)
                expectAnnealError(.corruptFile, mentioning: [path, "dropout", "state"]) { _ = try Sequential(contentsOf: path) }
            }
        }
    }
}
