import Anneal
import CAnneal
import Foundation
import Testing

/// The data-set-first calls: option structs, fit / evaluate / predict on a dataset, label matrices, metric
/// codes and anneal_history_last.
@Suite("C data-set-first API")
struct DatasetFitTests {
    /// The ionosphere dataset handle; freed by the caller.
    static func ionosphere() -> OpaquePointer? {
        var dataset: OpaquePointer?
        ok(anneal_dataset_load_csv(Support.ionosphere, -1, ANNEAL_CSV_HEADER_AUTO, &dataset))
        return dataset
    }

    /// The tutorial model built with the option structs.
    static func optionsModel(seed: UInt64, learningRate: Double, momentum: Double, decay: Double = 0) -> OpaquePointer? {
        var model: OpaquePointer?
        ok(anneal_model_create(seed, &model))
        var hidden = denseDefaults()
        hidden.activation = ANNEAL_ACTIVATION_RELU
        hidden.kernel_initializer = ANNEAL_INITIALIZER_NORMAL
        hidden.input_dim = 34
        var output = denseDefaults()
        output.activation = ANNEAL_ACTIVATION_SIGMOID
        output.kernel_initializer = ANNEAL_INITIALIZER_NORMAL
        ok(anneal_model_add_dense(model, 34, &hidden))
        ok(anneal_model_add_dense(model, 1, &output))
        var metrics: [Int32] = [ANNEAL_METRIC_ACCURACY]
        metrics.withUnsafeBufferPointer { codes in
            var compile = compileDefaults()
            compile.learning_rate = learningRate
            compile.momentum = momentum
            compile.decay = decay
            compile.metrics = codes.baseAddress
            compile.metric_count = 1
            ok(anneal_model_compile(model, &compile))
        }
        return model
    }

    /// What ANNEAL_*_OPTIONS_INIT give (function-like macros with braces do not reach Swift).
    static func denseDefaults() -> anneal_dense_options {
        anneal_dense_options(struct_size: Int64(MemoryLayout<anneal_dense_options>.stride), activation: ANNEAL_ACTIVATION_LINEAR,
                             kernel_initializer: ANNEAL_INITIALIZER_GLOROT_UNIFORM, bias_initializer: ANNEAL_INITIALIZER_ZEROS,
                             use_bias: true, input_dim: 0)
    }

    static func compileDefaults() -> anneal_compile_options {
        AnnealExportTests.compileOptions(ANNEAL_LOSS_BINARY_CROSSENTROPY, nil, 0)
    }

    static func fitDefaults() -> anneal_fit_options {
        anneal_fit_options(struct_size: Int64(MemoryLayout<anneal_fit_options>.stride), epochs: 1, batch_size: 32,
                           validation_split: 0, validation_data: nil, shuffle: true, has_seed: false, seed: 0,
                           schedule: nil, callback: nil, user_data: nil)
    }

    @Test("the C structs have the sizes the header's C compiler gives them")
    func structSizes() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("sizes.c")
        try """
        #include <anneal.h>
        #include <stdio.h>
        int main(void) {
            anneal_fit_options fit = ANNEAL_FIT_OPTIONS_INIT;
            anneal_dense_options dense = ANNEAL_DENSE_OPTIONS_INIT;
            anneal_compile_options compile = ANNEAL_COMPILE_OPTIONS_INIT;
            printf("%d %d %d\\n", (int)fit.struct_size, (int)dense.struct_size, (int)compile.struct_size);
            return 0;
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        let program = directory.appendingPathComponent("sizes").path
        // exampleCC is a command line (the compiler and, in sanitizer runs, its flags).
        let compiler = Support.exampleCC.split(separator: " ").map(String.init)
        let build = try Support.run(compiler + ["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                                "-I", Support.header.deletingLastPathComponent().path, source.path, "-o", program])
        #expect(build.status == 0, "cc: \(build.text)")
        let run = try Support.run([program])
        #expect(run.text.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(MemoryLayout<anneal_fit_options>.stride) \(MemoryLayout<anneal_dense_options>.stride) \(MemoryLayout<anneal_compile_options>.stride)")
    }

    @Test("fit, evaluate and predict on a dataset equal the matrix calls bit for bit")
    func datasetEqualsMatrices() throws {
        let data = try CData.ionosphere()
        let dataset = Self.ionosphere()
        defer { anneal_dataset_free(dataset) }
        let matrixModel = tutorialModel(seed: 3, learningRate: 0.1, momentum: 0.8, decay: 0.002)
        let datasetModel = Self.optionsModel(seed: 3, learningRate: 0.1, momentum: 0.8, decay: 0.002)
        defer { anneal_model_free(matrixModel); anneal_model_free(datasetModel) }
        #expect(weightBits(matrixModel) == weightBits(datasetModel), "the option structs build the same layers")

        var seed: UInt64 = 11
        var matrixHistory: OpaquePointer?, datasetHistory: OpaquePointer?
        ok(fitArrays(matrixModel, data.x, data.rows, data.columns, data.y, 1, 5, 28, 0.33, true, &seed, nil, nil,
                            nil, &matrixHistory))
        var options = Self.fitDefaults()
        options.epochs = 5
        options.batch_size = 28
        options.validation_split = 0.33
        options.has_seed = true
        options.seed = 11
        ok(anneal_model_fit_dataset(datasetModel, dataset, &options, &datasetHistory))
        defer { anneal_history_free(matrixHistory); anneal_history_free(datasetHistory) }
        let expected = historyValues(matrixHistory)
        let actual = historyValues(datasetHistory)
        #expect(Set(actual.keys) == Set(expected.keys))
        for key in expected.keys { expectSameBits(actual[key], expected[key], key) }
        #expect(weightBits(matrixModel) == weightBits(datasetModel))

        var last = Double.nan
        ok(anneal_history_last(datasetHistory, "val_accuracy", &last))
        #expect(last.bitPattern == expected["val_accuracy"]?.last?.bitPattern)

        var matrixValues = [Double](repeating: .nan, count: 2), datasetValues = [Double](repeating: .nan, count: 2)
        var count: Int32 = 0
        ok(anneal_model_evaluate(matrixModel, data.x, data.rows, data.columns, data.y, 1, 32, &matrixValues, 2, nil))
        ok(anneal_model_evaluate_dataset(datasetModel, dataset, 32, &datasetValues, 2, &count))
        #expect(count == 2)
        expectSameBits(datasetValues, matrixValues, "evaluate")

        var matrixOut = [Float](repeating: .nan, count: Int(data.rows)), datasetOut = matrixOut
        ok(anneal_model_predict(matrixModel, data.x, data.rows, data.columns, 32, &matrixOut, data.rows))
        ok(anneal_model_predict_dataset(datasetModel, dataset, 32, &datasetOut, data.rows))
        #expect(matrixOut.map(\.bitPattern) == datasetOut.map(\.bitPattern))
    }

    @Test("validation_data as a dataset equals a session with explicit validation arrays")
    func validationDataset() throws {
        let data = try CData.ionosphere()
        let split = 235, columns = Int(data.columns)
        var train: OpaquePointer?, held: OpaquePointer?
        ok(anneal_dataset_create(Array(data.x[..<(split * columns)]), Array(data.y[..<split]), Int64(split), data.columns, &train))
        ok(anneal_dataset_create(Array(data.x[(split * columns)...]), Array(data.y[split...]), data.rows - Int64(split),
                                 data.columns, &held))
        defer { anneal_dataset_free(train); anneal_dataset_free(held) }
        let viaSplit = Self.optionsModel(seed: 5, learningRate: 0.05, momentum: 0.9)
        let viaData = Self.optionsModel(seed: 5, learningRate: 0.05, momentum: 0.9)
        defer { anneal_model_free(viaSplit); anneal_model_free(viaData) }
        var whole: OpaquePointer?
        ok(anneal_dataset_create(data.x, data.y, data.rows, data.columns, &whole))
        defer { anneal_dataset_free(whole) }
        var options = Self.fitDefaults()
        options.epochs = 3
        options.has_seed = true
        options.seed = 2
        options.validation_split = 0.33  // floor(351 * 0.67) = 235 rows train
        var first: OpaquePointer?, second: OpaquePointer?
        ok(anneal_model_fit_dataset(viaSplit, whole, &options, &first))
        options.validation_split = 0
        options.validation_data = held
        ok(anneal_model_fit_dataset(viaData, train, &options, &second))
        defer { anneal_history_free(first); anneal_history_free(second) }
        let expected = historyValues(first), actual = historyValues(second)
        for key in ["loss", "accuracy", "val_loss", "val_accuracy"] { expectSameBits(actual[key], expected[key], key) }
    }

    @Test func fitDatasetErrors() throws {
        let dataset = Self.ionosphere()
        defer { anneal_dataset_free(dataset) }
        let model = Self.optionsModel(seed: 1, learningRate: 0.01, momentum: 0)
        defer { anneal_model_free(model) }
        var history: OpaquePointer? = OpaquePointer(bitPattern: 0xDEAD_BEEF)
        var options = Self.fitDefaults()
        fails(anneal_model_fit_dataset(nil, dataset, &options, &history), ANNEAL_E_INVALID_HANDLE, "NULL model")
        #expect(history == nil)
        fails(anneal_model_fit_dataset(model, nil, &options, &history), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        #expect(Support.lastError.contains("dataset"))
        fails(anneal_model_fit_dataset(model, model, &options, &history), ANNEAL_E_INVALID_HANDLE, "model as dataset")
        fails(anneal_model_fit_dataset(dataset, dataset, &options, &history), ANNEAL_E_INVALID_HANDLE, "dataset as model")

        for size in [Int64(0), -1, 8, options.struct_size + 8, options.struct_size - 8] {
            options.struct_size = size
            fails(anneal_model_fit_dataset(model, dataset, &options, &history), ANNEAL_E_INVALID_ARGUMENT, "struct_size \(size)")
            #expect(Support.lastError.contains("struct_size"))
        }
        // Only struct_size is read from a struct of the wrong size: a 8-byte allocation is enough.
        let short = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
        defer { short.deallocate() }
        short.pointee = 8
        short.withMemoryRebound(to: anneal_fit_options.self, capacity: 1) { pointer in
            fails(anneal_model_fit_dataset(model, dataset, pointer, nil), ANNEAL_E_INVALID_ARGUMENT, "8-byte struct")
        }

        options = Self.fitDefaults()
        options.epochs = -1
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_INVALID_ARGUMENT, "epochs -1")
        #expect(Support.lastError.contains("options->epochs"))
        options = Self.fitDefaults()
        options.batch_size = 0
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_INVALID_ARGUMENT, "batch_size 0")
        options = Self.fitDefaults()
        options.validation_split = 1
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_INVALID_ARGUMENT, "split 1")
        options = Self.fitDefaults()
        options.validation_data = model
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_INVALID_HANDLE, "model as validation_data")
        #expect(Support.lastError.contains("options->validation_data"))
        options = Self.fitDefaults()
        options.schedule = dataset
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_INVALID_HANDLE, "dataset as schedule")

        // Widths: two label columns for binary_crossentropy over one unit; five features for 34 inputs.
        var twoColumns: OpaquePointer?, fiveFeatures: OpaquePointer?
        ok(anneal_dataset_create_labels([Float](repeating: 0, count: 34 * 3), [Float](repeating: 0, count: 6), 3, 34, 2, &twoColumns))
        ok(anneal_dataset_create([Float](repeating: 0, count: 15), [0, 1, 0], 3, 5, &fiveFeatures))
        defer { anneal_dataset_free(twoColumns); anneal_dataset_free(fiveFeatures) }
        fails(anneal_model_fit_dataset(model, twoColumns, nil, nil), ANNEAL_E_SHAPE_MISMATCH, "2 label columns")
        #expect(Support.lastError.contains("label columns"))
        fails(anneal_model_fit_dataset(model, fiveFeatures, nil, nil), ANNEAL_E_SHAPE_MISMATCH, "5 features")
        options = Self.fitDefaults()
        options.validation_data = fiveFeatures
        fails(anneal_model_fit_dataset(model, dataset, &options, nil), ANNEAL_E_SHAPE_MISMATCH, "5-feature validation")

        var uncompiled: OpaquePointer?
        ok(anneal_model_create(1, &uncompiled))
        defer { anneal_model_free(uncompiled) }
        ok(anneal_model_add_dense(uncompiled, 1, nil))
        fails(anneal_model_fit_dataset(uncompiled, dataset, nil, nil), ANNEAL_E_INVALID_STATE, "not compiled")
        #expect(Support.lastError.contains("anneal_model_fit_dataset"))

        // NULL options: ANNEAL_FIT_OPTIONS_INIT, one epoch.
        ok(anneal_model_fit_dataset(model, dataset, nil, &history))
        var epochs: Int32 = 0
        ok(anneal_history_epoch_count(history, &epochs))
        #expect(epochs == 1)
        anneal_history_free(history)
    }

    @Test func evaluateAndPredictDatasetErrors() throws {
        let dataset = Self.ionosphere()
        defer { anneal_dataset_free(dataset) }
        let model = Self.optionsModel(seed: 1, learningRate: 0.01, momentum: 0)
        defer { anneal_model_free(model) }
        var values = [Double](repeating: 0, count: 2)
        var out = [Float](repeating: 0, count: 351)
        fails(anneal_model_evaluate_dataset(model, nil, 32, &values, 2, nil), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        fails(anneal_model_evaluate_dataset(nil, dataset, 32, &values, 2, nil), ANNEAL_E_INVALID_HANDLE, "NULL model")
        fails(anneal_model_evaluate_dataset(model, dataset, 0, &values, 2, nil), ANNEAL_E_INVALID_ARGUMENT, "batch 0")
        fails(anneal_model_evaluate_dataset(model, dataset, 32, &values, 1, nil), ANNEAL_E_BUFFER_TOO_SMALL, "capacity 1")
        fails(anneal_model_evaluate_dataset(model, dataset, 32, nil, 2, nil), ANNEAL_E_NULL_POINTER, "NULL values")
        fails(anneal_model_predict_dataset(model, nil, 32, &out, 351), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        fails(anneal_model_predict_dataset(model, dataset, 32, nil, 351), ANNEAL_E_NULL_POINTER, "NULL out")
        fails(anneal_model_predict_dataset(model, dataset, 32, &out, 350), ANNEAL_E_BUFFER_TOO_SMALL, "capacity 350")
        fails(anneal_model_predict_dataset(model, dataset, -1, &out, 351), ANNEAL_E_INVALID_ARGUMENT, "batch -1")
        var fiveFeatures: OpaquePointer?
        ok(anneal_dataset_create([Float](repeating: 0, count: 15), [0, 1, 0], 3, 5, &fiveFeatures))
        defer { anneal_dataset_free(fiveFeatures) }
        fails(anneal_model_predict_dataset(model, fiveFeatures, 32, &out, 351), ANNEAL_E_SHAPE_MISMATCH, "5 features")
        fails(anneal_model_evaluate_dataset(model, fiveFeatures, 32, &values, 2, nil), ANNEAL_E_SHAPE_MISMATCH, "5 features")
        var uncompiled: OpaquePointer?
        ok(anneal_model_create(1, &uncompiled))
        defer { anneal_model_free(uncompiled) }
        fails(anneal_model_predict_dataset(uncompiled, dataset, 32, &out, 351), ANNEAL_E_INVALID_STATE, "no layers")
        ok(anneal_model_add_dense(uncompiled, 1, nil))
        fails(anneal_model_evaluate_dataset(uncompiled, dataset, 32, &values, 2, nil), ANNEAL_E_INVALID_STATE, "not compiled")
        ok(anneal_model_predict_dataset(uncompiled, dataset, 32, &out, 351))
    }

    @Test func denseOptions() throws {
        var model: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        var options = Self.denseDefaults()
        fails(anneal_model_add_dense(nil, 4, &options), ANNEAL_E_INVALID_HANDLE, "NULL model")
        options.struct_size = 4
        fails(anneal_model_add_dense(model, 4, &options), ANNEAL_E_INVALID_ARGUMENT, "struct_size 4")
        #expect(Support.lastError.contains("struct_size"))
        options = Self.denseDefaults()
        options.activation = 99
        fails(anneal_model_add_dense(model, 4, &options), ANNEAL_E_INVALID_ARGUMENT, "activation 99")
        #expect(Support.lastError.contains("options->activation"))
        options = Self.denseDefaults()
        options.kernel_initializer = -1
        fails(anneal_model_add_dense(model, 4, &options), ANNEAL_E_INVALID_ARGUMENT, "kernel_initializer -1")
        #expect(Support.lastError.contains("options->kernel_initializer"))
        options = Self.denseDefaults()
        options.bias_initializer = 11
        fails(anneal_model_add_dense(model, 4, &options), ANNEAL_E_INVALID_ARGUMENT, "bias_initializer 11")
        options = Self.denseDefaults()
        options.input_dim = -1
        fails(anneal_model_add_dense(model, 4, &options), ANNEAL_E_INVALID_ARGUMENT, "input_dim -1")
        fails(anneal_model_add_dense(model, 0, nil), ANNEAL_E_INVALID_ARGUMENT, "units 0")
        var layers: Int32 = -1
        ok(anneal_model_layer_count(model, &layers))
        #expect(layers == 0)
        options = Self.denseDefaults()
        options.use_bias = false
        options.input_dim = 3
        ok(anneal_model_add_dense(model, 4, &options))
        ok(anneal_model_add_dense(model, 2, nil))
        options.input_dim = 5
        fails(anneal_model_add_dense(model, 2, &options), ANNEAL_E_SHAPE_MISMATCH, "input_dim 5 after 4 units")
        var weights: Int32 = 0
        ok(anneal_model_weight_count(model, &weights))
        #expect(weights == 3, "no bias on the first layer, one on the second")
    }

    @Test func compileOptions() throws {
        var model: OpaquePointer?
        ok(anneal_model_create(1, &model))
        defer { anneal_model_free(model) }
        var options = Self.compileDefaults()
        fails(anneal_model_compile(model, nil), ANNEAL_E_NULL_POINTER, "NULL options")
        fails(anneal_model_compile(nil, &options), ANNEAL_E_INVALID_HANDLE, "NULL model")
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_STATE, "no layers")
        ok(anneal_model_add_dense(model, 3, nil))
        options.struct_size = 100
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "struct_size 100")
        options = Self.compileDefaults()
        options.loss = 42
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "loss 42")
        #expect(Support.lastError.contains("options->loss"))
        options = Self.compileDefaults()
        options.metric_count = 1
        fails(anneal_model_compile(model, &options), ANNEAL_E_NULL_POINTER, "metrics NULL")
        options.metric_count = -1
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "metric_count -1")
        options = Self.compileDefaults()
        options.momentum = 1.5
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "momentum 1.5")
        #expect(Support.lastError.contains("options->momentum must be between [0, 1]. Received: momentum=1.5"))
        options = Self.compileDefaults()
        options.learning_rate = .nan
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "learning_rate NaN")
        options = Self.compileDefaults()
        options.decay = -1
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "decay -1")
        options = Self.compileDefaults()
        options.optimizer = model
        fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_HANDLE, "model as optimizer")
        #expect(Support.lastError.contains("options->optimizer"))
        var count: Int32 = -1
        ok(anneal_model_metric_count(model, &count))
        #expect(count == 0)
        var codes: [Int32] = [ANNEAL_METRIC_CATEGORICAL_ACCURACY, 17]
        try codes.withUnsafeBufferPointer { codes in
            options = Self.compileDefaults()
            options.loss = ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY
            options.metrics = codes.baseAddress
            options.metric_count = 2
            fails(anneal_model_compile(model, &options), ANNEAL_E_INVALID_ARGUMENT, "metric 17")
            #expect(Support.lastError.contains("options->metrics[1]"))
            options.metric_count = 1
            ok(anneal_model_compile(model, &options))
            var name = [CChar](repeating: 0, count: 64)
            ok(anneal_model_metric_name(model, 0, &name, 64, nil))
            #expect(text(name) == "categorical_accuracy")
            // An optimizer handle replaces the inline SGD.
            var adam: OpaquePointer?
            ok(anneal_optimizer_adam(0.001, 0.9, 0.999, 1e-7, false, 0, nil, &adam))
            defer { anneal_optimizer_free(adam) }
            options.optimizer = adam
            options.momentum = 7  // ignored with an optimizer
            ok(anneal_model_compile(model, &options))
            var rate = 0.0
            ok(anneal_model_learning_rate(model, &rate))
            #expect(rate == Double(Float(0.001)))
            _ = try #require(adam)
        }
    }

    @Test func metricCodes() {
        var code: Int32 = -1
        for (name, expected) in [("accuracy", ANNEAL_METRIC_ACCURACY), ("acc", ANNEAL_METRIC_ACCURACY),
                                 ("binary_accuracy", ANNEAL_METRIC_BINARY_ACCURACY),
                                 ("categorical_accuracy", ANNEAL_METRIC_CATEGORICAL_ACCURACY),
                                 ("sparse_categorical_accuracy", ANNEAL_METRIC_SPARSE_CATEGORICAL_ACCURACY)] {
            ok(anneal_metric_from_name(name, &code))
            #expect(code == expected, "\(name)")
        }
        fails(anneal_metric_from_name("precision_at_11", &code), ANNEAL_E_INVALID_ARGUMENT, "unknown")
        fails(anneal_metric_from_name(nil, &code), ANNEAL_E_NULL_POINTER, "NULL name")
        fails(anneal_metric_from_name("accuracy", nil), ANNEAL_E_NULL_POINTER, "NULL out")
    }

    @Test("label matrices: create_labels, one_hot, label_columns, and a categorical fit on them")
    func labelMatrices() throws {
        let dataset = Self.ionosphere()
        defer { anneal_dataset_free(dataset) }
        var columns: Int32 = 0
        ok(anneal_dataset_label_columns(dataset, &columns))
        #expect(columns == 1)
        fails(anneal_dataset_label_columns(nil, &columns), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        fails(anneal_dataset_label_columns(dataset, nil), ANNEAL_E_NULL_POINTER, "NULL out")

        var oneHot: OpaquePointer? = OpaquePointer(bitPattern: 0xDEAD_BEEF)
        fails(anneal_dataset_one_hot(nil, 0, &oneHot), ANNEAL_E_INVALID_HANDLE, "NULL dataset")
        #expect(oneHot == nil)
        fails(anneal_dataset_one_hot(dataset, -1, &oneHot), ANNEAL_E_INVALID_ARGUMENT, "class_count -1")
        fails(anneal_dataset_one_hot(dataset, 0, nil), ANNEAL_E_NULL_POINTER, "NULL out")
        ok(anneal_dataset_one_hot(dataset, 0, &oneHot))
        defer { anneal_dataset_free(oneHot) }
        ok(anneal_dataset_label_columns(oneHot, &columns))
        #expect(columns == 2)
        var labels = [Float](repeating: 0, count: 702), plain = [Float](repeating: 0, count: 351)
        ok(anneal_dataset_copy_labels(oneHot, &labels, 702))
        ok(anneal_dataset_copy_labels(dataset, &plain, 351))
        #expect((0..<351).allSatisfy { labels[2 * $0 + Int(plain[$0])] == 1 && labels[2 * $0 + 1 - Int(plain[$0])] == 0 })
        fails(anneal_dataset_copy_labels(oneHot, &labels, 701), ANNEAL_E_BUFFER_TOO_SMALL, "capacity 701")
        var twice: OpaquePointer?
        fails(anneal_dataset_one_hot(oneHot, 2, &twice), ANNEAL_E_SHAPE_MISMATCH, "one-hot of one-hot")

        var numeric: OpaquePointer?
        ok(anneal_dataset_create([0, 0, 0], [0, 2.5, 1], 3, 1, &numeric))
        defer { anneal_dataset_free(numeric) }
        var out: OpaquePointer?
        fails(anneal_dataset_one_hot(numeric, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "no class names")
        fails(anneal_dataset_one_hot(numeric, 3, &out), ANNEAL_E_INVALID_ARGUMENT, "2.5 is no class")
        #expect(Support.lastError.contains("row 1"))
        fails(anneal_dataset_one_hot(numeric, 2, &out), ANNEAL_E_INVALID_ARGUMENT, "2.5 beyond 2 classes")

        fails(anneal_dataset_create_labels(nil, [1], 1, 1, 1, &out), ANNEAL_E_NULL_POINTER, "NULL features")
        fails(anneal_dataset_create_labels([1], nil, 1, 1, 1, &out), ANNEAL_E_NULL_POINTER, "NULL labels")
        fails(anneal_dataset_create_labels([1], [1], 1, 1, 0, &out), ANNEAL_E_INVALID_ARGUMENT, "label_columns 0")
        #expect(Support.lastError.contains("label_columns"))
        fails(anneal_dataset_create_labels([1], [1], 0, 1, 1, &out), ANNEAL_E_INVALID_ARGUMENT, "rows 0")
        fails(anneal_dataset_create_labels([1], [1], Int64.max, 1, 1, &out), ANNEAL_E_INVALID_ARGUMENT, "overflow")
        fails(anneal_dataset_create_labels([1], [0, .infinity], 1, 1, 2, &out), ANNEAL_E_NON_FINITE, "infinite label")
        fails(anneal_dataset_create_labels([1], [1], 1, 1, 1, nil), ANNEAL_E_NULL_POINTER, "NULL out")

        // softmax over two units with categorical_crossentropy trains on the one-hot labels; the same data
        // given as arrays through anneal_model_fit gives the same bits.
        func softmaxModel() -> OpaquePointer? {
            var model: OpaquePointer?
            ok(anneal_model_create(9, &model))
            var hidden = Self.denseDefaults()
            hidden.activation = ANNEAL_ACTIVATION_RELU
            hidden.input_dim = 34
            var output = Self.denseDefaults()
            output.activation = ANNEAL_ACTIVATION_SOFTMAX
            ok(anneal_model_add_dense(model, 8, &hidden))
            ok(anneal_model_add_dense(model, 2, &output))
            var compile = Self.compileDefaults()
            compile.loss = ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY
            compile.learning_rate = 0.1
            ok(anneal_model_compile(model, &compile))
            return model
        }
        let byDataset = softmaxModel(), byArrays = softmaxModel()
        defer { anneal_model_free(byDataset); anneal_model_free(byArrays) }
        var options = Self.fitDefaults()
        options.epochs = 2
        options.has_seed = true
        options.seed = 4
        var first: OpaquePointer?, second: OpaquePointer?
        ok(anneal_model_fit_dataset(byDataset, oneHot, &options, &first))
        let data = try CData.ionosphere()
        var seed: UInt64 = 4
        ok(fitArrays(byArrays, data.x, data.rows, data.columns, labels, 2, 2, 32, 0, true, &seed, nil, nil, nil, &second))
        defer { anneal_history_free(first); anneal_history_free(second) }
        expectSameBits(historyValues(first)["loss"], historyValues(second)["loss"], "categorical loss")
        #expect(weightBits(byDataset) == weightBits(byArrays))
    }

    @Test func historyLast() throws {
        let dataset = Self.ionosphere()
        defer { anneal_dataset_free(dataset) }
        let model = Self.optionsModel(seed: 1, learningRate: 0.01, momentum: 0)
        defer { anneal_model_free(model) }
        var options = Self.fitDefaults()
        options.epochs = 2
        var history: OpaquePointer?
        ok(anneal_model_fit_dataset(model, dataset, &options, &history))
        var value = -1.0
        fails(anneal_history_last(nil, "loss", &value), ANNEAL_E_INVALID_HANDLE, "NULL history")
        fails(anneal_history_last(history, nil, &value), ANNEAL_E_NULL_POINTER, "NULL key")
        fails(anneal_history_last(history, "loss", nil), ANNEAL_E_NULL_POINTER, "NULL out")
        fails(anneal_history_last(history, "val_loss", &value), ANNEAL_E_INVALID_ARGUMENT, "no validation")
        #expect(Support.lastError.contains("val_loss"))
        #expect(value == -1, "a failed call leaves out_value alone")
        ok(anneal_history_last(history, "loss", &value))
        #expect(value.bitPattern == historyValues(history)["loss"]?.last?.bitPattern)
        anneal_history_free(history)
        fails(anneal_history_last(history, "loss", &value), ANNEAL_E_INVALID_HANDLE, "freed history")
        options.epochs = 0
        ok(anneal_model_fit_dataset(model, dataset, &options, &history))
        defer { anneal_history_free(history) }
        let status = anneal_history_last(history, "loss", &value)
        #expect(status == ANNEAL_E_INVALID_ARGUMENT || status == ANNEAL_E_INVALID_STATE, "no epoch: \(status)")
    }
}
