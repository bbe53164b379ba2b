import Foundation
import Testing
@testable import Anneal

/// The Keras 2 (legacy) optimizers' update rules: hand-worked first steps, several updates against an
/// independent float64 reference written from the formulas (not from the Float32 code's order), the shared
/// decay and schedule, the state buffers by Keras's slot names, and Keras's argument checks.
@Suite("Optimizers")
struct OptimizerTests {
    /// Four parameters and the gradients of five updates (one row per update).
    static let start: [Double] = [0.3, -0.7, 1.1, 0.05]
    static let gradients: [[Double]] = [
        [0.5, -0.25, 0.125, -1.5],
        [0.4, 0.1, -0.3, -1.2],
        [-0.2, 0.35, 0.05, 0.9],
        [0.6, -0.45, 0.2, 0.01],
        [0.0, 0.3, -0.6, -0.8],
    ]

    /// Runs `optimizer` over the five updates; the parameters after each.
    static func run(_ optimizer: Optimizer) throws -> [[Double]] {
        var w = start.map(Float.init)
        var after: [[Double]] = []
        for row in gradients {
            let g = row.map(Float.init)
            try w.withUnsafeMutableBufferPointer { wp in
                try g.withUnsafeBufferPointer { gp in
                    try optimizer.update(parameters: wp.baseAddress!, gradients: gp.baseAddress!, count: wp.count)
                }
            }
            after.append(w.map(Double.init))
        }
        return after
    }

    /// A float64 replay: `rule(t, lr_t, i, g)` returns parameter i's step (added to w) at update t (1-based).
    static func reference(lr: Double, decay: Double = 0, _ rule: (Int, Double, Int, Double) -> Double) -> [[Double]] {
        var w = start
        var after: [[Double]] = []
        for (index, row) in gradients.enumerated() {
            let rate = lr / (1 + decay * Double(index))
            for i in w.indices { w[i] += rule(index + 1, rate, i, row[i]) }
            after.append(w)
        }
        return after
    }

    static func expectClose(_ actual: [[Double]], _ expected: [[Double]], _ label: String, tolerance: Double = 2e-6) {
        for (t, (a, e)) in zip(actual, expected).enumerated() {
            for i in a.indices {
                #expect(abs(a[i] - e[i]) <= tolerance * max(1, abs(e[i])), "\(label) update \(t + 1) w[\(i)]: \(a[i]) vs \(e[i])")
            }
        }
    }

    @Test("hand-worked first steps: Adam moves by lr · sign(g), Adagrad by lr · g / sqrt(0.1 + g²)")
    func handWorked() throws {
        /// The first update's step of parameter `i`, against the Float32 start (one ulp of 1.1 is 1.2e-7).
        func firstStep(_ optimizer: Optimizer, _ i: Int) throws -> Double { try Self.run(optimizer)[0][i] - Double(Float(Self.start[i])) }
        let ulp = 1.2e-7
        // Adam: m = 0.1 g, v = 0.001 g², alpha = lr sqrt(0.001) / 0.1, so the step is
        // lr · g sqrt(0.001) / (|g| sqrt(0.001) + 1e-7) = 0.001 · 0.0158114 / 0.0158115 for g = 0.5.
        #expect(try abs(firstStep(Adam(), 0) - -0.00099999368) < ulp)
        #expect(try abs(firstStep(Adam(), 1) - 0.00099998735) < ulp)
        // Adagrad(0.01): acc = 0.1 + 0.25, step = -0.01 · 0.5 / sqrt(0.35) = -0.0084515425.
        #expect(try abs(firstStep(Adagrad(learningRate: 0.01), 0) - -0.0084515425) < ulp)
        // Adamax: m = 0.05, u = 0.5, step = -0.001 / 0.1 · 0.05 / 0.5 = -0.001 (lr · sign(g) again).
        #expect(try abs(firstStep(Adamax(), 0) - -0.001) < ulp)
        // Adadelta(1): acc = 0.05 · 0.25, update = sqrt(1e-7) / sqrt(0.0125 + 1e-7) · 0.5 = 0.0014142.
        #expect(try abs(firstStep(Adadelta(learningRate: 1), 0) - -(1e-7).squareRoot() / (0.0125 + 1e-7).squareRoot() * 0.5) < ulp)
    }

    @Test("Adam and amsgrad follow the float64 reference, with decay")
    func adam() throws {
        for amsgrad in [false, true] {
            let (b1, b2, eps) = (0.9, 0.999, 1e-7)
            var m = [Double](repeating: 0, count: 4), v = m, vhat = m
            let expected = Self.reference(lr: 0.01, decay: 0.05) { t, lr, i, g in
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                vhat[i] = max(vhat[i], v[i])
                let alpha = lr * (1 - pow(b2, Double(t))).squareRoot() / (1 - pow(b1, Double(t)))
                return -alpha * m[i] / ((amsgrad ? vhat[i] : v[i]).squareRoot() + eps)
            }
            let optimizer = try Adam(learningRate: 0.01, amsgrad: amsgrad, decay: 0.05)
            Self.expectClose(try Self.run(optimizer), expected, "Adam amsgrad=\(amsgrad)")
            #expect(optimizer.stateNames == (amsgrad ? ["m", "v", "vhat"] : ["m", "v"]))
            #expect(optimizer.iterations == 5)
            let moments = try #require(optimizer.stateValues("m"))
            for i in 0..<4 { #expect(abs(Double(moments[i]) - m[i]) < 1e-6) }
        }
    }

    @Test("RMSprop: epsilon outside the root without momentum, inside with it; centered", arguments: [
        (0.0, false), (0.0, true), (0.9, false), (0.9, true),
    ])
    func rmsprop(momentum: Double, centered: Bool) throws {
        let (rho, eps) = (0.9, 1e-7)
        var ms = [Double](repeating: 0, count: 4), mg = ms, mom = ms
        let expected = Self.reference(lr: 0.01, decay: 0.02) { _, lr, i, g in
            ms[i] = rho * ms[i] + (1 - rho) * g * g
            mg[i] = rho * mg[i] + (1 - rho) * g
            let meanSquare = centered ? ms[i] - mg[i] * mg[i] : ms[i]
            if momentum == 0 { return -lr * g / (meanSquare.squareRoot() + eps) }
            mom[i] = momentum * mom[i] + lr * g / (meanSquare + eps).squareRoot()
            return -mom[i]
        }
        let optimizer = try RMSprop(learningRate: 0.01, momentum: Float(momentum), centered: centered, decay: 0.02)
        Self.expectClose(try Self.run(optimizer), expected, "RMSprop momentum=\(momentum) centered=\(centered)", tolerance: 1e-5)
        #expect(optimizer.stateNames == ["rms"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["mg"] : []))
    }

    @Test("Adagrad, Adadelta and Adamax follow the float64 reference")
    func accumulators() throws {
        var acc = [Double](repeating: 0.1, count: 4)
        let adagrad = Self.reference(lr: 0.05, decay: 0.1) { _, lr, i, g in
            acc[i] += g * g
            return -lr * g / (acc[i].squareRoot() + 1e-7)
        }
        Self.expectClose(try Self.run(try Adagrad(learningRate: 0.05, decay: 0.1)), adagrad, "Adagrad")

        var accGrad = [Double](repeating: 0, count: 4), accVar = accGrad
        let adadelta = Self.reference(lr: 1.0) { _, lr, i, g in
            accGrad[i] = 0.95 * accGrad[i] + 0.05 * g * g
            let update = ((accVar[i] + 1e-7) / (accGrad[i] + 1e-7)).squareRoot() * g
            accVar[i] = 0.95 * accVar[i] + 0.05 * update * update
            return -lr * update
        }
        Self.expectClose(try Self.run(try Adadelta(learningRate: 1)), adadelta, "Adadelta", tolerance: 1e-5)

        var m = [Double](repeating: 0, count: 4), u = m
        let adamax = Self.reference(lr: 0.002) { t, lr, i, g in
            m[i] = 0.9 * m[i] + 0.1 * g
            u[i] = max(0.999 * u[i], abs(g))
            return -lr / (1 - pow(0.9, Double(t))) * m[i] / (u[i] + 1e-7)
        }
        Self.expectClose(try Self.run(try Adamax(learningRate: 0.002)), adamax, "Adamax")
    }

    @Test("Nadam follows the float64 reference with its momentum-cache product; decay is not time-based")
    func nadam() throws {
        let (b1, b2, eps) = (0.9, 0.999, 1e-7)
        var m = [Double](repeating: 0, count: 4), v = m
        var cache = 1.0
        var lastStep = 0
        var cacheNew = 1.0, cacheNext = 1.0
        let expected = Self.reference(lr: 0.002) { t, lr, i, g in
            let mu = { (s: Int) in b1 * (1 - 0.5 * pow(0.96, 0.004 * Double(s))) }
            if t != lastStep {  // the schedule advances once per update
                lastStep = t
                cache *= mu(t)
                cacheNew = cache
                cacheNext = cache * mu(t + 1)
            }
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            let mBar = (1 - mu(t)) * g / (1 - cacheNew) + mu(t + 1) * m[i] / (1 - cacheNext)
            let vPrime = v[i] / (1 - pow(b2, Double(t)))
            return -lr * mBar / (vPrime.squareRoot() + eps)
        }
        let optimizer = try Nadam(learningRate: 0.002)
        Self.expectClose(try Self.run(optimizer), expected, "Nadam")
        #expect(abs(Double(optimizer.momentumCache) - cache) < 1e-6)
        #expect(optimizer.decay == 0 && optimizer.effectiveLearningRate == Float(0.002))
    }

    @Test("every optimizer shares the decayed rate, the schedule and setLearningRate")
    func sharedRate() throws {
        let schedule = try ExponentialDecay(initialRate: 0.1, decaySteps: 1, decayRate: 0.5)
        let optimizers: [Optimizer] = [
            try Adam(schedule: schedule, decay: 0.5), try RMSprop(schedule: schedule, decay: 0.5),
            try Adagrad(schedule: schedule, decay: 0.5), try Adadelta(schedule: schedule, decay: 0.5),
            try Adamax(schedule: schedule, decay: 0.5), try SGD(schedule: schedule, decay: 0.5),
        ]
        for optimizer in optimizers {
            _ = try Self.run(optimizer)
            // base 0.1 · 0.5^5, then / (1 + 0.5 · 5) in Float32.
            #expect(optimizer.effectiveLearningRate == Float(0.1 * 0.03125) / Float(3.5), "\(optimizer.name)")
            try optimizer.setLearningRate(0.2)
            #expect(optimizer.schedule == nil && optimizer.baseLearningRate == 0.2, "\(optimizer.name)")
            #expect(throws: AnnealError.self) { try optimizer.setLearningRate(-1) }
        }
    }

    @Test("Keras's argument checks")
    func argumentChecks() {
        #expect(throws: AnnealError.invalidArgument("initial_accumulator_value must be non-negative: -0.1")) {
            try Adagrad(initialAccumulatorValue: -0.1)
        }
        #expect(throws: AnnealError.invalidArgument("decay must be a non-negative number. Received: decay=-1.0")) {
            try Adam(decay: -1)
        }
        #expect(throws: AnnealError.invalidArgument("beta_1 must be between [0, 1). Received: beta_1=1.0")) {
            try Adam(beta1: 1)
        }
        #expect(throws: AnnealError.invalidArgument(
            "momentum must be between [0, 1]. Received: momentum=1.5")) {
            try RMSprop(momentum: 1.5)
        }
        #expect(throws: AnnealError.self) { try Adadelta(rho: .nan) }
        #expect(throws: AnnealError.self) { try Nadam(learningRate: -0.1) }
        #expect(throws: AnnealError.self) { try Adamax(epsilon: -1) }
        // Keras's `epsilon or backend.epsilon()`.
        #expect((try? Adam(epsilon: 0))?.epsilon == 1e-7)
    }

    @Test("every optimizer trains the tutorial model through fit, and an optimizer serves one model")
    func fitsAndOwns() throws {
        let data = try Support.ionosphere()
        let optimizers: [Optimizer] = [
            try Adam(amsgrad: true), try RMSprop(momentum: 0.5, centered: true), try Adagrad(learningRate: 0.05),
            try Adadelta(learningRate: 1), try Adamax(), try Nadam(),
        ]
        for optimizer in optimizers {
            let model = try Support.tutorialModel(seed: 3)
            try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
            let history = try model.fit(data.featureMatrix, data.labelMatrix, epochs: 3, batchSize: 28, verbose: 0)
            let loss = try #require(history["loss"])
            #expect(loss.allSatisfy(\.isFinite) && loss[2] < loss[0], "\(optimizer.name): \(loss)")
            #expect(optimizer.iterations == 3 * 13)
            let other = try Support.tutorialModel(seed: 4)
            #expect(throws: AnnealError.self) { try other.compile(optimizer: optimizer, loss: .binaryCrossentropy) }
        }
    }

    @Test("LearningRateScheduler and ReduceLROnPlateau set the rate of any optimizer")
    func rateCallbacks() throws {
        let data = try Support.ionosphere()
        let model = try Support.tutorialModel(seed: 3)
        try model.compile(optimizer: Adam(), loss: .binaryCrossentropy)
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: 3, batchSize: 64, verbose: 0,
            callbacks: [LearningRateScheduler { epoch, _ in 0.01 / Double(epoch + 1) }])
        let logged = try #require(history["lr"])
        let expected: [Double] = [Double(Float(0.01)), Double(Float(0.005)), Double(Float(0.01 / 3))]
        #expect(logged == expected)
        let plateau = try Support.tutorialModel(seed: 3)
        try plateau.compile(optimizer: RMSprop(learningRate: 0.01), loss: .binaryCrossentropy)
        _ = try plateau.fit(data.featureMatrix, data.labelMatrix, epochs: 3, batchSize: 64, verbose: 0,
                            callbacks: [try ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 10)])
        #expect(plateau.optimizer?.learningRate == Float(0.0025))
    }

    @Test("a big model trains with Adam on freshly packed kernels: an epoch equals its batches one by one")
    func bigModel() throws {
        func session() throws -> (Sequential, TrainingSession) {
            let model = Sequential(seed: 5)
            try model.add(Dense(256, activation: .relu, inputDimension: 300))  // 77k parameters: updated layer by layer under SGD
            try model.add(Dense(3, activation: .softmax))
            try model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy)
            let x = try Support.randomMatrix(rows: 96, columns: 300, seed: 1)
            let y = Matrix(column: (0..<96).map { Float($0 % 3) })
            return (model, try TrainingSession(model: model, x: x, y: y, batchSize: 32, shuffle: false))
        }
        let (whole, epoch) = try session()
        _ = try epoch.trainEpoch()
        let (stepwise, batches) = try session()
        batches.beginEpoch()
        for index in 0..<batches.batchCount { try batches.trainBatch(index) }
        #expect(whole.getWeights().map(\.values) == stepwise.getWeights().map(\.values))
        #expect(whole.optimizer?.iterations == 3)
    }
}
