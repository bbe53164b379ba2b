import AnnealKernels
import Foundation
import Testing
import Anneal

/// `fit`, `predict` and `evaluate` as Keras's: the validation split, batches per epoch, the console output
/// at each verbosity, determinism under a seed, result shapes, and every argument error.
@Suite("Fit")
struct FitTests {
    // MARK: Helpers

    static func compiledTutorialModel(seed: UInt64, optimizer: SGD? = nil) throws -> Sequential {
        let model = try Support.tutorialModel(seed: seed)
        try model.compile(optimizer: optimizer ?? SGD(learningRate: 0.1), loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    /// A Keras progress value: `%.4f` above 1e-3, `%.4e` otherwise.
    static func kerasNumber(_ value: Double) -> String {
        value > 1e-3 ? String(format: "%.4f", value) : String(format: "%.4e", value)
    }

    /// The ` - key: value` part of a progress line for epoch `epoch` of `history`, keys in History's order.
    static func expectedValues(_ history: History, epoch: Int) -> String {
        history.keys.filter { $0 != "effective_lr" }  // kept in History, not printed
            .map { "\($0): " + kerasNumber(history[$0]?[epoch] ?? .nan) }.joined(separator: " - ")
    }

    /// Fits with `verbose` and returns everything printed, split into lines.
    static func printedLines(
        _ model: Sequential, _ data: Dataset, epochs: Int, verbose: Int, callbacks: [any Callback] = []
    ) throws -> (lines: [String], history: History) {
        var printed = ""
        model.output = { printed += $0 }
        let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: epochs, batchSize: 28, verbose: verbose,
                                    callbacks: callbacks, validationSplit: 0.33)
        #expect(printed.hasSuffix("\n"))
        return (printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init), history)
    }

    static func bits(_ tensors: [WeightTensor]) -> [[UInt32]] { tensors.map { $0.values.map(\.bitPattern) } }

    /// The values in the middle of a verbose=2 line `9/9 - 0s - <values> - 3ms/epoch - 345us/step`, or nil
    /// when the line has another shape.
    static func values(inVerbose2Line line: String) throws -> String? {
        let shape = try Regex(#"9/9 - \d+s - (.*) - \d+(?:s|ms|us)/epoch - \d+(?:s|ms|us)/step"#)
        guard let match = line.wholeMatch(of: shape) else { return nil }
        return match.output[1].substring.map(String.init)
    }

    // MARK: Validation split and batches

    @Test("validation_split 0.33 on 351 rows: the first 235 rows train, the last 116 validate")
    func validationSplit() throws {
        let data = try Support.ionosphere()
        let model = try Self.compiledTutorialModel(seed: 3)
        let session = try TrainingSession(model: model, x: data.featureMatrix, y: data.labelMatrix, batchSize: 28,
                                          validationSplit: 0.33)
        #expect(session.trainingRows == 235)
        #expect(session.validationRows == 116)
        #expect(session.batchCount == 9)
        #expect(session.hasValidation)
        // val_loss is measured on the last 116 rows with the end-of-epoch weights.
        let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 1, batchSize: 28, verbose: 0,
                                    validationSplit: 0.33)
        let last = try model.evaluate(data.featureMatrix.rows(235..<351), data.labelMatrix.rows(235..<351), batchSize: 28)
        let first = try model.evaluate(data.featureMatrix.rows(0..<116), data.labelMatrix.rows(0..<116), batchSize: 28)
        let valLoss = try #require(history["val_loss"]?.first)
        #expect(isClose(valLoss, try #require(last["loss"]), tolerance: Tolerance.float32))
        #expect(!isClose(valLoss, try #require(first["loss"]), tolerance: Tolerance.float32))
        #expect(isClose(try #require(history["val_accuracy"]?.first), try #require(last["accuracy"]), tolerance: Tolerance.float32))
    }

    @Test("a validation split that leaves either side empty, or lies outside [0, 1), is an error")
    func badValidationSplits() throws {
        let model = try Self.compiledTutorialModel(seed: 3)
        let data = try Support.ionosphere()
        let x = data.featureMatrix
        let y = data.labelMatrix
        // 351 * (1 - 1e-20) is 351 in Double: nothing left to validate.
        expectAnnealError(.invalidArgument, mentioning: ["validation_split", "351"]) {
            try model.fit(x, y, verbose: 0, validationSplit: 1e-20)
        }
        // Two rows and 0.6: floor(0.8) = 0 rows to train on.
        expectAnnealError(.invalidArgument, mentioning: ["validation_split=0.6"]) {
            try model.fit(x.rows(0..<2), y.rows(0..<2), verbose: 0, validationSplit: 0.6)
        }
        for bad in [-0.1, 1, 1.5, .nan] {
            expectAnnealError(.invalidArgument, mentioning: ["validation_split"]) {
                try model.fit(x, y, verbose: 0, validationSplit: bad)
            }
        }
        #expect(model.optimizer?.iterations == 0, "a rejected fit trains nothing")
    }

    @Test("validation_data overrides validation_split")
    func validationDataOverrides() throws {
        let model = try Self.compiledTutorialModel(seed: 4)
        let data = try Support.ionosphere()
        let x = data.featureMatrix.rows(0..<100)
        let y = data.labelMatrix.rows(0..<100)
        let validation = (x: data.featureMatrix.rows(300..<320), y: data.labelMatrix.rows(300..<320))
        let session = try TrainingSession(model: model, x: x, y: y, batchSize: 28, validationSplit: 0.5,
                                          validationData: validation)
        #expect(session.trainingRows == 100)
        #expect(session.validationRows == 20)
        #expect(session.batchCount == 4)
        let history = try model.fit(x, y, epochs: 2, batchSize: 28, verbose: 0, validationSplit: 0.5,
                                    validationData: validation)
        let evaluated = try model.evaluate(validation.x, validation.y, batchSize: 28)
        #expect(isClose(try #require(history["val_loss"]?.last), try #require(evaluated["loss"]), tolerance: Tolerance.float32))
        #expect(model.optimizer?.iterations == 8)
    }

    @Test("updates per epoch are ceil(training rows / batch size)", arguments: [
        (rows: 10, batch: 3, batches: 4), (rows: 10, batch: 10, batches: 1), (rows: 10, batch: 100, batches: 1),
        (rows: 10, batch: 1, batches: 10), (rows: 235, batch: 28, batches: 9),
    ])
    func batchesPerEpoch(_ c: (rows: Int, batch: Int, batches: Int)) throws {
        let model = try Self.compiledTutorialModel(seed: 5)
        let data = try Support.ionosphere()
        var perEpoch: [Int] = []
        let counter = LambdaCallback(onEpochBegin: { _, _ in perEpoch.append(0) },
                                     onBatchBegin: { _, _ in perEpoch[perEpoch.count - 1] += 1 })
        try model.fit(data.featureMatrix.rows(0..<c.rows), data.labelMatrix.rows(0..<c.rows), epochs: 2,
                      batchSize: c.batch, verbose: 0, callbacks: [counter])
        #expect(perEpoch == [c.batches, c.batches])
        #expect(model.optimizer?.iterations == Int64(2 * c.batches))
    }

    // MARK: Console output

    @Test("verbose=2 prints Keras's epoch header and one line per epoch")
    func verboseTwo() throws {
        let data = try Support.ionosphere()
        let model = try Self.compiledTutorialModel(seed: 6)
        let (lines, history) = try Self.printedLines(model, data, epochs: 3, verbose: 2)
        print(lines.joined(separator: "\n")); #expect(lines.count == 6, "\(lines)")
        for epoch in 0..<3 {
            #expect(lines[2 * epoch] == "Epoch \(epoch + 1)/3")
            let line = lines[2 * epoch + 1]
            let middle = try #require(try Self.values(inVerbose2Line: line), "not a Keras verbose=2 line: \(line)")
            #expect(middle == Self.expectedValues(history, epoch: epoch))
            #expect(middle.hasPrefix("loss: 0.") && middle.contains(" - accuracy: 0.") && middle.contains(" - val_loss: ")
                    && middle.contains(" - val_accuracy: "), "\(line)")
        }
    }

    @Test("verbose=2 shows lr from a scheduler, not effective_lr (History keeps it), small values as %.4e")
    func verboseTwoRates() throws {
        let data = try Support.ionosphere()
        // Decay: effective_lr after epoch 1 is 0.1 / (1 + 0.002 * 9) = 0.098232.
        let decayed = try Self.compiledTutorialModel(seed: 7, optimizer: SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002))
        let (lines, decayedHistory) = try Self.printedLines(decayed, data, epochs: 1, verbose: 2)
        #expect(lines.count == 1, "one epoch: no Epoch header")
        let middle = try #require(try Self.values(inVerbose2Line: lines[0]), "\(lines)")
        #expect(middle.hasSuffix(" - val_accuracy: " + Self.kerasNumber(try #require(decayedHistory["val_accuracy"]?[0]))), "\(middle)")
        #expect(!middle.contains("effective_lr"), "Keras's own line: \(middle)")
        #expect(decayedHistory.keys.contains("effective_lr"))

        // A scheduler's lr comes after everything fit logs; 0.0005 prints as 5.0000e-04.
        let scheduled = try Self.compiledTutorialModel(seed: 7, optimizer: SGD(learningRate: 0, momentum: 0.9, decay: 0.001))
        let (scheduledLines, history) = try Self.printedLines(
            scheduled, data, epochs: 2, verbose: 2, callbacks: [LearningRateScheduler { epoch in epoch == 0 ? 0.1 : 0.0005 }])
        #expect(history.keys == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr", "lr"])
        let first = try #require(try Self.values(inVerbose2Line: scheduledLines[1]))
        let second = try #require(try Self.values(inVerbose2Line: scheduledLines[3]))
        #expect(first.hasSuffix(" - lr: 0.1000"), "\(first)")
        #expect(second.hasSuffix(" - val_accuracy: " + Self.kerasNumber(try #require(history["val_accuracy"]?[1])) + " - lr: 5.0000e-04"), "\(second)")
        #expect(second == Self.expectedValues(history, epoch: 1))
    }

    @Test("verbose=1 ends each epoch with a full 30-character bar, the step time and the values")
    func verboseOne() throws {
        let data = try Support.ionosphere()
        let model = try Self.compiledTutorialModel(seed: 8)
        var printed = ""
        model.output = { printed += $0 }
        let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 2, batchSize: 28, verbose: 1,
                                    validationSplit: 0.33)
        print(printed.debugDescription); let epochs = printed.components(separatedBy: "\n").dropLast()
        // Each epoch: its header line, then progress redrawn in place (\r) ending in the final line.
        #expect(epochs.count == 4, "\(epochs)")
        let finalLine = try Regex(#"9/9 \[={30}\] - \d+s \d+(?:s|ms|us)/step - (.*)"#)
        for epoch in 0..<2 {
            #expect(epochs[2 * epoch] == "Epoch \(epoch + 1)/2")
            let last = try #require(epochs[2 * epoch + 1].components(separatedBy: "\r").last)
            #expect(last.hasPrefix("9/9 [==============================] - "), "\(last)")
            let match = try #require(last.wholeMatch(of: finalLine), "\(last)")
            let middle = try #require(match.output[1].substring.map(String.init))
            #expect(middle.trimmingCharacters(in: .whitespaces) == Self.expectedValues(history, epoch: epoch))
        }
    }

    @Test("verbose=0 prints nothing, whatever the callbacks")
    func verboseZero() throws {
        let data = try Support.ionosphere()
        let model = try Self.compiledTutorialModel(seed: 9, optimizer: SGD(learningRate: 0.1, decay: 0.01))
        var calls = 0
        model.output = { _ in calls += 1 }
        try model.fit(data.featureMatrix, data.labelMatrix, epochs: 3, batchSize: 28, verbose: 0,
                      callbacks: [LearningRateScheduler { _ in 0.1 }], validationSplit: 0.33)
        #expect(calls == 0)
    }

    // MARK: Determinism

    @Test("the same seed gives bit-identical histories and weights, run after run")
    func sameSeedSameRun() throws {
        let data = try Support.ionosphere()
        func run(seed: UInt64, fitSeed: UInt64? = nil, shuffle: Bool = true) throws -> ([String: [Double]], [[UInt32]]) {
            let model = try Self.compiledTutorialModel(seed: seed, optimizer: SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002))
            let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 5, batchSize: 28, verbose: 0,
                                        validationSplit: 0.33, shuffle: shuffle, seed: fitSeed)
            return (history.history, Self.bits(model.getWeights()))
        }
        let reference = try run(seed: 42)
        for _ in 0..<3 {
            let again = try run(seed: 42)
            #expect(again.0 == reference.0)
            #expect(again.1 == reference.1)
        }
        // Another model seed: other initial weights, other shuffles.
        let other = try run(seed: 43)
        #expect(other.0 != reference.0)
        #expect(other.1 != reference.1)
        // Same model seed, another fit seed: same start, other batch orders.
        let reseeded = try run(seed: 42, fitSeed: 1)
        #expect(reseeded.1 != reference.1)
        #expect(try run(seed: 42, fitSeed: 1).1 == reseeded.1)
        // Without shuffling the fit seed plays no part.
        #expect(try run(seed: 42, fitSeed: 1, shuffle: false).1 == (try run(seed: 42, fitSeed: 2, shuffle: false).1))
    }

    @Test("fit without callbacks (validation on the helper thread, a copy of the weights) gives the callback loop's bits",
          arguments: [false, true])
    func quietFitMatchesTheCallbackLoop(validationData: Bool) throws {
        let data = try Support.ionosphere()
        let held = validationData ? (x: data.featureMatrix, y: data.labelMatrix) : nil
        func run(_ callbacks: [any Callback]) throws -> (History, [[UInt32]]) {
            let model = try Self.compiledTutorialModel(seed: 8, optimizer: SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002))
            let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 12, batchSize: 28, verbose: 0,
                                        callbacks: callbacks, validationSplit: 0.33, validationData: held,
                                        initialEpoch: 2)
            return (history, Self.bits(model.getWeights()))
        }
        let (quiet, quietWeights) = try run([])
        let (looped, loopedWeights) = try run([LambdaCallback()])
        #expect(quiet.keys == ["loss", "accuracy", "val_loss", "val_accuracy", "effective_lr"])
        #expect(quiet.keys == looped.keys && quiet.epochs == Array(2..<12) && quiet.epochs == looped.epochs)
        for key in quiet.keys {
            #expect(quiet[key]?.map(\.bitPattern) == looped[key]?.map(\.bitPattern), "\(key)")
        }
        #expect(quietWeights == loopedWeights)
    }

    /// A model past `Network.layerUpdateMinimum` whose first layer's forward product packs its kernel: its
    /// training keeps that packed copy between the batches of an epoch.
    static func packingModel(seed: UInt64) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dense(256, activation: .relu, inputDimension: 300))
        try model.add(Dense(64, activation: .relu))
        try model.add(Dense(3, activation: .softmax))
        try model.compile(optimizer: try SGD(learningRate: 0.05, momentum: 0.9), loss: .sparseCategoricalCrossentropy,
                          metrics: ["accuracy"])
        return model
    }

    @Test("a big model: fit without callbacks (packed kernels kept between batches) gives the callback loop's bits")
    func packedKernelsKeptBetweenBatches() throws {
        let x = try Support.randomMatrix(rows: 200, columns: 300, seed: 21)
        let y = Matrix(column: (0..<200).map { Float($0 % 3) })
        func run(_ callbacks: [any Callback]) throws -> (History, [[UInt32]]) {
            let model = try Self.packingModel(seed: 22)
            let history = try model.fit(x, y, epochs: 3, batchSize: 32, verbose: 0, callbacks: callbacks,
                                        validationSplit: 0.2)
            return (history, Self.bits(model.getWeights()))
        }
        let (quiet, quietWeights) = try run([])
        let (looped, loopedWeights) = try run([LambdaCallback()])
        for key in quiet.keys {
            #expect(quiet[key]?.map(\.bitPattern) == looped[key]?.map(\.bitPattern), "\(key)")
        }
        let differing = zip(quietWeights.joined(), loopedWeights.joined()).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) weights differ")
    }

    /// The `ANNEAL_KERNELS` name of each level (`anneal_kernels_best_level`'s).
    static let levelNames: [(level: anneal_kernels_level, name: String)] = [
        (ANNEAL_KERNELS_PORTABLE_NO_FMA, "portable-no-fma"), (ANNEAL_KERNELS_PORTABLE, "portable"),
        (ANNEAL_KERNELS_AVX2, "avx2"), (ANNEAL_KERNELS_AVX512, "avx512"),
    ]

    @Test("fit gives the same bits at every kernel level the CPU runs (one process per ANNEAL_KERNELS value)")
    func sameBitsAtEveryLevel() throws {
        let helper = try #require(Support.builtExecutable("anneal-fit-bits"),
                                  "anneal-fit-bits not built: run `swift build` before `swift test`")
        func run(_ environment: [String: String]) throws -> String {
            let (status, text) = try Support.runHelper(helper, environment: environment)
            #expect(status == 0, "the helper failed with \(environment): \(text)")
            return text
        }
        let levels = Self.levelNames.filter { anneal_kernels_supported($0.level) }
        // The widest level on the helper thread's default, then every level on one thread: also the portable
        // level without FMA, which a CPU without FMA runs and which this one runs only when told to.
        let reference = try run(["ANNEAL_KERNELS": levels.last!.name])
        try #require(reference.split(separator: "\n").count == 2, "unexpected helper output: \(reference)")
        for (_, name) in levels {
            #expect(try run(["ANNEAL_KERNELS": name, "ANNEAL_THREADS": "1"]) == reference, "level \(name)")
        }
        #expect(try run(["ANNEAL_KERNELS": "portable-no-fma"]) == reference, "portable-no-fma on two threads")
    }

    @Test("weights set between a session's epochs are the ones the next epoch trains (no stale packed kernel)")
    func weightsSetBetweenEpochs() throws {
        let x = try Support.randomMatrix(rows: 96, columns: 300, seed: 23)
        let y = Matrix(column: (0..<96).map { Float($0 % 3) })
        func run(byBatch: Bool) throws -> [[UInt32]] {
            let model = try Self.packingModel(seed: 24)
            let session = try TrainingSession(model: model, x: x, y: y, batchSize: 32, seed: 25)
            for epoch in 0..<2 {
                if epoch == 1 {
                    // Halve every weight: the first layer's packed copy no longer matches.
                    try model.setWeights(model.getWeights().map { WeightTensor(shape: $0.shape, values: $0.values.map { $0 / 2 }) })
                }
                if byBatch {
                    session.beginEpoch()
                    for batch in 0..<session.batchCount { try session.trainBatch(batch) }
                } else {
                    _ = try session.trainEpoch()
                }
            }
            return Self.bits(model.getWeights())
        }
        let (byEpoch, byBatch) = (try run(byBatch: false), try run(byBatch: true))
        let differing = zip(byEpoch.joined(), byBatch.joined()).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) weights differ")
    }

    @Test("with the helper thread held by the caller, fit without callbacks validates inline: the same bits")
    func quietFitWithTheHelperHeld() throws {
        let data = try Support.ionosphere()
        func run(_ callbacks: [any Callback]) throws -> [String: [Double]] {
            let model = try Self.compiledTutorialModel(seed: 9, optimizer: SGD(learningRate: 0.1, momentum: 0.8))
            return try model.fit(data.featureMatrix, data.labelMatrix, epochs: 6, batchSize: 28, verbose: 0,
                                 callbacks: callbacks, validationSplit: 0.33).history
        }
        let reference = try run([LambdaCallback()])
        // A task started from this thread keeps the helper this thread's until task_finish, so the fit's own
        // task_start fails and each validation runs here (as on a one-core machine or a busy helper).
        let held = anneal_kernels_task_start({ _ in }, nil)
        defer { if held { anneal_kernels_task_finish() } }
        #expect(try run([]) == reference)
    }

    @Test("the same seed gives the same initial weights; different seeds differ")
    func seededInitialWeights() throws {
        #expect(Self.bits(try Support.tutorialModel(seed: 10).getWeights()) == Self.bits(try Support.tutorialModel(seed: 10).getWeights()))
        #expect(Self.bits(try Support.tutorialModel(seed: 10).getWeights()) != Self.bits(try Support.tutorialModel(seed: 11).getWeights()))
    }

    // MARK: predict and evaluate

    @Test("predict returns one row per sample and one column per unit, whatever the batch size")
    func predictShapes() throws {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: 12)
        let all = try model.predict(data.featureMatrix)
        #expect(all.rows == 351 && all.columns == 1)
        #expect(all.values.allSatisfy { $0 > 0 && $0 < 1 })
        for batch in [1, 7, 351, 1000] {
            #expect(try model.predict(data.featureMatrix, batchSize: batch).values.map(\.bitPattern) == all.values.map(\.bitPattern))
        }
        let classes = Sequential(seed: 13)
        try classes.add(Dense(5, activation: .tanh, inputDimension: 34))
        try classes.add(Dense(3, activation: .softmax))
        let probabilities = try classes.predict(data.featureMatrix.rows(0..<10))
        #expect(probabilities.rows == 10 && probabilities.columns == 3)
        for row in 0..<10 {
            let sum = (0..<3).reduce(0.0) { $0 + Double(probabilities[row, $1]) }
            #expect(isClose(sum, 1, tolerance: Tolerance.float32))
        }
    }

    @Test("evaluate returns loss then each metric under the compiled names")
    func evaluateLogs() throws {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: 14)
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: .binaryCrossentropy, metrics: ["acc"])
        let whole = try model.evaluate(data.featureMatrix, data.labelMatrix, batchSize: 351)
        #expect(whole.keys == ["loss", "acc"])
        let small = try model.evaluate(data.featureMatrix, data.labelMatrix, batchSize: 5)
        #expect(isClose(try #require(small["loss"]), try #require(whole["loss"]), tolerance: Tolerance.float32))
        #expect(small["acc"] == whole["acc"])
        // The accuracy is the share of rows whose prediction falls on the label's side of 0.5.
        let predictions = try model.predict(data.featureMatrix)
        let correct = (0..<351).filter { (predictions[$0, 0] > 0.5 ? 1 : 0) == data.labelMatrix[$0, 0] }.count
        #expect(isClose(try #require(whole["acc"]), Double(correct) / 351, tolerance: Tolerance.float32))
    }

    @Test("predict and evaluate reject bad input with the right kind of error")
    func inferenceErrors() throws {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: 15)
        expectAnnealError(.shapeMismatch, mentioning: ["34", "33"]) {
            _ = try model.predict(Matrix(zeros: 2, 33))
        }
        expectAnnealError(.invalidArgument, mentioning: ["batch_size=0"]) { _ = try model.predict(data.featureMatrix, batchSize: 0) }
        expectAnnealError(.invalidArgument, mentioning: ["no rows"]) { _ = try model.predict(Matrix(zeros: 0, 34)) }
        var poisoned = data.featureMatrix
        poisoned[2, 7] = .infinity
        expectAnnealError(.nonFinite, mentioning: ["row 2", "column 7", "inf"]) { _ = try model.predict(poisoned) }
        expectAnnealError(.invalidState, mentioning: ["compile"]) {
            _ = try model.evaluate(data.featureMatrix, data.labelMatrix)
        }
        expectAnnealError(.invalidState, mentioning: ["no layers"]) { _ = try Sequential(seed: 1).predict(data.featureMatrix) }
        try model.compile(optimizer: SGD(), loss: .binaryCrossentropy, metrics: ["accuracy"])
        expectAnnealError(.shapeMismatch, mentioning: ["351", "350"]) {
            _ = try model.evaluate(data.featureMatrix, data.labelMatrix.rows(0..<350))
        }
    }

    @Test("the finite check finds the first NaN or infinity anywhere, and passes every finite value")
    func finiteCheck() throws {
        let finite: [Float] = [0, -0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
                               -.leastNormalMagnitude, 1, -1]
        for count in [0, 1, 7, 16, 33, 1000] {
            let values = (0..<count).map { finite[$0 % finite.count] }
            #expect(indexOfFirstNonFinite(values) == nil)
            for bad: Float in [.nan, -.nan, .signalingNaN, .infinity, -.infinity] where count > 0 {
                for at in Set([0, count / 2, count - 1]) {
                    var poisoned = values
                    poisoned[at] = bad
                    if at + 1 < count { poisoned[count - 1] = .nan }  // a later one is not the first
                    #expect(indexOfFirstNonFinite(poisoned) == at)
                }
            }
        }
        let matrix = try Matrix(rows: 3, columns: 4, values: (0..<12).map { $0 == 9 ? -.infinity : Float($0) })
        let found = try #require(matrix.firstNonFinite())
        #expect(found.row == 2 && found.column == 1 && found.value == -.infinity)
    }

    // MARK: fit errors

    @Test("fit rejects every bad argument with the right kind and a message naming the problem")
    func fitErrors() throws {
        let data = try Support.ionosphere()
        let x = data.featureMatrix
        let y = data.labelMatrix
        let uncompiled = try Support.tutorialModel(seed: 16)
        expectAnnealError(.invalidState, mentioning: ["compile()"]) { try uncompiled.fit(x, y, verbose: 0) }

        let model = try Self.compiledTutorialModel(seed: 16)
        let before = Self.bits(model.getWeights())
        expectAnnealError(.shapeMismatch, mentioning: ["expects 34", "received 33"]) {
            try model.fit(Matrix(zeros: 351, 33), y, verbose: 0)
        }
        expectAnnealError(.shapeMismatch, mentioning: ["351 rows", "y has 350"]) {
            try model.fit(x, y.rows(0..<350), verbose: 0)
        }
        expectAnnealError(.shapeMismatch, mentioning: ["2 columns", "expects 1"]) {
            try model.fit(x, Matrix(zeros: 351, 2), verbose: 0)
        }
        var xNaN = x
        xNaN[3, 5] = .nan
        expectAnnealError(.nonFinite, mentioning: ["x holds nan", "row 3", "column 5"]) { try model.fit(xNaN, y, verbose: 0) }
        var yNaN = y
        yNaN[10, 0] = .nan
        expectAnnealError(.nonFinite, mentioning: ["y holds nan", "row 10"]) { try model.fit(x, yNaN, verbose: 0) }
        expectAnnealError(.invalidArgument, mentioning: ["batch_size=0"]) { try model.fit(x, y, batchSize: 0, verbose: 0) }
        expectAnnealError(.invalidArgument, mentioning: ["batch_size=-3"]) { try model.fit(x, y, batchSize: -3, verbose: 0) }
        expectAnnealError(.invalidArgument, mentioning: ["validation_split=1.5"]) {
            try model.fit(x, y, verbose: 0, validationSplit: 1.5)
        }
        expectAnnealError(.invalidArgument, mentioning: ["epochs=-1"]) { try model.fit(x, y, epochs: -1, verbose: 0) }
        expectAnnealError(.invalidArgument, mentioning: ["verbose=3"]) { try model.fit(x, y, verbose: 3) }
        expectAnnealError(.shapeMismatch, mentioning: ["validation", "33"]) {
            try model.fit(x, y, verbose: 0, validationData: (Matrix(zeros: 5, 33), Matrix(zeros: 5, 1)))
        }
        expectAnnealError(.invalidArgument, mentioning: ["no rows"]) { try model.fit(Matrix(zeros: 0, 34), Matrix(zeros: 0, 1), verbose: 0) }
        // None of these touched the model.
        #expect(Self.bits(model.getWeights()) == before)
        #expect(model.optimizer?.iterations == 0)
    }

    @Test("sparse labels must be class indices of the output")
    func sparseLabelErrors() throws {
        let model = Sequential(seed: 17)
        try model.add(Dense(3, activation: .softmax, inputDimension: 2))
        try model.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy, metrics: ["accuracy"])
        let x = try Support.randomMatrix(rows: 3, columns: 2, seed: 1)
        expectAnnealError(.invalidArgument, mentioning: ["y[1] = 3.0", "[0, 3)"]) {
            try model.fit(x, Matrix(column: [0, 3, 1]), verbose: 0)
        }
        expectAnnealError(.invalidArgument, mentioning: ["y[2] = 0.5"]) {
            try model.fit(x, Matrix(column: [0, 1, 0.5]), verbose: 0)
        }
        try model.fit(x, Matrix(column: [0, 2, 1]), verbose: 0)
    }
}
