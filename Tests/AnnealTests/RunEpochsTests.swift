import Testing
import Anneal

/// `TrainingSession.runEpochs`: epochs trained in one call, their values written into the caller's span.
@Suite("runEpochs")
struct RunEpochsTests {
    /// The tutorial's model on the ionosphere data, a third held out, fresh from `seed`.
    static func session(seed: UInt64) throws -> TrainingSession {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: seed)
        try model.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.8, decay: 0.001), loss: .binaryCrossentropy,
                          metrics: ["accuracy"])
        return try TrainingSession(model: model, x: data.featureMatrix, y: data.labelMatrix, batchSize: 28,
                                   validationSplit: 0.33, seed: 9)
    }

    @Test("writes each epoch's epochLogs values, bit for bit, and leaves the rest of the span alone")
    func values() throws {
        let session = try Self.session(seed: 4)
        let width = session.epochValueCount
        #expect(session.epochLogKeys == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr"])
        var values = [Double](repeating: -1, count: 3 * width + 1)
        var room = values.mutableSpan
        #expect(try session.runEpochs(3, into: &room) == 3)
        let twin = try Self.session(seed: 4)
        var expected: [Double] = []
        for _ in 0..<3 {
            _ = try twin.trainEpoch()
            expected += twin.epochLogs().values
        }
        #expect(values[..<(3 * width)].map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(values[3 * width] == -1)
        // The session's own running values (computed on the helper thread's side during the run) are the last
        // epoch's afterwards, as trainEpoch leaves them.
        #expect(session.runningLogs().values.map(\.bitPattern) == twin.runningLogs().values.map(\.bitPattern))
    }

    @Test("with sample weights and a weighted metric, each epoch's values are the epoch loop's, bit for bit")
    func weighted() throws {
        func make() throws -> TrainingSession {
            let data = try Support.ionosphere()
            let model = try Support.tutorialModel(seed: 6)
            try model.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.8), loss: .binaryCrossentropy,
                              metrics: ["accuracy"], weightedMetrics: ["accuracy"])
            let session = try TrainingSession(model: model, x: data.featureMatrix, y: data.labelMatrix, batchSize: 28,
                                              validationSplit: 0.33, seed: 3)
            try session.setSampleWeights((0..<session.trainingRows).map { Float(1 + $0 % 3) / 2 })
            return session
        }
        let session = try make(), twin = try make()
        var values = [Double](repeating: 0, count: 4 * session.epochValueCount)
        var room = values.mutableSpan
        #expect(try session.runEpochs(4, into: &room) == 4)
        var expected: [Double] = []
        for _ in 0..<4 {
            _ = try twin.trainEpoch()
            expected += twin.epochLogs().values
        }
        #expect(values.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test("a span too small for the epochs, or a negative count, is refused before any training")
    func refused() throws {
        let session = try Self.session(seed: 5)
        var values = [Double](repeating: 0, count: 2 * session.epochValueCount - 1)
        var room = values.mutableSpan
        expectAnnealError(.shapeMismatch, mentioning: ["2 epochs"]) { _ = try session.runEpochs(2, into: &room) }
        expectAnnealError(.invalidArgument, mentioning: ["epochs=-1"]) { _ = try session.runEpochs(-1, into: &room) }
        #expect(session.model.optimizer?.iterations == 0)
    }
}
