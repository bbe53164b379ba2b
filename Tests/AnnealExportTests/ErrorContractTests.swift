import Anneal
import CAnneal
import Foundation
import Testing

/// Every NULL, bad size, bad enum, bad handle and wrong-order call returns its documented status and leaves a
/// message in anneal_last_error().
@Suite("C error contract")
struct ErrorContractTests {
    let data: CData

    init() throws { data = try CData.ionosphere() }

    // MARK: Version and status text

    @Test func versionMatchesHeader() throws {
        #expect(anneal_version_number() == ANNEAL_VERSION_NUMBER)
        #expect(ANNEAL_VERSION_NUMBER == ANNEAL_VERSION_MAJOR * 10000 + ANNEAL_VERSION_MINOR * 100 + ANNEAL_VERSION_PATCH)
        let header = try String(contentsOf: Support.header, encoding: .utf8)
        let version = String(cString: anneal_version_string())
        #expect(header.contains("#define ANNEAL_VERSION_STRING \"\(version)\""))
        #expect(version == "\(ANNEAL_VERSION_MAJOR).\(ANNEAL_VERSION_MINOR).\(ANNEAL_VERSION_PATCH)")
    }

    @Test func statusStrings() {
        let texts = (ANNEAL_OK...ANNEAL_E_INTERNAL).map { String(cString: anneal_status_string($0)) }
        #expect(Set(texts).count == texts.count)
        #expect(!texts.contains("unknown status"))
        #expect(String(cString: anneal_status_string(-1)) == "unknown status")
        #expect(String(cString: anneal_status_string(ANNEAL_E_INTERNAL + 1)) == "unknown status")
    }

    @Test func lastErrorIsClearedBySuccessAndPerThread() throws {
        var model: OpaquePointer?
        fails(anneal_model_create(1, nil), ANNEAL_E_NULL_POINTER, "create with NULL out")
        #expect(Support.lastError.contains("out_model"))
        // Status text and version calls leave the message alone.
        _ = anneal_status_string(ANNEAL_OK)
        _ = anneal_version_number()
        #expect(!Support.lastError.isEmpty)
        // Another thread has its own message.
        let other = Thread { if !Support.lastError.isEmpty { Issue.record("another thread saw this thread's error") } }
        other.start()
        while !other.isFinished { usleep(1000) }
        ok(anneal_model_create(1, &model))
        #expect(Support.lastError.isEmpty)
        anneal_model_free(model)
    }

    // MARK: Handles

    @Test func invalidHandles() throws {
        var rows: Int64 = 0
        fails(anneal_dataset_rows(nil, &rows), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        var dataset: OpaquePointer?
        ok(anneal_dataset_load_csv(Support.ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, &dataset))
        ok(anneal_dataset_rows(dataset, &rows))
        #expect(rows == 351)
        var count: Int32 = 0
        fails(anneal_model_layer_count(dataset, &count), ANNEAL_E_INVALID_HANDLE, "dataset passed as a model")
        anneal_dataset_free(dataset)
        fails(anneal_dataset_rows(dataset, &rows), ANNEAL_E_INVALID_HANDLE, "freed dataset")
        anneal_dataset_free(dataset)  // double free: nothing
        anneal_dataset_free(nil)
        anneal_model_free(nil); anneal_sgd_free(nil); anneal_schedule_free(nil); anneal_session_free(nil); anneal_history_free(nil)
        let madeUp = OpaquePointer(bitPattern: 0x1234_5678)
        fails(anneal_model_layer_count(madeUp, &count), ANNEAL_E_INVALID_HANDLE, "made-up handle")
        anneal_model_free(madeUp)
        #expect(rows == 351, "a failed call must leave out-parameters untouched")
    }

    @Test func failedConstructorsWriteNull() throws {
        let garbage = OpaquePointer(bitPattern: 0xDEAD_BEEF)
        var out: OpaquePointer? = garbage
        fails(anneal_dataset_load_csv("/no/such/file.csv", -1, ANNEAL_CSV_HEADER_AUTO, &out), ANNEAL_E_IO, "missing file")
        #expect(out == nil)
        out = garbage
        fails(anneal_sgd_create(0.1, 1.5, 0, false, &out), ANNEAL_E_INVALID_ARGUMENT, "momentum 1.5")
        #expect(Support.lastError.contains("momentum must be between [0, 1]. Received: momentum=1.5"))
        #expect(out == nil)
        out = garbage
        fails(anneal_schedule_step_decay(-0.1, 0.5, 10, ANNEAL_UNIT_DEFAULT, &out), ANNEAL_E_INVALID_ARGUMENT, "negative rate")
        #expect(out == nil)
        out = garbage
        fails(anneal_session_create(nil, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, true, nil, &out),
              ANNEAL_E_INVALID_HANDLE, "session of NULL model")
        #expect(out == nil)
        for (name, status) in [
            ("dataset", anneal_dataset_load_csv(Support.ionosphere, -1, 0, nil)),
            ("sgd", anneal_sgd_create(0.1, 0, 0, false, nil)),
            ("schedule", anneal_schedule_constant(0.1, 0, nil)),
            ("model", anneal_model_create(0, nil)),
        ] {
            fails(status, ANNEAL_E_NULL_POINTER, "\(name) with NULL out")
        }
    }

    // MARK: Dataset

    @Test func datasetQueriesAndBuffers() throws {
        var dataset: OpaquePointer?
        ok(anneal_dataset_load_csv(Support.ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, &dataset))
        defer { anneal_dataset_free(dataset) }
        var classes: Int32 = 0
        ok(anneal_dataset_class_count(dataset, &classes))
        #expect(classes == 2)
        var length: Int64 = -1
        ok(anneal_dataset_class_name(dataset, 1, nil, 0, &length))  // size query
        #expect(length == 1)
        var small = [CChar](repeating: 7, count: 1)
        fails(anneal_dataset_class_name(dataset, 1, &small, 1, &length), ANNEAL_E_BUFFER_TOO_SMALL, "1-byte name buffer")
        #expect(small == [7] && length == 1)
        var name = [CChar](repeating: 0, count: 8)
        ok(anneal_dataset_class_name(dataset, 0, &name, 8, nil))
        #expect(text(name) == "b")
        ok(anneal_dataset_class_name(dataset, 1, &name, 8, nil))
        #expect(text(name) == "g")
        fails(anneal_dataset_class_name(dataset, 2, &name, 8, nil), ANNEAL_E_INVALID_ARGUMENT, "class 2 of 2")
        fails(anneal_dataset_class_name(dataset, -1, &name, 8, nil), ANNEAL_E_INVALID_ARGUMENT, "class -1")
        fails(anneal_dataset_class_name(dataset, 0, nil, 8, nil), ANNEAL_E_NULL_POINTER, "NULL buffer, capacity 8")
        fails(anneal_dataset_class_name(dataset, 0, &name, -1, nil), ANNEAL_E_INVALID_ARGUMENT, "negative capacity")
        fails(anneal_dataset_feature_name(dataset, 0, &name, 8, nil), ANNEAL_E_INVALID_STATE, "no header")
        var features = [Float](repeating: 0, count: 351 * 34)
        fails(anneal_dataset_copy_features(dataset, &features, Int64(features.count - 1)), ANNEAL_E_BUFFER_TOO_SMALL, "features")
        fails(anneal_dataset_copy_features(dataset, nil, Int64(features.count)), ANNEAL_E_NULL_POINTER, "NULL features")
        fails(anneal_dataset_copy_labels(dataset, &features, -5), ANNEAL_E_BUFFER_TOO_SMALL, "negative capacity")
        ok(anneal_dataset_copy_features(dataset, &features, Int64(features.count)))
        #expect(features == data.x)
        fails(anneal_dataset_load_csv(Support.ionosphere, -1, 3, &dataset), ANNEAL_E_INVALID_ARGUMENT, "header mode 3")
        #expect(dataset == nil)
    }

    @Test func datasetParseErrorsAndCreate() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.csv")
        try "a,b,label\n1,2,x\n3,oops,y\n".write(to: file, atomically: true, encoding: .utf8)
        var dataset: OpaquePointer?
        fails(anneal_dataset_load_csv(file.path, -1, ANNEAL_CSV_HEADER_PRESENT, &dataset), ANNEAL_E_PARSE, "bad cell")
        #expect(Support.lastError.contains("bad.csv:3:2"))
        try "a,b,label\n1,2,x\n3,4,y\n".write(to: file, atomically: true, encoding: .utf8)
        ok(anneal_dataset_load_csv(file.path, -1, ANNEAL_CSV_HEADER_AUTO, &dataset))
        var name = [CChar](repeating: 0, count: 4)
        ok(anneal_dataset_feature_name(dataset, 1, &name, 4, nil))
        #expect(text(name) == "b")
        anneal_dataset_free(dataset)
        let invalidUTF8: [CChar] = [CChar(bitPattern: 0xFF), 0]
        fails(anneal_dataset_load_csv(invalidUTF8, -1, 0, &dataset), ANNEAL_E_INVALID_ARGUMENT, "invalid UTF-8 path")
        fails(anneal_dataset_load_csv(nil, -1, 0, &dataset), ANNEAL_E_NULL_POINTER, "NULL path")

        let x: [Float] = [1, 2, 3, 4], y: [Float] = [0, 1]
        ok(anneal_dataset_create(x, y, 2, 2, &dataset))
        var classes: Int32 = -1
        ok(anneal_dataset_class_count(dataset, &classes))
        #expect(classes == 0)
        anneal_dataset_free(dataset)
        fails(anneal_dataset_create(x, y, 0, 2, &dataset), ANNEAL_E_INVALID_ARGUMENT, "0 rows")
        fails(anneal_dataset_create(x, y, Int64.max, 2, &dataset), ANNEAL_E_INVALID_ARGUMENT, "overflowing rows")
        fails(anneal_dataset_create(x, y, 2, -2, &dataset), ANNEAL_E_INVALID_ARGUMENT, "negative width")
        fails(anneal_dataset_create([1, .nan, 3, 4], y, 2, 2, &dataset), ANNEAL_E_NON_FINITE, "NaN feature")
        fails(anneal_dataset_create(nil, y, 2, 2, &dataset), ANNEAL_E_NULL_POINTER, "NULL features")
    }

    // MARK: Model

    @Test func modelWrongOrderAndBadArguments() throws {
        var model: OpaquePointer?, sgd: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        ok(anneal_sgd_create(0.1, 0, 0, false, &sgd))
        defer { anneal_sgd_free(sgd) }
        var rate = 0.0, count: Int32 = 0
        fails(compileSGD(model, sgd, ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0), ANNEAL_E_INVALID_STATE, "compile without layers")
        fails(anneal_model_build(model, 4), ANNEAL_E_INVALID_STATE, "build without layers")
        fails(anneal_model_learning_rate(model, &rate), ANNEAL_E_INVALID_STATE, "rate before compile")
        fails(addDense(model, 4, 99, 0, 1, true, 3), ANNEAL_E_INVALID_ARGUMENT, "activation 99")
        fails(addDense(model, 4, 0, -1, 1, true, 3), ANNEAL_E_INVALID_ARGUMENT, "kernel initializer -1")
        fails(addDense(model, 4, 0, 0, 11, true, 3), ANNEAL_E_INVALID_ARGUMENT, "bias initializer 11")
        fails(addDense(model, 0, 0, 0, 1, true, 3), ANNEAL_E_INVALID_ARGUMENT, "0 units")
        fails(addDense(model, 4, 0, 0, 1, true, -3), ANNEAL_E_INVALID_ARGUMENT, "input_dim -3")
        ok(addDense(model, 4, ANNEAL_ACTIVATION_RELU, 0, 1, true, 0))
        fails(anneal_model_set_weight(model, 0, [1], 1), ANNEAL_E_INVALID_STATE, "set weight before build")
        ok(anneal_model_weight_count(model, &count))
        #expect(count == 0)
        fails(anneal_model_build(model, 0), ANNEAL_E_INVALID_ARGUMENT, "build(0)")
        ok(anneal_model_build(model, 3))
        fails(anneal_model_build(model, 5), ANNEAL_E_SHAPE_MISMATCH, "rebuild for another width")
        fails(addDense(model, 2, 2, 0, 1, true, 5), ANNEAL_E_SHAPE_MISMATCH, "input_dim 5 after 4 units")
        ok(addDense(model, 2, ANNEAL_ACTIVATION_SOFTMAX, 0, 1, true, 0))
        fails(compileSGD(model, sgd, 99, nil, 0), ANNEAL_E_INVALID_ARGUMENT, "loss 99")
        fails(anneal_model_set_loss_options(model, false, 0, 1), ANNEAL_E_INVALID_STATE, "loss options before compile")
        fails(anneal_model_set_activation(model, 2, ANNEAL_ACTIVATION_ELU, 0), ANNEAL_E_INVALID_ARGUMENT, "layer 2 of 2")
        fails(anneal_model_set_activation(model, -1, ANNEAL_ACTIVATION_ELU, 0), ANNEAL_E_INVALID_ARGUMENT, "layer -1")
        fails(anneal_model_set_activation(model, 0, 99, 0), ANNEAL_E_INVALID_ARGUMENT, "activation 99")
        fails(anneal_model_set_activation(model, 0, ANNEAL_ACTIVATION_LEAKY_RELU, .nan), ANNEAL_E_INVALID_ARGUMENT,
              "leaky alpha NaN")
        ok(anneal_model_set_activation(model, 0, ANNEAL_ACTIVATION_LEAKY_RELU, 0.3))
        fails(anneal_model_set_activation(nil, 0, ANNEAL_ACTIVATION_ELU, 0), ANNEAL_E_INVALID_HANDLE, "NULL model")
        fails(compileSGD(model, sgd, 0, nil, 1), ANNEAL_E_NULL_POINTER, "NULL metrics, count 1")
        fails(compileSGD(model, sgd, 0, nil, -1), ANNEAL_E_INVALID_ARGUMENT, "metric count -1")
        var nullMetric: [UnsafePointer<CChar>?] = [nil]
        fails(compileSGD(model, sgd, 0, &nullMetric, 1), ANNEAL_E_NULL_POINTER, "NULL metric name")
        var both = compileOptions(0, nil, 0)
        both.sgd = sgd
        both.optimizer = sgd
        fails(anneal_model_compile(model, &both), ANNEAL_E_INVALID_ARGUMENT, "both optimizer and sgd")
        fails(anneal_model_compile(model, nil), ANNEAL_E_NULL_POINTER, "NULL options")
        let x: [Float] = [1, 2, 3, 4, 5, 6], y: [Float] = [0, 1]
        var history: OpaquePointer?
        fails(fitArrays(model, x, 2, 3, y, 1, 1, 1, 0, false, nil, nil, nil, nil, &history), ANNEAL_E_INVALID_STATE,
              "fit before compile")
        #expect(history == nil)
        let accuracy = strdup("accuracy")
        defer { free(accuracy) }
        var metrics: [UnsafePointer<CChar>?] = [UnsafePointer(accuracy)]
        ok(compileSGD(model, sgd, ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, &metrics, 1))
        fails(addDense(model, 2, 0, 0, 1, true, 0), ANNEAL_E_INVALID_STATE, "add after compile")
        ok(anneal_model_metric_count(model, &count))
        #expect(count == 1)
        fails(anneal_model_set_activation(model, 0, ANNEAL_ACTIVATION_ELU, 0), ANNEAL_E_INVALID_STATE, "activation after compile")
        fails(anneal_model_set_loss_options(model, false, 1.5, 1), ANNEAL_E_INVALID_ARGUMENT, "label_smoothing 1.5")
        fails(anneal_model_set_loss_options(model, false, 0.1, 1), ANNEAL_E_INVALID_ARGUMENT, "smoothing a sparse loss")
        fails(anneal_model_set_loss_options(model, false, 0, .infinity), ANNEAL_E_INVALID_ARGUMENT, "delta inf")
        ok(anneal_model_set_loss_options(model, true, 0, 1))
        ok(anneal_model_set_loss_options(model, false, 0, 1))
        fails(anneal_model_set_metric(model, 1, "auc", "auc", 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "metric 1 of 1")
        fails(anneal_model_set_metric(model, 0, nil, "auc", 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_NULL_POINTER, "NULL metric")
        fails(anneal_model_set_metric(model, 0, "auc", nil, 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_NULL_POINTER, "NULL name")
        fails(anneal_model_set_metric(model, 0, "auc", "", 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "empty name")
        fails(anneal_model_set_metric(model, 0, "f1", "f1", 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "unknown metric")
        fails(anneal_model_set_metric(model, 0, "auc", "auc", .nan, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "threshold NaN")
        fails(anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 0, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "k 0")
        fails(anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 1, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT, "1 threshold")
        fails(anneal_model_set_metric(model, 0, "auc", "auc", 0.5, 5, 200, 7), ANNEAL_E_INVALID_ARGUMENT, "curve 7")
        // The sparse loss's labels are class indices: a metric reading one column per output cannot follow it.
        fails(anneal_model_set_metric(model, 0, "mae", "mae", 0.5, 5, 200, ANNEAL_CURVE_ROC), ANNEAL_E_INVALID_ARGUMENT,
              "mae on class indices")
        ok(anneal_model_set_metric(model, 0, "sparse_top_k_categorical_accuracy", "top1", 0.5, 1, 200, ANNEAL_CURVE_ROC))
        var nameBuffer = [CChar](repeating: 0, count: 16)
        var nameLength: Int64 = 0
        ok(anneal_model_metric_name(model, 0, &nameBuffer, 16, &nameLength))
        #expect(String(cString: nameBuffer) == "top1")
        ok(anneal_model_set_metric(model, 0, "accuracy", "accuracy", 0.5, 5, 200, ANNEAL_CURVE_ROC))

        // Sizes and buffers.
        var out = [Float](repeating: 0, count: 4)
        fails(anneal_model_predict(model, x, 2, 3, 32, &out, 3), ANNEAL_E_BUFFER_TOO_SMALL, "predict capacity 3 for 4")
        fails(anneal_model_predict(model, x, -1, 3, 32, &out, 4), ANNEAL_E_INVALID_ARGUMENT, "rows -1")
        fails(anneal_model_predict(model, x, 2, 0, 32, &out, 4), ANNEAL_E_INVALID_ARGUMENT, "cols 0")
        fails(anneal_model_predict(model, x, Int64.max / 2, 3, 32, &out, 4), ANNEAL_E_INVALID_ARGUMENT, "overflowing rows")
        // The capacity is checked before anything is read or allocated; a caller that claims room for the
        // outputs gets the copy of x refused instead.
        fails(anneal_model_predict(model, x, 1 << 60 / 3, 3, 32, &out, 4), ANNEAL_E_BUFFER_TOO_SMALL, "impossible size, small out")
        fails(anneal_model_predict(model, x, 1 << 60 / 3, 3, 32, &out, .max), ANNEAL_E_OUT_OF_MEMORY, "impossible size")
        #expect(Support.lastError.hasPrefix("anneal_model_predict: could not allocate "), "\(Support.lastError)")
        fails(anneal_model_predict(model, x, 2, 3, 0, &out, 4), ANNEAL_E_INVALID_ARGUMENT, "batch size 0")
        fails(anneal_model_predict(model, x, 3, 2, 32, &out, 4), ANNEAL_E_SHAPE_MISMATCH, "2 columns for 3 inputs")
        fails(anneal_model_predict(model, nil, 2, 3, 32, &out, 4), ANNEAL_E_NULL_POINTER, "NULL x")
        fails(anneal_model_predict(model, x, 2, 3, 32, nil, 4), ANNEAL_E_NULL_POINTER, "NULL out")
        fails(anneal_model_predict(model, [1, 2, .infinity, 4, 5, 6], 2, 3, 32, &out, 4), ANNEAL_E_NON_FINITE, "inf input")
        ok(anneal_model_predict(model, x, 2, 3, 32, &out, 4))
        #expect(abs(out[0] + out[1] - 1) < 1e-6)
        var values = [Double](repeating: 0, count: 2)
        var valueCount: Int32 = 0
        fails(anneal_model_evaluate(model, x, 2, 3, y, 1, 32, &values, 1, &valueCount), ANNEAL_E_BUFFER_TOO_SMALL, "evaluate capacity 1")
        #expect(valueCount == 2)
        fails(anneal_model_evaluate(model, x, 2, 3, [0, 5], 1, 32, &values, 2, nil), ANNEAL_E_INVALID_ARGUMENT, "class 5 of 2")
        // 2 rows x 2 label columns: the buffer must hold 4 floats (the library reads rows * y_cols of them).
        fails(anneal_model_evaluate(model, x, 2, 3, [0, 1, 1, 0], 2, 32, &values, 2, nil), ANNEAL_E_SHAPE_MISMATCH,
              "2 label columns")
        ok(anneal_model_evaluate(model, x, 2, 3, y, 1, 32, &values, 2, &valueCount))

        // Learning rate.
        fails(anneal_model_set_learning_rate(model, -1), ANNEAL_E_INVALID_ARGUMENT, "rate -1")
        fails(anneal_model_set_learning_rate(model, .nan), ANNEAL_E_INVALID_ARGUMENT, "rate NaN")
        ok(anneal_model_set_learning_rate(model, 0.25))
        ok(anneal_model_learning_rate(model, &rate))
        #expect(rate == 0.25)
        fails(anneal_model_learning_rate(model, nil), ANNEAL_E_NULL_POINTER, "NULL out_rate")
    }

    @Test func weightsThroughC() throws {
        let model = tutorialModel(seed: 9, learningRate: 0.1, momentum: 0)
        defer { anneal_model_free(model) }
        var count: Int32 = 0, rank: Int32 = 0
        var dims = [Int64](repeating: 0, count: 2), size: Int64 = 0
        ok(anneal_model_weight_count(model, &count))
        #expect(count == 4)
        ok(anneal_model_weight_shape(model, 0, &rank, &dims, 2, &size))
        #expect(rank == 2 && dims == [34, 34] && size == 34 * 34)
        ok(anneal_model_weight_shape(model, 3, &rank, &dims, 2, &size))
        #expect(rank == 1 && dims[0] == 1 && size == 1)
        fails(anneal_model_weight_shape(model, 0, &rank, &dims, 1, nil), ANNEAL_E_BUFFER_TOO_SMALL, "1 dim for rank 2")
        fails(anneal_model_weight_shape(model, 4, &rank, &dims, 2, nil), ANNEAL_E_INVALID_ARGUMENT, "weight 4 of 4")
        fails(anneal_model_weight_shape(model, 0, nil, &dims, 2, nil), ANNEAL_E_NULL_POINTER, "NULL rank")
        var kernel = [Float](repeating: 0, count: 34 * 34)
        fails(anneal_model_get_weight(model, 0, &kernel, 34), ANNEAL_E_BUFFER_TOO_SMALL, "kernel into 34")
        ok(anneal_model_get_weight(model, 0, &kernel, Int64(kernel.count)))
        fails(anneal_model_set_weight(model, 0, kernel, 34), ANNEAL_E_SHAPE_MISMATCH, "34 values for 34x34")
        var poisoned = kernel
        poisoned[5] = .nan
        fails(anneal_model_set_weight(model, 0, poisoned, Int64(poisoned.count)), ANNEAL_E_NON_FINITE, "NaN weight")
        fails(anneal_model_set_weight(model, 0, nil, 1), ANNEAL_E_NULL_POINTER, "NULL values")
        var unchanged = [Float](repeating: .nan, count: kernel.count)
        ok(anneal_model_get_weight(model, 0, &unchanged, Int64(unchanged.count)))
        #expect(unchanged.map(\.bitPattern) == kernel.map(\.bitPattern), "a refused anneal_model_set_weight changed the weight")

        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("w.bin").path
        ok(anneal_model_save_weights(model, path))
        var changed = kernel
        changed[0] += 1
        ok(anneal_model_set_weight(model, 0, changed, Int64(changed.count)))
        ok(anneal_model_load_weights(model, path))
        var reloaded = kernel
        ok(anneal_model_get_weight(model, 0, &reloaded, Int64(reloaded.count)))
        #expect(reloaded.map(\.bitPattern) == kernel.map(\.bitPattern))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        fails(anneal_model_load_weights(model, path), ANNEAL_E_CORRUPT_FILE, "3-byte weights file")
        fails(anneal_model_load_weights(model, directory.appendingPathComponent("none.bin").path), ANNEAL_E_IO, "missing file")
        fails(anneal_model_save_weights(model, nil), ANNEAL_E_NULL_POINTER, "NULL path")
        fails(anneal_model_save_weights(model, "/no/such/dir/w.bin"), ANNEAL_E_IO, "unwritable path")
    }

    @Test("messages use the C functions' argument names and types, and file errors name the file")
    func messagesInCsWords() throws {
        var out: OpaquePointer?
        fails(anneal_schedule_step_decay(0.1, 0.5, 0, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "epochs_drop 0")
        #expect(Support.lastError == "epochs_drop must be positive. Received: epochs_drop=0.0")
        fails(anneal_schedule_exponential_decay(0.1, 0, 0.9, false, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "decay_steps 0")
        #expect(Support.lastError == "decay_steps must be positive. Received: decay_steps=0")
        fails(anneal_schedule_exponential_decay(-1, 10, 0.9, false, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "initial_rate -1")
        #expect(Support.lastError.hasPrefix("initial_rate must be"))
        fails(anneal_schedule_multi_step_lr(0.1, [30, 10], 2, 0.1, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "milestones {30, 10}")
        #expect(Support.lastError == "milestones must be sorted (non-decreasing): milestones[1] = 10 follows milestones[0] = 30. Received: milestones=[30, 10]")
        ok(anneal_schedule_multi_step_lr(0.1, [10, 10, 30], 3, 0.5, 0, &out))
        var rate = 0.0
        ok(anneal_schedule_rate(out, 10, &rate))
        #expect(rate == 0.1 * 0.5 * 0.5, "a milestone given twice drops the rate twice, as in PyTorch")
        anneal_schedule_free(out)
        fails(anneal_sgd_create(0.1, 1.0000001, 0, false, &out), ANNEAL_E_INVALID_ARGUMENT, "momentum just above 1")
        #expect(Support.lastError == "momentum must be between [0, 1]. Received: momentum=1.0000001")

        var model: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        var dataset: OpaquePointer?
        ok(anneal_dataset_create([1, 2], [0], 1, 2, &dataset))
        defer { anneal_dataset_free(dataset) }
        var count: Int32 = 0
        fails(anneal_model_layer_count(dataset, &count), ANNEAL_E_INVALID_HANDLE, "a dataset as a model")
        #expect(Support.lastError == "model is an anneal_dataset handle, expected an anneal_model handle")
        fails(anneal_dataset_load_csv(Support.ionosphere, 99, ANNEAL_CSV_HEADER_AUTO, &out), ANNEAL_E_INVALID_ARGUMENT, "label_column 99")
        #expect(Support.lastError.contains("label_column must be in -35..<35"), "\(Support.lastError)")

        // A weights file holding a NaN: the message names the file, as every other load error does.
        ok(addDense(model, 1, ANNEAL_ACTIVATION_LINEAR, ANNEAL_INITIALIZER_ZEROS, ANNEAL_INITIALIZER_ZEROS, true, 2))
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nan.bin").path
        try WeightsFile.write([WeightTensor(shape: [2, 1], values: [1, .nan]), WeightTensor(shape: [1], values: [0])], to: path)
        fails(anneal_model_load_weights(model, path), ANNEAL_E_NON_FINITE, "NaN in the file")
        #expect(Support.lastError.hasPrefix("\(path): weight 0 holds nan"), "\(Support.lastError)")
    }

    // MARK: Sessions and fit

    @Test func sessionWrongOrder() throws {
        let model = tutorialModel(seed: 2, learningRate: 0.1, momentum: 0)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 64, 0, false, nil, &session))
        defer { anneal_session_free(session) }
        var values = [Double](repeating: 0, count: 4)
        var count: Int32 = 0
        fails(anneal_session_train_batch(session, 0), ANNEAL_E_INVALID_STATE, "batch before begin_epoch")
        fails(anneal_session_running_values(session, &values, 4, &count), ANNEAL_E_INVALID_STATE, "running before begin_epoch")
        fails(anneal_session_validate(session, &values, 4, &count), ANNEAL_E_INVALID_STATE, "no validation data")
        ok(anneal_session_begin_epoch(session))
        fails(anneal_session_train_batch(session, 6), ANNEAL_E_INVALID_ARGUMENT, "batch 6 of 6")
        fails(anneal_session_train_batch(session, -1), ANNEAL_E_INVALID_ARGUMENT, "batch -1")
        ok(anneal_session_train_batch(session, 0))
        var done: Int32 = 0
        ok(anneal_session_batches_done(session, &done))
        #expect(done == 1)
        ok(anneal_session_train_epoch(session, nil, 0, &count))
        #expect(count == 2)
        fails(anneal_session_train_epoch(session, &values, 1, &count), ANNEAL_E_BUFFER_TOO_SMALL, "epoch values into 1")
        ok(anneal_session_run_epoch(session, nil, 0, &count))
        #expect(count == 2)  // loss, accuracy: no validation data, no decay
        fails(anneal_session_run_epoch(session, &values, 1, &count), ANNEAL_E_BUFFER_TOO_SMALL, "run_epoch values into 1")
        fails(anneal_session_run_epoch(nil, &values, 4, &count), ANNEAL_E_INVALID_HANDLE, "run_epoch on NULL")

        // run_epochs checks everything before it trains: a failed call leaves the weights as they were.
        var epochs: Int32 = -1, width: Int32 = 0
        let before = weightBits(model)
        fails(anneal_session_run_epochs(session, 3, 0, &values, 4, &epochs, &width), ANNEAL_E_BUFFER_TOO_SMALL,
              "3 epochs of 2 values into 4")
        #expect(epochs == 0 && width == 2)
        fails(anneal_session_run_epochs(session, -1, 0, &values, 4, &epochs, &width), ANNEAL_E_INVALID_ARGUMENT, "epochs -1")
        fails(anneal_session_run_epochs(session, 1, .nan, &values, 4, &epochs, &width), ANNEAL_E_INVALID_ARGUMENT,
              "max_seconds NaN")
        fails(anneal_session_run_epochs(session, 1, 0, &values, -1, &epochs, &width), ANNEAL_E_INVALID_ARGUMENT, "capacity -1")
        fails(anneal_session_run_epochs(session, 1, 0, nil, 4, &epochs, &width), ANNEAL_E_NULL_POINTER, "values NULL")
        fails(anneal_session_run_epochs(nil, 1, 0, &values, 4, &epochs, &width), ANNEAL_E_INVALID_HANDLE, "run_epochs on NULL")
        #expect(weightBits(model) == before)
        ok(anneal_session_run_epochs(session, 0, 0, nil, 0, &epochs, &width))
        #expect(epochs == 0 && width == 2)
        // A time limit already passed: one epoch, then the call returns.
        ok(anneal_session_run_epochs(session, 2, 1e-9, &values, 4, &epochs, nil))
        #expect(epochs == 1)
        #expect(weightBits(model) != before)

        var history: OpaquePointer?
        fails(anneal_session_fit(session, -1, 0, nil, nil, nil, &history), ANNEAL_E_INVALID_ARGUMENT, "epochs -1")
        fails(anneal_session_fit(session, 2, -1, nil, nil, nil, &history), ANNEAL_E_INVALID_ARGUMENT, "initial epoch -1")
        #expect(history == nil)
        var updateSchedule: OpaquePointer?
        ok(anneal_schedule_exponential_decay(0.1, 10, 0.9, false, ANNEAL_UNIT_DEFAULT, &updateSchedule))
        defer { anneal_schedule_free(updateSchedule) }
        fails(anneal_session_fit(session, 2, 0, updateSchedule, nil, nil, &history), ANNEAL_E_INVALID_ARGUMENT, "update schedule in fit")

        // A session outlives its model's handle.
        let otherModel = tutorialModel(seed: 2, learningRate: 0.1, momentum: 0)
        var orphan: OpaquePointer?
        ok(anneal_session_create(otherModel, data.x, data.rows, data.columns, data.y, 1, 64, 0.2, false, nil, &orphan))
        anneal_model_free(otherModel)
        ok(anneal_session_train_epoch(orphan, nil, 0, nil))
        ok(anneal_session_validate(orphan, &values, 4, &count))
        ok(anneal_session_run_epoch(orphan, &values, 4, &count))
        #expect(count == 4)  // loss, accuracy, val_loss, val_accuracy
        anneal_session_free(orphan)

        fails(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 1.0, true, nil, &orphan),
              ANNEAL_E_INVALID_ARGUMENT, "validation split 1")
        fails(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 0, 0, true, nil, &orphan),
              ANNEAL_E_INVALID_ARGUMENT, "batch size 0")
        fails(anneal_session_create(model, data.x, data.rows, 33, data.y, 1, 28, 0, true, nil, &orphan),
              ANNEAL_E_SHAPE_MISMATCH, "33 columns")
        fails(anneal_session_create(model, data.x, data.rows, data.columns, nil, 1, 28, 0, true, nil, &orphan),
              ANNEAL_E_NULL_POINTER, "NULL y")
    }

    /// What a callback saw when it called back into the library.
    final class Reentry {
        var session: OpaquePointer?
        var statuses: [String: Int32] = [:]
        var events: [(Int32, Int32, [String])] = []
        var stopAtEpoch: Int32 = -1
        var abort = false
    }

    static let reentrantCallback: anneal_epoch_callback = { userData, model, event, epoch, keys, values, count in
        let context = Unmanaged<Reentry>.fromOpaque(userData!).takeUnretainedValue()
        let names = (0..<Int(count)).map { String(cString: keys![$0]!) }
        context.events.append((event, epoch, names))
        if event == ANNEAL_EVENT_EPOCH_END && epoch == 0 {
            var weight = [Float](repeating: 0, count: 34 * 34)
            var rate = 0.0
            context.statuses["add_dense"] = addDense(model, 1, 0, 0, 1, true, 0)
            context.statuses["compile"] = compileSGD(model, nil, 0, nil, 0)
            context.statuses["get_weight"] = anneal_model_get_weight(model, 0, &weight, Int64(weight.count))
            context.statuses["set_weight"] = anneal_model_set_weight(model, 0, weight, Int64(weight.count))
            context.statuses["set_lr"] = anneal_model_set_learning_rate(model, 0.05)
            context.statuses["lr"] = anneal_model_learning_rate(model, &rate)
            var prediction: Float = 0
            context.statuses["predict"] = anneal_model_predict(model, [Float](repeating: 0, count: 34), 1, 34, 1, &prediction, 1)
            if let session = context.session {
                context.statuses["begin_epoch"] = anneal_session_begin_epoch(session)
                var batches: Int32 = 0
                context.statuses["batch_count"] = anneal_session_batch_count(session, &batches)
                context.statuses["run_epochs"] = anneal_session_run_epochs(session, 0, 0, nil, 0, nil, nil)
            }
        }
        if context.abort { return -7 }
        return event == ANNEAL_EVENT_EPOCH_END && epoch == context.stopAtEpoch ? 1 : 0
    }

    @Test func callbacksStopAbortAndReenter() throws {
        let model = tutorialModel(seed: 4, learningRate: 0.1, momentum: 0)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, true, nil, &session))
        defer { anneal_session_free(session) }
        let context = Reentry()
        context.session = session
        context.stopAtEpoch = 2
        var history: OpaquePointer?
        let pointer = Unmanaged.passUnretained(context).toOpaque()
        ok(anneal_session_fit(session, 10, 0, nil, Self.reentrantCallback, pointer, &history))
        var epochs: Int32 = 0
        ok(anneal_history_epoch_count(history, &epochs))
        #expect(epochs == 3, "a positive return stops after that epoch")
        anneal_history_free(history)
        #expect(context.events.count == 6)
        #expect(context.events.first?.0 == ANNEAL_EVENT_EPOCH_BEGIN && context.events.first?.2 == [])
        #expect(context.events[1].2 == ["loss", "accuracy", "val_loss", "val_accuracy"])
        #expect(context.statuses["add_dense"] == ANNEAL_E_INVALID_STATE)
        #expect(context.statuses["compile"] == ANNEAL_E_INVALID_STATE)
        #expect(context.statuses["begin_epoch"] == ANNEAL_E_INVALID_STATE)
        #expect(context.statuses["batch_count"] == ANNEAL_E_INVALID_STATE)
        #expect(context.statuses["run_epochs"] == ANNEAL_E_INVALID_STATE)
        for name in ["get_weight", "set_weight", "set_lr", "lr", "predict"] {
            #expect(context.statuses[name] == ANNEAL_OK, "\(name) inside the callback")
        }
        var rate = 0.0
        ok(anneal_model_learning_rate(model, &rate))
        #expect(rate == Double(Float(0.05)))

        context.abort = true
        context.session = nil
        fails(fitArrays(model, data.x, data.rows, data.columns, data.y, 1, 5, 28, 0.33, true, nil, nil,
                               Self.reentrantCallback, pointer, &history), ANNEAL_E_CALLBACK, "negative return")
        #expect(history == nil)
        #expect(Support.lastError.contains("-7"))
        // After all that, the model is free again.
        var layers: Int32 = 0
        ok(anneal_model_layer_count(model, &layers))
    }

    /// Blocks a fit inside its first callback until told to go on.
    final class Gate {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var blocked = false
    }

    static let blockingCallback: anneal_epoch_callback = { userData, _, _, _, _, _, _ in
        let gate = Unmanaged<Gate>.fromOpaque(userData!).takeUnretainedValue()
        if !gate.blocked {
            gate.blocked = true
            gate.entered.signal()
            gate.release.wait()
        }
        return 1
    }

    @Test func concurrentUseIsRefusedWithBusy() throws {
        let model = tutorialModel(seed: 6, learningRate: 0.1, momentum: 0)
        defer { anneal_model_free(model) }
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, true, nil, &session))
        defer { anneal_session_free(session) }
        let gate = Gate()
        nonisolated(unsafe) let pointer = Unmanaged.passUnretained(gate).toOpaque()
        let x = data.x, y = data.y, rows = data.rows, columns = data.columns
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var fitStatus: Int32 = -1
        nonisolated(unsafe) let handle = model
        let worker = Thread {
            fitStatus = fitArrays(handle, x, rows, columns, y, 1, 3, 28, 0.33, true, nil, nil,
                                         Self.blockingCallback, pointer, nil)
            finished.signal()
        }
        worker.start()
        gate.entered.wait()
        var layers: Int32 = 0, batches: Int32 = 0
        fails(anneal_model_layer_count(model, &layers), ANNEAL_E_BUSY, "model in use by another thread")
        fails(anneal_model_set_learning_rate(model, 0.1), ANNEAL_E_BUSY, "set rate from another thread")
        fails(anneal_session_batch_count(session, &batches), ANNEAL_E_BUSY, "session whose model is busy")
        gate.release.signal()
        finished.wait()
        #expect(fitStatus == ANNEAL_OK)
        ok(anneal_model_layer_count(model, &layers))
        ok(anneal_session_batch_count(session, &batches))
    }

    // MARK: Names, schedules, SGD

    @Test func namesToCodes() {
        var code: Int32 = -1
        ok(anneal_activation_from_name("ReLU", &code)); #expect(code == ANNEAL_ACTIVATION_RELU)
        ok(anneal_activation_from_name("None", &code)); #expect(code == ANNEAL_ACTIVATION_LINEAR)
        ok(anneal_initializer_from_name("RandomNormal", &code)); #expect(code == ANNEAL_INITIALIZER_NORMAL)
        ok(anneal_initializer_from_name("he_uniform", &code)); #expect(code == ANNEAL_INITIALIZER_HE_UNIFORM)
        ok(anneal_loss_from_name("mse", &code)); #expect(code == ANNEAL_LOSS_MEAN_SQUARED_ERROR)
        ok(anneal_activation_from_name("silu", &code)); #expect(code == ANNEAL_ACTIVATION_SWISH)
        ok(anneal_activation_from_name("Hard_Sigmoid", &code)); #expect(code == ANNEAL_ACTIVATION_HARD_SIGMOID)
        ok(anneal_activation_from_name("leaky_relu", &code)); #expect(code == ANNEAL_ACTIVATION_LEAKY_RELU)
        ok(anneal_loss_from_name("kld", &code)); #expect(code == ANNEAL_LOSS_KL_DIVERGENCE)
        ok(anneal_loss_from_name("logcosh", &code)); #expect(code == ANNEAL_LOSS_LOG_COSH)
        ok(anneal_loss_from_name("MeanAbsoluteError", &code)); #expect(code == ANNEAL_LOSS_MEAN_ABSOLUTE_ERROR)
        ok(anneal_loss_from_name("huber_loss", &code)); #expect(code == ANNEAL_LOSS_HUBER)
        fails(anneal_activation_from_name("mish", &code), ANNEAL_E_INVALID_ARGUMENT, "unknown activation")
        fails(anneal_loss_from_name("focal", &code), ANNEAL_E_INVALID_ARGUMENT, "unknown loss")
        fails(anneal_initializer_from_name("orthogonal", &code), ANNEAL_E_INVALID_ARGUMENT, "unknown initializer")
        fails(anneal_loss_from_name(nil, &code), ANNEAL_E_NULL_POINTER, "NULL name")
        fails(anneal_loss_from_name("mse", nil), ANNEAL_E_NULL_POINTER, "NULL out")
        for name in ["accuracy", "ACC", "auc", "rmse", "TopKCategoricalAccuracy", "mae", "Huber"] {
            ok(anneal_metric_check_name(name))
        }
        fails(anneal_metric_check_name("f1_score"), ANNEAL_E_INVALID_ARGUMENT, "unknown metric")
        #expect(String(cString: anneal_last_error()).hasPrefix("Unknown metric function: 'f1_score'. Expected one of:"))
        fails(anneal_metric_check_name(nil), ANNEAL_E_NULL_POINTER, "NULL name")
    }

    @Test func schedules() throws {
        func rates(_ schedule: OpaquePointer?, _ steps: [Int64]) -> [Double] {
            steps.map { step in
                var rate = Double.nan
                ok(anneal_schedule_rate(schedule, step, &rate))
                return rate
            }
        }
        var step: OpaquePointer?, stepLR: OpaquePointer?, compounding: OpaquePointer?, piecewise: OpaquePointer?
        ok(anneal_schedule_step_decay(0.1, 0.5, 10, ANNEAL_UNIT_DEFAULT, &step))
        ok(anneal_schedule_step_lr(0.1, 10, 0.5, ANNEAL_UNIT_DEFAULT, &stepLR))
        ok(anneal_schedule_tutorial_compounding_decay(0.1, 0.001, ANNEAL_UNIT_DEFAULT, &compounding))
        ok(anneal_schedule_piecewise_constant_decay([10, 20], 2, [0.1, 0.05, 0.01], 3, ANNEAL_UNIT_EPOCH, &piecewise))
        defer { [step, stepLR, compounding, piecewise].forEach { anneal_schedule_free($0) } }
        #expect(rates(step, [0, 8, 9, 19]) == [0.1, 0.1, 0.05, 0.025])
        #expect(rates(stepLR, [9, 10]) == [0.1, 0.05])
        let table = rates(compounding, [0, 1, 2])
        #expect(abs(table[1] - 0.0999000999) < 1e-10 && abs(table[2] - 0.0997006985) < 1e-10)
        #expect(rates(piecewise, [10, 11, 21]) == [0.1, 0.05, 0.01])
        var unit: Int32 = 0
        ok(anneal_schedule_unit(step, &unit)); #expect(unit == ANNEAL_UNIT_EPOCH)
        ok(anneal_schedule_unit(piecewise, &unit)); #expect(unit == ANNEAL_UNIT_EPOCH)
        var rate = 0.0
        fails(anneal_schedule_rate(step, -1, &rate), ANNEAL_E_INVALID_ARGUMENT, "step -1")
        fails(anneal_schedule_rate(step, Int64(Int32.max) + 1, &rate), ANNEAL_E_INVALID_ARGUMENT, "step beyond INT32_MAX")
        fails(anneal_schedule_rate(step, 0, nil), ANNEAL_E_NULL_POINTER, "NULL out_rate")

        var out: OpaquePointer?
        fails(anneal_schedule_constant(0.1, 3, &out), ANNEAL_E_INVALID_ARGUMENT, "unit 3")
        fails(anneal_schedule_piecewise_constant_decay([10], 1, [0.1], 1, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "1 value for 1 boundary")
        fails(anneal_schedule_piecewise_constant_decay(nil, 1, [0.1, 0.2], 2, 0, &out), ANNEAL_E_NULL_POINTER, "NULL boundaries")
        fails(anneal_schedule_multi_step_lr(0.1, nil, -1, 0.1, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "milestone count -1")
        fails(anneal_schedule_one_cycle_lr(0.1, 100, 0.3, 2, 25, 1e4, false, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "strategy 2")
        fails(anneal_schedule_cyclic_lr(0.01, 0.1, 10, 0, 3, 1, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "mode 3")
        fails(anneal_schedule_exponential_decay(0.1, 0, 0.9, false, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "decay_steps 0")

        // Every other constructor gives a live schedule.
        var made: [OpaquePointer?] = []
        func keep(_ status: Int32, _ name: String) {
            ok(status)
            made.append(out)
            #expect(out != nil, "\(name)")
        }
        keep(anneal_schedule_time_decay(0.1, 0.01, 0, &out), "time")
        keep(anneal_schedule_constant(0.1, 0, &out), "constant")
        keep(anneal_schedule_inverse_time_decay(0.1, 1, 0.5, false, 0, &out), "inverse time")
        keep(anneal_schedule_polynomial_decay(0.1, 100, 1e-4, 1, false, 0, &out), "polynomial")
        keep(anneal_schedule_cosine_decay(0.1, 100, 0, true, 0.2, 10, 0, &out), "cosine")
        keep(anneal_schedule_cosine_decay_restarts(0.1, 10, 2, 1, 0, 0, &out), "cosine restarts")
        keep(anneal_schedule_multi_step_lr(0.1, [5, 8], 2, 0.1, 0, &out), "multistep")
        keep(anneal_schedule_exponential_lr(0.1, 0.9, 0, &out), "exponential lr")
        keep(anneal_schedule_cosine_annealing_lr(0.1, 50, 0, 0, &out), "cosine annealing")
        keep(anneal_schedule_cosine_annealing_warm_restarts(0.1, 10, 2, 0, 0, &out), "warm restarts")
        keep(anneal_schedule_one_cycle_lr(0.1, 100, 0.3, ANNEAL_ANNEAL_COSINE, 25, 1e4, false, 0, &out), "one cycle")
        keep(anneal_schedule_cyclic_lr(0.01, 0.1, 10, 0, ANNEAL_CYCLIC_TRIANGULAR2, 1, 0, &out), "cyclic")
        keep(anneal_schedule_linear_lr(0.1, 1.0 / 3, 1, 5, 0, &out), "linear")
        defer { made.forEach { anneal_schedule_free($0) } }
        for schedule in made { _ = rates(schedule, [0, 1, 1000, Int64(Int32.max)]) }

        // Sequential: warmup then cosine, all epoch schedules.
        var warmup: OpaquePointer?, cosine: OpaquePointer?, chained: OpaquePointer?
        ok(anneal_schedule_linear_lr(0.1, 0.5, 1, 2, 0, &warmup))
        ok(anneal_schedule_cosine_annealing_lr(0.1, 10, 0, 0, &cosine))
        let parts: [OpaquePointer?] = [warmup, cosine]
        ok(anneal_schedule_sequential(parts, 2, [2], 1, &chained))
        anneal_schedule_free(warmup)
        #expect(rates(chained, [0, 2]) == [0.05, 0.1])
        anneal_schedule_free(chained)
        fails(anneal_schedule_sequential([warmup, cosine], 2, [2], 1, &chained), ANNEAL_E_INVALID_HANDLE, "freed part")
        fails(anneal_schedule_sequential([step, made[0]], 2, [2], 1, &chained), ANNEAL_E_INVALID_ARGUMENT, "mixed units")
        fails(anneal_schedule_sequential(nil, 0, nil, 0, &chained), ANNEAL_E_INVALID_ARGUMENT, "no schedules")
        anneal_schedule_free(cosine)
    }

    @Test func scheduledSGD() throws {
        var exponential: OpaquePointer?, epochSchedule: OpaquePointer?, sgd: OpaquePointer?
        ok(anneal_schedule_exponential_decay(0.1, 9, 0.5, true, ANNEAL_UNIT_DEFAULT, &exponential))
        ok(anneal_schedule_step_decay(0.1, 0.5, 10, ANNEAL_UNIT_DEFAULT, &epochSchedule))
        defer { anneal_schedule_free(epochSchedule) }
        fails(anneal_sgd_create_scheduled(epochSchedule, 0, 0, false, &sgd), ANNEAL_E_INVALID_ARGUMENT, "epoch schedule in SGD")
        fails(anneal_sgd_create_scheduled(nil, 0, 0, false, &sgd), ANNEAL_E_INVALID_HANDLE, "NULL schedule")
        ok(anneal_sgd_create_scheduled(exponential, 0.5, 0, false, &sgd))
        anneal_schedule_free(exponential)  // the SGD keeps its own copy
        var model: OpaquePointer?
        ok(anneal_model_create(8, &model))
        defer { anneal_model_free(model) }
        ok(addDense(model, 4, ANNEAL_ACTIVATION_RELU, 0, 1, true, 34))
        ok(addDense(model, 1, ANNEAL_ACTIVATION_SIGMOID, 0, 1, true, 0))
        ok(compileSGD(model, sgd, 0, nil, 0))
        anneal_sgd_free(sgd)
        var session: OpaquePointer?
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 28, 0.33, false, nil, &session))
        defer { anneal_session_free(session) }
        ok(anneal_session_train_epoch(session, nil, 0, nil))  // 9 updates: one staircase step
        var rate = 0.0, iterations: Int64 = 0
        ok(anneal_model_iterations(model, &iterations))
        ok(anneal_model_learning_rate(model, &rate))
        #expect(iterations == 9 && rate == Double(Float(0.05)))
        ok(anneal_model_effective_learning_rate(model, &rate))
        #expect(rate == Double(Float(0.05)))
    }
}
