import Foundation
import Testing
import Anneal

/// Every loss at hand-worked points, against its tf_keras formula evaluated here in `Double`: a model whose
/// outputs are its inputs (identity kernel, no bias, linear or another activation) evaluated on two samples.
@Suite("Loss values")
struct LossValueTests {
    static let eps = 1e-7

    /// `evaluate`'s loss for outputs `p` (rows of `units`) and labels `y`.
    static func loss(_ loss: Loss, p: [[Double]], y: [[Double]], activation: Activation = .linear,
                     metrics: [String] = []) throws -> Logs {
        let units = p[0].count
        let model = Sequential(seed: 1)
        try model.add(Dense(units, activation: activation, useBias: false, inputDimension: units))
        let kernel = (0..<(units * units)).map { Float($0 / units == $0 % units ? 1 : 0) }
        try model.setWeights([WeightTensor(shape: [units, units], values: kernel)])
        try model.compile(optimizer: SGD(), loss: loss, metrics: metrics)
        return try model.evaluate(Matrix(p.map { $0.map(Float.init) }), Matrix(y.map { $0.map(Float.init) }), batchSize: 1)
    }

    /// Keras's reduction: a per-sample value, then the mean over samples.
    static func batchMean(_ p: [[Double]], _ y: [[Double]], _ perSample: ([Double], [Double]) -> Double) -> Double {
        zip(p, y).map(perSample).reduce(0, +) / Double(p.count)
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    static let p: [[Double]] = [[0.3, -1.2, 2.5], [1.1, 0.05, -0.4]]
    static let y: [[Double]] = [[0.5, -1, 1.5], [2, 0, -0.7]]

    static let cases: [(Loss, @Sendable ([Double], [Double]) -> Double)] = [
        (.meanSquaredError, { p, y in mean(zip(p, y).map { ($0 - $1) * ($0 - $1) }) }),
        (.meanAbsoluteError, { p, y in mean(zip(p, y).map { abs($0 - $1) }) }),
        (.meanAbsolutePercentageError, { p, y in 100 * mean(zip(p, y).map { abs(($1 - $0) / max(abs($1), eps)) }) }),
        (.meanSquaredLogarithmicError, { p, y in
            mean(zip(p, y).map { let d = log(max($0, eps) + 1) - log(max($1, eps) + 1); return d * d })
        }),
        (.huber, { p, y in
            mean(zip(p, y).map { let e = abs($0 - $1); return e <= 1 ? 0.5 * e * e : e - 0.5 })
        }),
        (Loss(.huber, delta: 0.25), { p, y in
            mean(zip(p, y).map { let e = abs($0 - $1); return e <= 0.25 ? 0.5 * e * e : 0.25 * e - 0.5 * 0.0625 })
        }),
        (.logCosh, { p, y in mean(zip(p, y).map { log(cosh($0 - $1)) }) }),
        // Labels not all 0 or 1: used as they are.
        (.hinge, { p, y in mean(zip(p, y).map { max(1 - $0 * $1, 0) }) }),
        (.squaredHinge, { p, y in mean(zip(p, y).map { let m = max(1 - $0 * $1, 0); return m * m }) }),
        (.categoricalHinge, { p, y in
            let positive = zip(p, y).map { $0 * $1 }.reduce(0, +)
            let negative = zip(p, y).map { (1 - $1) * $0 }.max()!
            return max(negative - positive + 1, 0)
        }),
        (.klDivergence, { p, y in
            zip(p, y).map { let t = min(max($1, eps), 1); return t * log(t / min(max($0, eps), 1)) }.reduce(0, +)
        }),
        (.poisson, { p, y in mean(zip(p, y).map { $0 - $1 * log($0 + eps) }) }),
        (.cosineSimilarity, { p, y in
            let np = max(p.map { $0 * $0 }.reduce(0, +), 1e-12).squareRoot()
            let ny = max(y.map { $0 * $0 }.reduce(0, +), 1e-12).squareRoot()
            return -zip(p, y).map { $0 / np * $1 / ny }.reduce(0, +)
        }),
    ]

    @Test("each loss matches its tf_keras formula", arguments: 0..<cases.count)
    func formula(_ index: Int) throws {
        let (lossValue, perSample) = Self.cases[index]
        // Poisson needs positive outputs (log(p + eps)); the others take the mixed-sign points.
        let p = lossValue.kind == .poisson ? Self.p.map { $0.map(abs) } : Self.p
        let expected = Self.batchMean(p, Self.y, perSample)
        let got = try #require(try Self.loss(lossValue, p: p, y: Self.y)["loss"])
        #expect(isClose(got, expected, tolerance: Tolerance.float32), "\(lossValue.name): \(got) vs \(expected)")
    }

    @Test("hinge turns labels that are all 0 or 1 into -1 and 1")
    func hingeConvertsBinaryLabels() throws {
        let p: [[Double]] = [[0.3, -2], [0.8, 0.1]]
        let y: [[Double]] = [[1, 0], [0, 1]]
        let expected = Self.batchMean(p, y) { p, y in Self.mean(zip(p, y).map { max(1 - $0 * (2 * $1 - 1), 0) }) }
        let got = try #require(try Self.loss(.hinge, p: p, y: y)["loss"])
        #expect(isClose(got, expected, tolerance: Tolerance.float32))
    }

    @Test("from_logits and label_smoothing change the cross-entropies as Keras's classes do")
    func crossentropyParameters() throws {
        func softplus(_ x: Double) -> Double { max(x, 0) + log(1 + exp(-abs(x))) }
        // Binary from logits with smoothing 0.2: y' = y * 0.8 + 0.1; loss = softplus(l) - l y'.
        let logits: [[Double]] = [[0.7, -1.5]]
        let labels: [[Double]] = [[1, 0]]
        let smoothed = labels[0].map { $0 * 0.8 + 0.1 }
        let binary = Self.mean(zip(logits[0], smoothed).map { softplus($0) - $0 * $1 })
        let got = try #require(try Self.loss(Loss(.binaryCrossentropy, fromLogits: true, labelSmoothing: 0.2),
                                             p: logits, y: labels)["loss"])
        #expect(isClose(got, binary, tolerance: Tolerance.float32))
        // Categorical from logits with smoothing 0.3 over 3 classes: y' = y * 0.7 + 0.1.
        let l3: [[Double]] = [[2, -1, 0.5]]
        let y3: [[Double]] = [[0, 0, 1]]
        let logSumExp = log(l3[0].map(exp).reduce(0, +))
        let categorical = zip(l3[0], y3[0].map { $0 * 0.7 + 0.1 }).map { -$1 * ($0 - logSumExp) }.reduce(0, +)
        let got3 = try #require(try Self.loss(Loss(.categoricalCrossentropy, fromLogits: true, labelSmoothing: 0.3),
                                              p: l3, y: y3)["loss"])
        #expect(isClose(got3, categorical, tolerance: Tolerance.float32))
        // Sparse from logits: class 2.
        let sparse = try #require(try Self.loss(Loss(.sparseCategoricalCrossentropy, fromLogits: true), p: l3, y: [[2]])["loss"])
        #expect(isClose(sparse, logSumExp - 0.5, tolerance: Tolerance.float32))
    }

    @Test("names and aliases resolve as tf_keras's losses.get does")
    func names() throws {
        let expected: [String: Loss.Kind] = [
            "mae": .meanAbsoluteError, "MAPE": .meanAbsolutePercentageError, "msle": .meanSquaredLogarithmicError,
            "kld": .klDivergence, "kullback_leibler_divergence": .klDivergence, "logcosh": .logCosh,
            "log_cosh": .logCosh, "huber_loss": .huber, "Huber": .huber, "CosineSimilarity": .cosineSimilarity,
            "squared_hinge": .squaredHinge, "categorical_hinge": .categoricalHinge, "poisson": .poisson,
        ]
        for (name, kind) in expected { #expect(try Loss(name: name).kind == kind, "\(name)") }
        #expect(throws: AnnealError.self) { try Loss(name: "focal") }
    }

    @Test("parameters a loss does not take are errors")
    func invalidParameters() throws {
        let model = Sequential(seed: 1)
        try model.add(Dense(2, inputDimension: 2))
        #expect(throws: AnnealError.self) { try model.compile(optimizer: SGD(), loss: Loss(.meanSquaredError, fromLogits: true)) }
        #expect(throws: AnnealError.self) { try model.compile(optimizer: SGD(), loss: Loss(.hinge, labelSmoothing: 0.1)) }
        #expect(throws: AnnealError.self) { try model.compile(optimizer: SGD(), loss: Loss(.binaryCrossentropy, labelSmoothing: 2)) }
        #expect(throws: AnnealError.self) { try model.compile(optimizer: SGD(), loss: Loss(.huber, delta: .nan)) }
    }
}
