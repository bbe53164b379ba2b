import Anneal
import CAnneal
import Foundation
import Testing

/// `anneal_model_add_dropout`: its statuses, and the same masks (so the same trained bits) as Swift's
/// `Dropout` for the same model seed and layer seed; a model with Dropout saved and loaded through C trains on
/// bit for bit.
@Suite("Dropout through the C API")
struct DropoutCAPITests {
    static let rows = 40
    static let x: [Float] = (0..<(rows * 5)).map { Float(($0 * 37) % 17) / 8 - 1 }
    static let y: [Float] = (0..<rows).map { Float(($0 * 7) % 3) }

    /// Dense(6, tanh) -> Dropout(0.4, layerSeed) -> Dense(3, softmax), SGD(0.1, momentum 0.9), 3 epochs of
    /// batch 8 shuffled with seed 9, built and trained through C; its weights.
    static func trainedThroughC(modelSeed: UInt64, layerSeed: UInt64?) throws -> [Float] {
        var model: OpaquePointer?, sgd: OpaquePointer?
        ok(anneal_model_create(modelSeed, &model))
        defer { anneal_model_free(model) }
        ok(anneal_sgd_create(0.1, 0.9, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        ok(addDense(model, 6, ANNEAL_ACTIVATION_TANH, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                  ANNEAL_INITIALIZER_ZEROS, true, 5))
        if var seed = layerSeed {
            ok(anneal_model_add_dropout(model, 0.4, &seed))
        } else {
            ok(anneal_model_add_dropout(model, 0.4, nil))
        }
        ok(addDense(model, 3, ANNEAL_ACTIVATION_SOFTMAX, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                  ANNEAL_INITIALIZER_ZEROS, true, 0))
        var count: Int32 = 0
        ok(anneal_model_layer_count(model, &count))
        #expect(count == 3)
        ok(compileSGD(model, sgd, ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, nil, 0))
        var shuffleSeed: UInt64 = 9
        ok(fitArrays(model, x, Int64(rows), 5, y, 1, 3, 8, 0, true, &shuffleSeed, nil, nil, nil, nil))
        return weights(of: model)
    }

    /// Every weight of `model`, flat in order.
    static func weights(of model: OpaquePointer?) -> [Float] {
        var weights: [Float] = []
        var count: Int32 = 0
        ok(anneal_model_weight_count(model, &count))
        for index in 0..<count {
            var size: Int64 = 0, rank: Int32 = 0
            var dims = [Int64](repeating: 0, count: 2)
            ok(anneal_model_weight_shape(model, index, &rank, &dims, 2, &size))
            var values = [Float](repeating: 0, count: Int(size))
            ok(anneal_model_get_weight(model, index, &values, size))
            weights += values
        }
        return weights
    }

    static func trainedInSwift(modelSeed: UInt64, layerSeed: UInt64?) throws -> [Float] {
        let model = Sequential(seed: modelSeed)
        try model.add(Dense(6, activation: .tanh, inputDimension: 5))
        try model.add(Dropout(rate: 0.4, seed: layerSeed))
        try model.add(Dense(3, activation: .softmax))
        try model.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.9), loss: .sparseCategoricalCrossentropy)
        try model.fit(try Matrix(rows: rows, columns: 5, values: x), Matrix(column: y), epochs: 3, batchSize: 8,
                      verbose: 0, seed: 9)
        return model.getWeights().flatMap(\.values)
    }

    @Test("C and Swift give the same bits for the same seeds; another layer seed gives others")
    func sameBitsAsSwift() throws {
        let derived = try Self.trainedThroughC(modelSeed: 7, layerSeed: nil)
        #expect(derived == (try Self.trainedInSwift(modelSeed: 7, layerSeed: nil)))
        #expect(derived == (try Self.trainedThroughC(modelSeed: 7, layerSeed: nil)))
        let seeded = try Self.trainedThroughC(modelSeed: 7, layerSeed: 123)
        #expect(seeded == (try Self.trainedInSwift(modelSeed: 7, layerSeed: 123)))
        #expect(seeded != derived)
    }

    @Test("anneal_model_save then anneal_model_load: the Dropout streams go on, training goes on bit for bit")
    func savesAndLoads() throws {
        var model: OpaquePointer?, adam: OpaquePointer?
        ok(anneal_model_create(3, &model))
        defer { anneal_model_free(model) }
        ok(anneal_optimizer_adam(0.01, 0.9, 0.999, 1e-7, false, 0, nil, &adam))
        defer { anneal_optimizer_free(adam) }
        var layerSeed: UInt64 = 5
        ok(anneal_model_add_dropout(model, 0.2, &layerSeed))
        ok(addDense(model, 6, ANNEAL_ACTIVATION_TANH, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                  ANNEAL_INITIALIZER_ZEROS, true, 5))
        ok(anneal_model_add_dropout(model, 0.4, nil))
        ok(addDense(model, 3, ANNEAL_ACTIVATION_SOFTMAX, ANNEAL_INITIALIZER_GLOROT_UNIFORM,
                                  ANNEAL_INITIALIZER_ZEROS, true, 0))
        ok(compileOptimizer(model, adam, ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, nil, 0))
        var shuffleSeed: UInt64 = 4
        ok(fitArrays(model, Self.x, Int64(Self.rows), 5, Self.y, 1, 2, 8, 0, true, &shuffleSeed, nil, nil, nil, nil))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-dropout-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        ok(anneal_model_save(model, path))
        var loaded: OpaquePointer?
        ok(anneal_model_load(path, &loaded))
        defer { anneal_model_free(loaded) }
        var count: Int32 = 0
        ok(anneal_model_layer_count(loaded, &count))
        #expect(count == 4)
        #expect(Self.weights(of: loaded) == Self.weights(of: model))
        for each in [model, loaded] {
            ok(fitArrays(each, Self.x, Int64(Self.rows), 5, Self.y, 1, 2, 8, 0, true, &shuffleSeed, nil, nil, nil, nil))
        }
        #expect(Self.weights(of: loaded) == Self.weights(of: model))
    }

    @Test("statuses: bad handle, rate outside [0, 1), after compile, a Dropout last at compile")
    func statuses() throws {
        fails(anneal_model_add_dropout(nil, 0.5, nil), ANNEAL_E_INVALID_HANDLE, "NULL model")
        var model: OpaquePointer?, sgd: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        ok(anneal_sgd_create(0.1, 0, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        for rate in [-0.5, 1, 2, Double.nan, Double.infinity] {
            fails(anneal_model_add_dropout(model, rate, nil), ANNEAL_E_INVALID_ARGUMENT, "rate \(rate)")
        }
        ok(anneal_model_add_dropout(model, 0, nil))  // first, on the inputs; rate 0 is the identity
        ok(addDense(model, 4, ANNEAL_ACTIVATION_RELU, 0, 1, true, 3))
        ok(anneal_model_add_dropout(model, 0.5, nil))
        fails(compileSGD(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR, nil, 0), ANNEAL_E_INVALID_ARGUMENT,
              "compile with a Dropout last")
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, 0, 1, true, 0))
        ok(compileSGD(model, sgd, ANNEAL_LOSS_MEAN_SQUARED_ERROR, nil, 0))
        fails(anneal_model_add_dropout(model, 0.5, nil), ANNEAL_E_INVALID_STATE, "after compile")
        var count: Int32 = 0
        ok(anneal_model_layer_count(model, &count))
        #expect(count == 4)
    }
}
