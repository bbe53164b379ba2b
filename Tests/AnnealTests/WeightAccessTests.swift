import Testing
import Anneal

/// One weight read or replaced alone (`getWeight`, `setWeight`): the same tensors as `getWeights` and
/// `setWeights`, the same checks, and a refused one changes nothing.
@Suite("One weight at a time")
struct WeightAccessTests {
    /// Dense(3) on 2 inputs, then Dense(1) without a bias: weights [2, 3], [3], [3, 1].
    static func model() throws -> Sequential {
        let model = Sequential(seed: 3)
        try model.add(Dense(3, activation: .relu, inputDimension: 2))
        try model.add(Dense(1, activation: .sigmoid, useBias: false))
        return model
    }

    @Test("getWeight(i) is getWeights()[i]; setWeight(i) changes weight i only")
    func oneWeight() throws {
        let model = try Self.model()
        let all = model.getWeights()
        #expect(all.map(\.shape) == [[2, 3], [3], [3, 1]])
        for index in all.indices { #expect(try model.getWeight(index) == all[index]) }
        let bias = WeightTensor(shape: [3], values: [0.5, -1, 2])
        try model.setWeight(1, to: bias)
        #expect(model.getWeights() == [all[0], bias, all[2]])
    }

    @Test("a refused weight leaves every weight as it was, with setWeights' messages")
    func refused() throws {
        let model = try Self.model()
        let before = model.getWeights()
        expectAnnealError(.shapeMismatch, mentioning: ["weight 1", "[3]"]) {
            try model.setWeight(1, to: WeightTensor(shape: [2], values: [1, 2]))
        }
        expectAnnealError(.nonFinite, mentioning: ["weight 2", "flat index 1"]) {
            try model.setWeight(2, to: WeightTensor(shape: [3, 1], values: [1, .nan, 3]))
        }
        expectAnnealError(.invalidArgument, mentioning: ["weight index 3"]) {
            try model.setWeight(3, to: WeightTensor(shape: [1], values: [1]))
        }
        expectAnnealError(.invalidArgument, mentioning: ["weight index -1"]) { _ = try model.getWeight(-1) }
        #expect(model.getWeights() == before)
        let unbuilt = Sequential(seed: 1)
        try unbuilt.add(Dense(1))
        expectAnnealError(.invalidState, mentioning: ["not built"]) {
            try unbuilt.setWeight(0, to: WeightTensor(shape: [1, 1], values: [1]))
        }
    }
}
