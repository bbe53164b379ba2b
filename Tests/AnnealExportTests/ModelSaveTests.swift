import CAnneal
import Foundation
import Testing

/// Whole-model save and load through the C API: a model saved with anneal_model_save and loaded with
/// anneal_model_load trains on bit for bit as the saved one; the statuses of bad arguments and files.
@Suite("Model save and load through the C API")
struct ModelSaveCAPITests {
    static func weights(_ model: OpaquePointer?) -> [[UInt32]] {
        var count: Int32 = 0
        ok(anneal_model_weight_count(model, &count))
        return (0..<count).map { index in
            var rank: Int32 = 0
            var dims = [Int64](repeating: 0, count: 2)
            var size: Int64 = 0
            ok(anneal_model_weight_shape(model, index, &rank, &dims, 2, &size))
            var values = [Float](repeating: .nan, count: Int(size))
            ok(anneal_model_get_weight(model, index, &values, size))
            return values.map(\.bitPattern)
        }
    }

    @Test("SGD with momentum and Adam resume exactly", arguments: ["sgd", "adam"])
    func resumes(name: String) throws {
        var model: OpaquePointer?
        ok(anneal_model_create(5, &model))
        ok(addDense(model, 34, ANNEAL_ACTIVATION_RELU, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 34))
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, ANNEAL_INITIALIZER_NORMAL, ANNEAL_INITIALIZER_ZEROS, true, 0))
        if name == "sgd" {
            var sgd: OpaquePointer?
            ok(anneal_sgd_create(0.1, 0.8, 0.002, false, &sgd))
            ok(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0))
            anneal_sgd_free(sgd)
        } else {
            var adam: OpaquePointer?
            ok(anneal_optimizer_adam(0.01, 0.9, 0.999, 1e-7, true, 0, nil, &adam))
            ok(compileOptimizer(model, adam, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0))
            anneal_optimizer_free(adam)
        }
        defer { anneal_model_free(model) }
        let data = try CData.ionosphere()
        ok(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 2, 28, 0.33, true, nil, nil, nil, nil, nil))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-capi-\(UUID().uuidString)").path
        defer { unlink(path) }
        ok(anneal_model_save(model, path))
        var loaded: OpaquePointer?
        ok(anneal_model_load(path, &loaded))
        defer { anneal_model_free(loaded) }
        #expect(Self.weights(loaded) == Self.weights(model))
        var iterations: (Int64, Int64) = (0, -1)
        ok(anneal_model_iterations(model, &iterations.0))
        ok(anneal_model_iterations(loaded, &iterations.1))
        #expect(iterations.0 == iterations.1)
        for handle in [model, loaded] {
            ok(fitArrays(handle, data.x, data.rows, data.columns, data.y, 1, 2, 28, 0.33, true, nil, nil, nil, nil, nil))
        }
        #expect(Self.weights(loaded) == Self.weights(model), "\(name): the loaded model trained on differently")

        var length: Int64 = 0
        ok(anneal_model_description(loaded, nil, 0, &length))
        var text = [CChar](repeating: 0, count: Int(length) + 1)
        ok(anneal_model_description(loaded, &text, length + 1, &length))
        #expect(String(cString: text).contains(name == "sgd" ? "optimizer class=SGD learning_rate=0.1 decay=0.002 momentum=0.8"
                                                             : "optimizer class=Adam learning_rate=0.01"))
    }

    @Test("bad arguments and files are statuses naming the argument or the file")
    func statuses() throws {
        var loaded: OpaquePointer? = OpaquePointer(bitPattern: 1)
        #expect(anneal_model_load(nil, &loaded) == ANNEAL_E_NULL_POINTER)
        #expect(loaded == nil)
        #expect(Support.lastError.contains("path"))
        #expect(anneal_model_load("/nonexistent/model.anneal", nil) == ANNEAL_E_NULL_POINTER)
        #expect(anneal_model_load("/nonexistent/model.anneal", &loaded) == ANNEAL_E_IO)
        #expect(Support.lastError.contains("/nonexistent/model.anneal"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-capi-\(UUID().uuidString)").path
        defer { unlink(path) }
        try Data("ANNEALM\0garbage that is not a model".utf8).write(to: URL(fileURLWithPath: path))
        #expect(anneal_model_load(path, &loaded) == ANNEAL_E_CORRUPT_FILE)
        #expect(loaded == nil)
        #expect(Support.lastError.contains(path))
        #expect(anneal_model_save(nil, path) == ANNEAL_E_INVALID_HANDLE)
        var model: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        #expect(anneal_model_save(model, nil) == ANNEAL_E_NULL_POINTER)
        #expect(anneal_model_save(model, "/nonexistent/dir/m") == ANNEAL_E_IO)
        var small = [CChar](repeating: 0, count: 4)
        #expect(anneal_model_description(model, &small, 4, nil) == ANNEAL_E_BUFFER_TOO_SMALL)
    }
}
