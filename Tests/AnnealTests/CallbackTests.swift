import Foundation
import Testing
import Anneal

/// Every callback's edge behaviour against hand-worked values. Monitored values are scripted: either fed to
/// `onEpochEnd` directly on a compiled model, or written into the real epoch logs by `Script` during `fit`.
@Suite("Callbacks")
struct CallbackTests {
    // MARK: Helpers

    /// One sigmoid unit on two inputs, compiled with SGD at `learningRate`.
    static func tinyModel(learningRate: Float = 1, momentum: Float = 0) throws -> Sequential {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, activation: .sigmoid, inputDimension: 2))
        try model.compile(optimizer: SGD(learningRate: learningRate, momentum: momentum), loss: .binaryCrossentropy,
                          metrics: ["accuracy"])
        return model
    }

    /// `rows` rows of two features and a 0/1 label.
    static func data(rows: Int) throws -> (Matrix, Matrix) {
        let x = try Support.randomMatrix(rows: rows, columns: 2, seed: 21)
        let y = Matrix(column: (0..<rows).map { Float($0 % 2) })
        return (x, y)
    }

    /// Runs `callback` as `fit` would: `onTrainBegin`, one `onEpochEnd` per value (logged under `monitor`)
    /// until the callback sets `stopTraining`, then `onTrainEnd`; returns the base learning rate after each
    /// epoch and the logs each epoch ended with.
    @discardableResult
    static func drive(
        _ callback: any Callback, model: Sequential, monitor: String = "val_loss", values: [Double]
    ) throws -> (rates: [Float], logs: [Logs]) {
        var rates: [Float] = []
        var allLogs: [Logs] = []
        model.stopTraining = false
        try callback.onTrainBegin(model: model)
        for (epoch, value) in values.enumerated() {
            var logs = Logs()
            logs["loss"] = 1
            logs[monitor] = value
            try callback.onEpochEnd(epoch, logs: &logs, model: model)
            rates.append(model.optimizer?.learningRate ?? .nan)
            allLogs.append(logs)
            if model.stopTraining { break }
        }
        try callback.onTrainEnd(logs: allLogs.last ?? Logs(), model: model)
        return (rates, allLogs)
    }

    /// Writes `values[epoch]` under `key` into each epoch's logs during `fit` and keeps each epoch's weights.
    final class Script: Callback {
        let key: String
        let values: [Double]
        var weights: [[WeightTensor]] = []
        init(_ key: String, _ values: [Double]) {
            self.key = key
            self.values = values
        }
        func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
            logs[key] = values[epoch]
            weights.append(model.getWeights())
        }
    }

    /// Records every hook it sees as text, prefixed with its name.
    final class Recorder: Callback {
        let name: String
        var calls: [String] = []
        var epochEndKeys: [[String]] = []
        init(_ name: String) { self.name = name }
        func onTrainBegin(model: Sequential) throws { calls.append("\(name) train begin") }
        func onTrainEnd(logs: Logs, model: Sequential) throws { calls.append("\(name) train end") }
        func onEpochBegin(_ epoch: Int, model: Sequential) throws { calls.append("\(name) epoch \(epoch) begin") }
        func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
            calls.append("\(name) epoch \(epoch) end")
            epochEndKeys.append(logs.keys)
        }
        func onTrainBatchBegin(_ batch: Int, model: Sequential) throws { calls.append("\(name) batch \(batch) begin") }
        func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws { calls.append("\(name) batch \(batch) end") }
    }

    struct Boom: Error, Equatable { let site: String }

    static func sameBits(_ a: [WeightTensor], _ b: [WeightTensor]) -> Bool {
        a.map(\.shape) == b.map(\.shape) && a.map { $0.values.map(\.bitPattern) } == b.map { $0.values.map(\.bitPattern) }
    }

    // MARK: ReduceLROnPlateau

    @Test("ReduceLROnPlateau: patience counts epochs without improvement, then the rate drops and wait restarts")
    func plateauPatience() throws {
        // patience 2, factor 0.5, min_delta 0:
        // e0 1.0 best; e1 1.0 wait 1; e2 1.0 wait 2 -> lr 0.5, wait 0; e3 0.9 best; e4 wait 1; e5 wait 2 -> 0.25; e6 wait 1
        let model = try Self.tinyModel()
        let callback = try ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0)
        let (rates, logs) = try Self.drive(callback, model: model, values: [1, 1, 1, 0.9, 0.9, 0.9, 0.9])
        #expect(rates == [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
        // `lr` is logged first, so each epoch's logs show the rate that epoch trained with.
        #expect(logs.map { $0["lr"] } == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        #expect(logs[0].keys == ["loss", "val_loss", "lr"])
    }

    @Test("ReduceLROnPlateau: no counting during cooldown; the next cut comes patience epochs after it ends")
    func plateauCooldown() throws {
        // patience 1, cooldown 2, factor 0.5, a constant value:
        // e0 best; e1 wait 1 -> 0.5, cooldown 2; e2 cooldown 1; e3 cooldown 0, wait 1 -> 0.25, cooldown 2;
        // e4 cooldown 1; e5 -> 0.125; e6 cooldown 1; e7 -> 0.0625
        let model = try Self.tinyModel()
        let callback = try ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 0, cooldown: 2)
        let (rates, _) = try Self.drive(callback, model: model, values: Array(repeating: 1, count: 8))
        #expect(rates == [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625])
    }

    @Test("ReduceLROnPlateau: the rate never goes below min_lr, and stays there")
    func plateauMinimumRate() throws {
        // patience 1, factor 0.1, min_lr 0.05: 1 -> 0.1 -> max(0.01, 0.05) = 0.05 -> stays 0.05
        let model = try Self.tinyModel()
        let callback = try ReduceLROnPlateau(factor: 0.1, patience: 1, minDelta: 0, minLearningRate: 0.05)
        let (rates, _) = try Self.drive(callback, model: model, values: Array(repeating: 1, count: 6))
        #expect(rates == [1, 0.1, 0.05, 0.05, 0.05, 0.05])
    }

    @Test("ReduceLROnPlateau: an improvement must beat best by more than min_delta")
    func plateauMinimumDelta() throws {
        // min_delta 0.1, patience 1, factor 0.5: e0 1.0 best; e1 0.95 is not below 0.9 -> 0.5;
        // e2 0.85 < 0.9 -> best 0.85; e3 0.8 is not below 0.75 -> 0.25
        let model = try Self.tinyModel()
        let callback = try ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 0.1)
        let (rates, _) = try Self.drive(callback, model: model, values: [1, 0.95, 0.85, 0.8])
        #expect(rates == [1, 0.5, 0.5, 0.25])
        #expect(callback.best == 0.85)
    }

    @Test("ReduceLROnPlateau: mode auto maximises names containing acc; min and max can be forced")
    func plateauModes() throws {
        let rising: [Double] = [0.5, 0.6, 0.7]
        // auto on val_accuracy (max): always improving -> no cut.
        var (rates, _) = try Self.drive(try ReduceLROnPlateau(monitor: "val_accuracy", factor: 0.5, patience: 1, minDelta: 0),
                                        model: try Self.tinyModel(), monitor: "val_accuracy", values: rising)
        #expect(rates == [1, 1, 1])
        // auto on val_acc (max) too.
        (rates, _) = try Self.drive(try ReduceLROnPlateau(monitor: "val_acc", factor: 0.5, patience: 1, minDelta: 0),
                                    model: try Self.tinyModel(), monitor: "val_acc", values: rising)
        #expect(rates == [1, 1, 1])
        // forced min on the same values: every epoch after the first is a plateau.
        (rates, _) = try Self.drive(try ReduceLROnPlateau(monitor: "val_accuracy", factor: 0.5, patience: 1, mode: .min, minDelta: 0),
                                    model: try Self.tinyModel(), monitor: "val_accuracy", values: rising)
        #expect(rates == [1, 0.5, 0.25])
        // forced max on a falling loss.
        (rates, _) = try Self.drive(try ReduceLROnPlateau(factor: 0.5, patience: 1, mode: .max, minDelta: 0),
                                    model: try Self.tinyModel(), values: [0.7, 0.6, 0.5])
        #expect(rates == [1, 0.5, 0.25])
    }

    @Test("ReduceLROnPlateau: arguments are checked; a missing monitor only logs lr; state resets per fit")
    func plateauArgumentsAndReset() throws {
        expectAnnealError(.invalidArgument, mentioning: ["1.5"]) { _ = try ReduceLROnPlateau(factor: 1.5) }
        expectAnnealError(.invalidArgument, mentioning: ["patience=-1"]) { _ = try ReduceLROnPlateau(patience: -1) }
        let model = try Self.tinyModel()
        let callback = try ReduceLROnPlateau(factor: 0.5, patience: 1, minDelta: 0)
        let (rates, logs) = try Self.drive(callback, model: model, monitor: "other", values: [1, 1, 1])
        #expect(rates == [1, 1, 1])
        #expect(logs.allSatisfy { $0["lr"] == 1 })
        // A second run starts with best = +inf again: its first epoch is an improvement.
        try Self.drive(callback, model: model, values: [5, 5])
        #expect(model.optimizer?.learningRate == 0.5)
    }

    @Test("ReduceLROnPlateau in fit: History gets lr, and the cut takes effect from the next epoch")
    func plateauInFit() throws {
        let model = try Self.tinyModel(learningRate: 0.2)
        let (x, y) = try Self.data(rows: 8)
        // The scripted score never improves after epoch 0: patience 1 cuts at the end of epochs 1, 2, 3.
        let history = try model.fit(
            x, y, epochs: 4, batchSize: 4, verbose: 0,
            callbacks: [Script("score", [1, 1, 1, 1]), ReduceLROnPlateau(monitor: "score", factor: 0.5, patience: 1, minDelta: 0)])
        let lr = try #require(history["lr"])
        #expect(lr == [0.2, 0.2, 0.1, 0.05].map { Double(Float($0)) })
        #expect(model.optimizer?.learningRate == Float(0.025))
    }

    // MARK: EarlyStopping

    @Test("EarlyStopping: patience epochs without improvement stop training")
    func earlyStoppingPatience() throws {
        // patience 2: e0 best 1.0; e1 best 0.9; e2 wait 1; e3 wait 2 -> stop at epoch 3
        let model = try Self.tinyModel()
        let callback = try EarlyStopping(patience: 2)
        try callback.onTrainBegin(model: model)
        for (epoch, value) in [1.0, 0.9, 0.95, 0.96].enumerated() {
            var logs = Logs(["val_loss": value])
            try callback.onEpochEnd(epoch, logs: &logs, model: model)
            #expect(model.stopTraining == (epoch == 3), "epoch \(epoch)")
        }
        #expect(callback.stoppedEpoch == 3)
        #expect(callback.best == 0.9)
        #expect(callback.bestEpoch == 1)
    }

    @Test("EarlyStopping: patience 0 stops at the first epoch without improvement, never at epoch 0")
    func earlyStoppingNoPatience() throws {
        let model = try Self.tinyModel()
        let callback = try EarlyStopping(monitor: "loss", patience: 0)
        try Self.drive(callback, model: model, monitor: "loss", values: [1.0, 0.5, 0.6])
        #expect(callback.stoppedEpoch == 2)
        // A NaN at epoch 0 is no improvement, yet epoch 0 never stops.
        let nan = try EarlyStopping(patience: 0)
        try Self.drive(nan, model: model, values: [.nan])
        #expect(!model.stopTraining)
    }

    @Test("EarlyStopping: min_delta decides what counts as an improvement")
    func earlyStoppingMinimumDelta() throws {
        // min_delta 0.1, patience 1: 0.95 + 0.1 is not below 1.0 -> stop at epoch 1.
        let model = try Self.tinyModel()
        let strict = try EarlyStopping(minDelta: 0.1, patience: 1)
        try Self.drive(strict, model: model, values: [1.0, 0.95, 0.85])
        #expect(strict.stoppedEpoch == 1)
        // min_delta 0.01 (given negative: its size is what counts): both are improvements.
        let loose = try EarlyStopping(minDelta: -0.01, patience: 1)
        try Self.drive(loose, model: model, values: [1.0, 0.95, 0.85])
        #expect(loose.stoppedEpoch == 0)
        #expect(!model.stopTraining)
    }

    @Test("EarlyStopping: an improvement that misses the baseline does not reset the wait")
    func earlyStoppingBaseline() throws {
        // baseline 0.5, patience 2, a flat 1.0: e0 improves on +inf but not on 0.5, wait stays 1;
        // e1 wait 2 -> stop at epoch 1.  Without the baseline: e0 wait 0, e1 wait 1, e2 wait 2 -> stop at 2.
        let model = try Self.tinyModel()
        let withBaseline = try EarlyStopping(patience: 2, baseline: 0.5)
        try Self.drive(withBaseline, model: model, values: [1, 1, 1])
        #expect(withBaseline.stoppedEpoch == 1)
        let without = try EarlyStopping(patience: 2)
        try Self.drive(without, model: model, values: [1, 1, 1])
        #expect(without.stoppedEpoch == 2)
        // Values that beat the baseline reset the wait as usual.
        let beaten = try EarlyStopping(patience: 2, baseline: 0.5)
        try Self.drive(beaten, model: model, values: [0.4, 0.4, 0.3, 0.3])
        #expect(beaten.stoppedEpoch == 0)
    }

    @Test("EarlyStopping: start_from_epoch ignores the warm-up epochs; mode auto maximises accuracy")
    func earlyStoppingWarmUpAndMode() throws {
        // patience 0, start_from_epoch 2: epochs 0 and 1 are ignored; e2 best 7; e3 8 -> stop at 3.
        let model = try Self.tinyModel()
        let warm = try EarlyStopping(patience: 0, startFromEpoch: 2)
        try Self.drive(warm, model: model, values: [5, 6, 7, 8])
        #expect(warm.stoppedEpoch == 3)
        #expect(warm.best == 7)
        // auto on val_accuracy: a rising value never stops; forced min stops at the first rise.
        let accuracy = try EarlyStopping(monitor: "val_accuracy", patience: 0)
        try Self.drive(accuracy, model: model, monitor: "val_accuracy", values: [0.5, 0.6, 0.7])
        #expect(accuracy.stoppedEpoch == 0)
        let forced = try EarlyStopping(monitor: "val_accuracy", patience: 0, mode: .min)
        try Self.drive(forced, model: model, monitor: "val_accuracy", values: [0.5, 0.6, 0.7])
        #expect(forced.stoppedEpoch == 1)
    }

    @Test("EarlyStopping in fit: stopTraining ends fit after that epoch; History holds exactly the epochs run")
    func earlyStoppingEndsFit() throws {
        let model = try Self.tinyModel(learningRate: 0.1)
        let (x, y) = try Self.data(rows: 9)
        // patience 1 on a score that stops improving after epoch 1: stop at epoch 2 of 10.
        let script = Script("score", [3, 2, 2.5, 1, 1, 1, 1, 1, 1, 1])
        let history = try model.fit(x, y, epochs: 10, batchSize: 3, verbose: 0,
                                    callbacks: [script, EarlyStopping(monitor: "score", patience: 1)])
        #expect(history.epochs == [0, 1, 2])
        #expect(history["loss"]?.count == 3)
        #expect(history["score"] == [3, 2, 2.5])
        // Every batch of the stopping epoch ran.
        #expect(model.optimizer?.iterations == 9)
    }

    @Test("EarlyStopping restore_best_weights: the best epoch's weights come back at the end of training")
    func earlyStoppingRestoresBestWeights() throws {
        let (x, y) = try Self.data(rows: 8)
        // Training runs all 5 epochs (patience 10); the best score is at epoch 2.
        let model = try Self.tinyModel(learningRate: 0.5)
        let script = Script("score", [3, 2, 1, 4, 5])
        let early = try EarlyStopping(monitor: "score", patience: 10, restoreBestWeights: true)
        try model.fit(x, y, epochs: 5, batchSize: 4, verbose: 0, callbacks: [script, early])
        #expect(early.bestEpoch == 2)
        #expect(Self.sameBits(model.getWeights(), script.weights[2]))
        #expect(!Self.sameBits(script.weights[2], script.weights[4]), "training must have moved the weights")

        // Stopping early: patience 2, best at epoch 1, stop at epoch 3.
        let stopped = try Self.tinyModel(learningRate: 0.5)
        let script2 = Script("score", [3, 1, 2, 2, 0])
        let early2 = try EarlyStopping(monitor: "score", patience: 2, restoreBestWeights: true)
        let history = try stopped.fit(x, y, epochs: 5, batchSize: 4, verbose: 0, callbacks: [script2, early2])
        #expect(history.epochs == [0, 1, 2, 3])
        #expect(Self.sameBits(stopped.getWeights(), script2.weights[1]))

        // Without restore_best_weights the last weights stay.
        let kept = try Self.tinyModel(learningRate: 0.5)
        let script3 = Script("score", [3, 2, 1, 4, 5])
        try kept.fit(x, y, epochs: 5, batchSize: 4, verbose: 0,
                     callbacks: [script3, EarlyStopping(monitor: "score", patience: 10)])
        #expect(Self.sameBits(kept.getWeights(), script3.weights[4]))
    }

    @Test("EarlyStopping verbose messages are Keras's")
    func earlyStoppingMessages() throws {
        let model = try Self.tinyModel()
        var printed = ""
        model.output = { printed += $0 }
        let callback = try EarlyStopping(patience: 0, verbose: 1, restoreBestWeights: true)
        try Self.drive(callback, model: model, values: [1, 2])
        #expect(printed == "Epoch 2: early stopping\nRestoring model weights from the end of the best epoch: 1.\n")
    }

    // MARK: LearningRateScheduler

    @Test("LearningRateScheduler: the one-argument form sets the rate per epoch and logs lr")
    func schedulerOneArgument() throws {
        let model = try Self.tinyModel(learningRate: 0.5)
        let (x, y) = try Self.data(rows: 4)
        var seen: [Float] = []
        let probe = LambdaCallback(onBatchBegin: { _, model in seen.append(model.optimizer?.learningRate ?? .nan) })
        let history = try model.fit(x, y, epochs: 3, batchSize: 2, verbose: 0,
                                    callbacks: [LearningRateScheduler { epoch in 0.1 * Double(epoch + 1) }, probe])
        #expect(seen == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3].map { Float($0) })
        #expect(history["lr"] == [0.1, 0.2, 0.3].map { Double(Float($0)) })
        #expect(history.keys == ["loss", "accuracy", "lr"])
    }

    @Test("LearningRateScheduler: the two-argument form receives the current rate")
    func schedulerTwoArguments() throws {
        let model = try Self.tinyModel(learningRate: 0.8)
        let (x, y) = try Self.data(rows: 4)
        var received: [Double] = []
        let scheduler = LearningRateScheduler { (epoch: Int, rate: Double) in
            received.append(rate)
            return rate * 0.5
        }
        let history = try model.fit(x, y, epochs: 3, batchSize: 4, verbose: 0, callbacks: [scheduler])
        #expect(received == [0.8, 0.4, 0.2].map { Double(Float($0)) })
        #expect(history["lr"] == [0.4, 0.2, 0.1].map { Double(Float($0)) })
    }

    @Test("LearningRateScheduler: NaN, infinite or negative rates end fit with an error naming the epoch and value")
    func schedulerRejectsBadRates() throws {
        let (x, y) = try Self.data(rows: 4)
        for (bad, text) in [(Double.nan, "nan"), (-0.5, "-0.5"), (Double.infinity, "inf")] {
            let model = try Self.tinyModel(learningRate: 0.1)
            let scheduler = LearningRateScheduler { epoch in epoch == 1 ? bad : 0.1 }
            expectAnnealError(.invalidArgument, mentioning: ["epoch 1", text]) {
                try model.fit(x, y, epochs: 3, batchSize: 2, verbose: 0, callbacks: [scheduler])
            }
            // The rate of the last good epoch stays, and the model still trains.
            #expect(model.optimizer?.learningRate == Float(0.1))
            #expect(model.optimizer?.iterations == 2)
            try model.fit(x, y, epochs: 1, batchSize: 2, verbose: 0)
            #expect(model.optimizer?.iterations == 4)
        }
    }

    @Test("LearningRateScheduler verbose=1 prints Keras's message")
    func schedulerMessage() throws {
        let model = try Self.tinyModel(learningRate: 0.5)
        var printed = ""
        model.output = { printed += $0 }
        let (x, y) = try Self.data(rows: 4)
        try model.fit(x, y, epochs: 2, batchSize: 4, verbose: 0,
                      callbacks: [LearningRateScheduler(verbose: 1) { epoch in epoch == 0 ? 0.1 : 0.025 }])
        #expect(printed == "\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.\n"
                + "\nEpoch 2: LearningRateScheduler setting learning rate to 0.025.\n")
    }

    // MARK: ModelCheckpoint

    @Test("ModelCheckpoint formats the path with epoch and logs keys, and the file loads back")
    func checkpointPaths() throws {
        try Support.withTemporaryDirectory { directory in
            let model = try Self.tinyModel()
            let checkpoint = try ModelCheckpoint(filepath: directory + "/w.{epoch:02d}-{val_loss:.2f}.bin")
            var logs = Logs(["loss": 0.9, "val_loss": 0.6789])
            try checkpoint.onEpochEnd(0, logs: &logs, model: model)
            logs["val_loss"] = 0.1234
            try checkpoint.onEpochEnd(11, logs: &logs, model: model)
            #expect(checkpoint.savedPaths == [directory + "/w.01-0.68.bin", directory + "/w.12-0.12.bin"])
            for path in checkpoint.savedPaths { #expect(FileManager.default.fileExists(atPath: path)) }

            let copy = Sequential(seed: 99)
            try copy.add(Dense(1, activation: .sigmoid, inputDimension: 2))
            #expect(!Self.sameBits(copy.getWeights(), model.getWeights()))
            try copy.loadWeights(from: checkpoint.savedPaths[1])
            #expect(Self.sameBits(copy.getWeights(), model.getWeights()))

            // A key the logs do not hold is an error naming it.
            let missing = try ModelCheckpoint(filepath: directory + "/{val_auc:.2f}.bin")
            expectAnnealError(.invalidArgument, mentioning: ["val_auc"]) {
                try missing.onEpochEnd(0, logs: &logs, model: model)
            }
        }
    }

    @Test("ModelCheckpoint save_best_only writes only when the monitored value improves")
    func checkpointBestOnly() throws {
        try Support.withTemporaryDirectory { directory in
            let model = try Self.tinyModel(learningRate: 0.5)
            let (x, y) = try Self.data(rows: 4)
            let script = Script("score", [1.0, 0.8, 0.9, 0.7, 0.7])
            let checkpoint = try ModelCheckpoint(filepath: directory + "/{epoch}.bin", monitor: "score", saveBestOnly: true)
            try model.fit(x, y, epochs: 5, batchSize: 2, verbose: 0, callbacks: [script, checkpoint])
            #expect(checkpoint.savedPaths == ["1", "2", "4"].map { directory + "/\($0).bin" })
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            #expect(files == ["1.bin", "2.bin", "4.bin"])
            // The file of epoch 4 holds that epoch's weights.
            let copy = Sequential(seed: 2)
            try copy.add(Dense(1, activation: .sigmoid, inputDimension: 2))
            try copy.loadWeights(from: directory + "/4.bin")
            #expect(Self.sameBits(copy.getWeights(), script.weights[3]))

            // Mode auto maximises accuracy: a falling accuracy saves only the first epoch.
            let accuracy = try ModelCheckpoint(filepath: directory + "/acc{epoch}.bin", monitor: "val_accuracy", saveBestOnly: true)
            try Self.drive(accuracy, model: model, monitor: "val_accuracy", values: [0.9, 0.8, 0.85])
            #expect(accuracy.savedPaths == [directory + "/acc1.bin"])
        }
    }

    // MARK: CSVLogger

    @Test("CSVLogger writes epoch then the sorted keys, \\r\\n rows, values as Python's str(float)")
    func csvLoggerContents() throws {
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/log.csv"
            let model = try Self.tinyModel()
            let logger = try CSVLogger(filename: path)
            try logger.onTrainBegin(model: model)
            var first = Logs(["loss": 0.5, "accuracy": 0.75, "val_loss": 0.25, "lr": Double(Float(0.1))])
            try logger.onEpochEnd(0, logs: &first, model: model)
            var second = Logs(["loss": 0.125, "accuracy": 1, "val_loss": 1e-05, "lr": 0.05])
            try logger.onEpochEnd(1, logs: &second, model: model)
            try logger.onTrainEnd(logs: second, model: model)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "epoch,accuracy,loss,lr,val_loss\r\n"
                    + "0,0.75,0.5,0.10000000149011612,0.25\r\n"
                    + "1,1.0,0.125,0.05,1e-05\r\n")

            // append: a second run continues the file without a second header.
            let appending = try CSVLogger(filename: path, append: true)
            try appending.onTrainBegin(model: model)
            var third = Logs(["loss": 2, "accuracy": 0, "val_loss": 3, "lr": 0.5])
            try appending.onEpochEnd(0, logs: &third, model: model)
            try appending.onTrainEnd(logs: third, model: model)
            let appended = try String(contentsOfFile: path, encoding: .utf8)
            #expect(appended == text + "0,0.0,2.0,0.5,3.0\r\n")

            // Without append the file starts over; append to a new file writes the header.
            let fresh = directory + "/fresh.csv"
            let newFile = try CSVLogger(filename: fresh, separator: ";", append: true)
            try newFile.onTrainBegin(model: model)
            try newFile.onEpochEnd(0, logs: &third, model: model)
            try newFile.onTrainEnd(logs: third, model: model)
            #expect(try String(contentsOfFile: fresh, encoding: .utf8) == "epoch;accuracy;loss;lr;val_loss\r\n0;0.0;2.0;0.5;3.0\r\n")
            let overwrite = try CSVLogger(filename: path)
            try overwrite.onTrainBegin(model: model)
            try overwrite.onEpochEnd(0, logs: &third, model: model)
            try overwrite.onTrainEnd(logs: third, model: model)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "epoch,accuracy,loss,lr,val_loss\r\n0,0.0,2.0,0.5,3.0\r\n")
        }
    }

    @Test("CSVLogger in fit writes one row per epoch with History's values")
    func csvLoggerInFit() throws {
        try Support.withTemporaryDirectory { directory in
            let path = directory + "/fit.csv"
            let model = try Self.tinyModel(learningRate: 0.3)
            let (x, y) = try Self.data(rows: 10)
            let history = try model.fit(x, y, epochs: 2, batchSize: 4, verbose: 0,
                                        callbacks: [CSVLogger(filename: path)], validationSplit: 0.2)
            let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\r\n")
            #expect(lines.count == 4 && lines[3].isEmpty)
            #expect(lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss")
            for epoch in 0..<2 {
                let values = ["accuracy", "loss", "val_accuracy", "val_loss"].map { "\(history[$0]?[epoch] ?? .nan)" }
                #expect(lines[epoch + 1] == (["\(epoch)"] + values).joined(separator: ","))
            }
        }
    }

    // MARK: TerminateOnNaN

    @Test("TerminateOnNaN stops a diverging run after the first batch whose loss is not finite")
    func terminateOnNaN() throws {
        let model = Sequential(seed: 3)
        try model.add(Dense(1, activation: .linear, inputDimension: 2))
        try model.compile(optimizer: SGD(learningRate: 1e30), loss: .meanSquaredError)
        let x = try Support.randomMatrix(rows: 40, columns: 2, seed: 4)
        let y = try Support.randomMatrix(rows: 40, columns: 1, seed: 5)
        var printed = ""
        model.output = { printed += $0 }
        var losses: [Double] = []
        let probe = LambdaCallback(onBatchEnd: { _, logs, _ in losses.append(logs["loss"] ?? 0) })
        let history = try model.fit(x, y, epochs: 5, batchSize: 2, verbose: 0, callbacks: [probe, TerminateOnNaN()],
                                    shuffle: false)
        let bad = try #require(losses.firstIndex { !$0.isFinite })
        #expect(bad > 0 && bad < 19, "the run should diverge within the first epoch: \(losses)")
        #expect(losses.count == bad + 1, "no batch runs after the bad one")
        #expect(model.optimizer?.iterations == Int64(bad + 1))
        #expect(history.epochs == [0])
        #expect(printed == "Batch \(bad): Invalid loss, terminating training\n")
    }

    // MARK: Hooks, user callbacks, errors

    @Test("LambdaCallback and a Callback subclass see every hook in Keras order")
    func hookOrder() throws {
        let model = try Self.tinyModel(learningRate: 0.1)
        let (x, y) = try Self.data(rows: 6)
        var lambdaCalls: [String] = []
        let lambda = LambdaCallback(
            onEpochBegin: { epoch, _ in lambdaCalls.append("epoch \(epoch) begin") },
            onEpochEnd: { epoch, _, _ in lambdaCalls.append("epoch \(epoch) end") },
            onBatchBegin: { batch, _ in lambdaCalls.append("batch \(batch) begin") },
            onBatchEnd: { batch, _, _ in lambdaCalls.append("batch \(batch) end") },
            onTrainBegin: { _ in lambdaCalls.append("train begin") },
            onTrainEnd: { _, _ in lambdaCalls.append("train end") })
        let first = Recorder("first")
        let last = Recorder("last")
        try model.fit(x, y, epochs: 2, batchSize: 2, verbose: 0, callbacks: [first, lambda, last],
                      validationData: (x, y))
        var expected = ["train begin"]
        for epoch in 0..<2 {
            expected.append("epoch \(epoch) begin")
            for batch in 0..<3 { expected += ["batch \(batch) begin", "batch \(batch) end"] }
            expected.append("epoch \(epoch) end")
        }
        expected.append("train end")
        #expect(lambdaCalls == expected)
        #expect(first.calls == expected.map { "first " + $0 })
        #expect(last.calls == expected.map { "last " + $0 })
        #expect(first.epochEndKeys == Array(repeating: ["loss", "accuracy", "val_loss", "val_accuracy"], count: 2))
    }

    @Test("callbacks run in the order given, each seeing what the earlier ones did")
    func callbackOrder() throws {
        let model = try Self.tinyModel(learningRate: 0.1)
        let (x, y) = try Self.data(rows: 4)
        var order: [String] = []
        let a = LambdaCallback(onEpochEnd: { _, logs, _ in order.append("a sees \(logs.keys.last ?? "")") })
        let b = LambdaCallback(onEpochEnd: { _, logs, _ in order.append("b sees \(logs.keys.last ?? "")") })
        try model.fit(x, y, epochs: 1, batchSize: 4, verbose: 0,
                      callbacks: [a, Script("added", [1]), b])
        #expect(order == ["a sees accuracy", "b sees added"])
    }

    @Test("a callback that throws makes fit throw that same error; the model stays usable")
    func throwingCallback() throws {
        let model = try Self.tinyModel(learningRate: 0.1)
        let (x, y) = try Self.data(rows: 6)
        let thrower = LambdaCallback(onBatchBegin: { batch, model in
            if model.optimizer?.iterations == 4 { throw Boom(site: "batch \(batch)") }
        })
        let recorder = Recorder("after")
        #expect(throws: Boom(site: "batch 1")) {
            try model.fit(x, y, epochs: 3, batchSize: 2, verbose: 0, callbacks: [thrower, recorder])
        }
        // Epoch 0 (3 batches) and batch 0 of epoch 1 ran; nothing after the throw.
        #expect(model.optimizer?.iterations == 4)
        #expect(recorder.calls.last == "after batch 0 end")
        #expect(!recorder.calls.contains("after train end"))
        #expect(model.getWeights().allSatisfy { $0.values.allSatisfy(\.isFinite) })
        // Training and inference still work.
        let history = try model.fit(x, y, epochs: 1, batchSize: 2, verbose: 0)
        #expect(history.epochs == [0])
        #expect(model.optimizer?.iterations == 7)
        #expect(try model.predict(x).rows == 6)
        // A throw at epoch end (from a throwing epoch hook) is passed through the same way.
        let atEpochEnd = LambdaCallback(onEpochEnd: { epoch, _, _ in throw Boom(site: "epoch \(epoch)") })
        #expect(throws: Boom(site: "epoch 0")) {
            try model.fit(x, y, epochs: 2, batchSize: 2, verbose: 0, callbacks: [atEpochEnd])
        }
    }

    @Test("keys a user callback adds at epoch end reach History, after the built-in keys")
    func userKeysReachHistory() throws {
        final class Adds: Callback {
            func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
                logs["double_epoch"] = Double(2 * epoch)
                logs["loss_squared"] = (logs["loss"] ?? 0) * (logs["loss"] ?? 0)
            }
        }
        let model = try Self.tinyModel(learningRate: 0.1)
        let (x, y) = try Self.data(rows: 6)
        let history = try model.fit(x, y, epochs: 3, batchSize: 3, verbose: 0, callbacks: [Adds()], validationSplit: 0.5)
        #expect(history.keys == ["loss", "accuracy", "val_loss", "val_accuracy", "double_epoch", "loss_squared"])
        #expect(history["double_epoch"] == [0, 2, 4])
        let loss = try #require(history["loss"])
        #expect(history["loss_squared"] == loss.map { $0 * $0 })
    }
}
