import Foundation
import Testing
import Anneal

/// Losses read from probabilities (an output that is not the loss's natural link) clip as Keras's backend
/// does, which the gradient checks cannot see: they only compare the model with itself.
@Suite("Loss values on the probability path")
struct LossTests {
    /// A model whose outputs are `relu(x)` or `x` itself: one Dense layer with an identity kernel and no bias.
    static func identity(_ units: Int, activation: Activation, loss: Loss) throws -> Sequential {
        let model = Sequential(seed: 1)
        try model.add(Dense(units, activation: activation, useBias: false, inputDimension: units))
        let kernel = (0..<(units * units)).map { Float($0 / units == $0 % units ? 1 : 0) }
        try model.setWeights([WeightTensor(shape: [units, units], values: kernel)])
        try model.compile(optimizer: SGD(), loss: loss)
        return model
    }

    static let epsilon: Float = 1e-7

    @Test("sparse_categorical_crossentropy clips each output first, then normalises (log-softmax of log p)")
    func sparseClipsThenNormalises() throws {
        // Outputs [2, 0.5, 0], class 0. Keras: p = clip(a) = [1 - 1e-7, 0.5, 1e-7];
        // loss = -log_softmax(log p)[0] = log(sum p) - log(p0) = log(1.5) - log(1 - 1e-7) = 0.4054652...
        let model = try Self.identity(3, activation: .relu, loss: .sparseCategoricalCrossentropy)
        let x = try Matrix([[2, 0.5, -1]])
        let p: [Float] = [1 - Self.epsilon, 0.5, Self.epsilon]
        let expected = Double(Foundation.log(p.reduce(0, +)) - Foundation.log(p[0]))
        let loss = try #require(try model.evaluate(x, Matrix(column: [0]))["loss"])
        #expect(isClose(loss, expected, tolerance: Tolerance.float32), "\(loss) vs Keras \(expected)")
        // Unclipped outputs give the same value as the categorical loss on one-hot labels.
        let inside = try Matrix([[0.6, 0.3, 0.1]])
        let sparse = try #require(try model.evaluate(inside, Matrix(column: [1]))["loss"])
        #expect(isClose(sparse, -log(0.3), tolerance: Tolerance.float32))
    }

    @Test("categorical_crossentropy normalises first, then clips")
    func categoricalNormalisesThenClips() throws {
        // Outputs [2, 0.5, 0], one-hot class 0: p = a / sum(a) = [0.8, 0.2, 0] -> clip -> loss = -log(0.8).
        let model = try Self.identity(3, activation: .relu, loss: .categoricalCrossentropy)
        let loss = try #require(try model.evaluate(try Matrix([[2, 0.5, -1]]), try Matrix([[1, 0, 0]]))["loss"])
        #expect(isClose(loss, -log(0.8), tolerance: Tolerance.float32))
    }

    @Test("binary_crossentropy on probabilities clips to [1e-7, 1 - 1e-7] and adds 1e-7 inside the logs")
    func binaryClips() throws {
        // Output 1.5 with label 0: p = 1 - 1e-7 (in float32), loss = -log(1 - p + 1e-7), all in float32 as Keras.
        let model = try Self.identity(1, activation: .linear, loss: .binaryCrossentropy)
        let p = 1 - Self.epsilon
        let expected = Double(-Foundation.log(1 - p + Self.epsilon))
        let loss = try #require(try model.evaluate(try Matrix([[1.5]]), Matrix(column: [0]))["loss"])
        #expect(isClose(loss, expected, tolerance: Tolerance.float32), "\(loss) vs Keras \(expected)")
    }
}
