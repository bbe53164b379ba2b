import Foundation
import Testing
import Anneal

/// `lossGradients` (back-propagation) against central finite differences of the model's own loss, for every
/// activation on the hidden and output layers and every loss on each of its paths (from logits, from
/// probabilities), with and without biases.
///
/// Each derivative perturbs one float32 weight by ±h and ±2h (h = `Tolerance.finiteDifferenceStep`), divides
/// by the steps actually taken (differences of float32 weights) and extrapolates, in `Double`. Weights are drawn from a seed
/// chosen so that no ReLU pre-activation is within `reluMargin` of its kink, and so that outputs fed to a
/// probability loss stay inside (0, 1), away from Keras's clipping.
@Suite("Gradients")
struct GradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var hidden: [Activation]
        var output: Activation
        var loss: Loss
        var units: Int
        var useBias = true
        /// Output kernel scaled by 0.1 and bias set to 0.5, so a linear, ReLU or tanh output lands near 0.5:
        /// what a probability loss needs from an output that is not a sigmoid or softmax (and what keeps a
        /// ReLU output alive).
        var probabilityShaped = false

        var testDescription: String {
            let path: String
            if loss.fromLogits {
                path = "logits (from_logits)"
            } else if GradientTests.readsLogits(loss, output) {
                path = "logits"
            } else {
                path = GradientTests.readsProbabilities(loss, output) ? "probabilities" : "values"
            }
            return "\(hidden.map(\.name).joined(separator: "->")) -> \(output.name) x\(units), \(loss.name) from \(path)"
                + (loss.labelSmoothing != 0 ? ", label_smoothing \(loss.labelSmoothing)" : "")
                + (loss.kind == .huber ? ", delta \(loss.delta)" : "")
                + (useBias ? "" : ", no bias")
        }
    }

    static let inputs = 3
    static let hiddenUnits = 4
    static let rows = 6
    /// How far every ReLU pre-activation stays from 0 (a step of 2 * finiteDifferenceStep on a weight moves a pre-activation by far less).
    static let reluMargin = 0.1
    /// How far a probability-path output stays from 0 and 1.
    static let probabilityMargin = 0.05

    /// Every output activation with every loss it can feed, on the path the loss takes for it.
    static let outputs: [Case] = [
        Case(hidden: [], output: .sigmoid, loss: .binaryCrossentropy, units: 1),
        Case(hidden: [], output: .sigmoid, loss: .binaryCrossentropy, units: 2),
        Case(hidden: [], output: .linear, loss: .binaryCrossentropy, units: 1, probabilityShaped: true),
        Case(hidden: [], output: .relu, loss: .binaryCrossentropy, units: 1, probabilityShaped: true),
        Case(hidden: [], output: .tanh, loss: .binaryCrossentropy, units: 1, probabilityShaped: true),
        Case(hidden: [], output: .softmax, loss: .binaryCrossentropy, units: 2),
        Case(hidden: [], output: .softmax, loss: .categoricalCrossentropy, units: 3),
        Case(hidden: [], output: .sigmoid, loss: .categoricalCrossentropy, units: 3),
        Case(hidden: [], output: .linear, loss: .categoricalCrossentropy, units: 3, probabilityShaped: true),
        Case(hidden: [], output: .relu, loss: .categoricalCrossentropy, units: 3, probabilityShaped: true),
        Case(hidden: [], output: .tanh, loss: .categoricalCrossentropy, units: 3, probabilityShaped: true),
        Case(hidden: [], output: .softmax, loss: .sparseCategoricalCrossentropy, units: 3),
        Case(hidden: [], output: .sigmoid, loss: .sparseCategoricalCrossentropy, units: 3),
        Case(hidden: [], output: .relu, loss: .sparseCategoricalCrossentropy, units: 3, probabilityShaped: true),
        Case(hidden: [], output: .linear, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .relu, loss: .meanSquaredError, units: 2, probabilityShaped: true),
        Case(hidden: [], output: .sigmoid, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .tanh, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .softmax, loss: .meanSquaredError, units: 3),
        // The parameters of Keras's loss classes.
        Case(hidden: [], output: .linear, loss: Loss(.binaryCrossentropy, fromLogits: true), units: 2),
        Case(hidden: [], output: .tanh, loss: Loss(.binaryCrossentropy, fromLogits: true), units: 1),
        Case(hidden: [], output: .sigmoid, loss: Loss(.binaryCrossentropy, labelSmoothing: 0.2), units: 2),
        Case(hidden: [], output: .linear, loss: Loss(.binaryCrossentropy, labelSmoothing: 0.1), units: 1, probabilityShaped: true),
        Case(hidden: [], output: .linear, loss: Loss(.categoricalCrossentropy, fromLogits: true), units: 3),
        Case(hidden: [], output: .softmax, loss: Loss(.categoricalCrossentropy, labelSmoothing: 0.3), units: 3),
        Case(hidden: [], output: .linear, loss: Loss(.categoricalCrossentropy, fromLogits: true, labelSmoothing: 0.1), units: 3),
        Case(hidden: [], output: .linear, loss: Loss(.sparseCategoricalCrossentropy, fromLogits: true), units: 3),
        // The regression and margin losses, on outputs of every new activation.
        Case(hidden: [], output: .linear, loss: .meanAbsoluteError, units: 2),
        Case(hidden: [], output: .softsign, loss: .meanAbsoluteError, units: 2),
        Case(hidden: [], output: .linear, loss: .meanAbsolutePercentageError, units: 2),
        Case(hidden: [], output: .softplus, loss: .meanSquaredLogarithmicError, units: 2),
        Case(hidden: [], output: .exponential, loss: .meanSquaredLogarithmicError, units: 2),
        Case(hidden: [], output: .linear, loss: Loss(.huber, delta: 0.3), units: 2),
        Case(hidden: [], output: .swish, loss: .huber, units: 2),
        Case(hidden: [], output: .linear, loss: .logCosh, units: 2),
        Case(hidden: [], output: .gelu, loss: .logCosh, units: 2),
        Case(hidden: [], output: .geluApproximate, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .linear, loss: .hinge, units: 2),
        Case(hidden: [], output: .tanh, loss: .squaredHinge, units: 2),
        Case(hidden: [], output: .linear, loss: .categoricalHinge, units: 3),
        Case(hidden: [], output: .softmax, loss: .klDivergence, units: 3),
        Case(hidden: [], output: .sigmoid, loss: .klDivergence, units: 3),
        Case(hidden: [], output: .softplus, loss: .poisson, units: 2),
        Case(hidden: [], output: .exponential, loss: .poisson, units: 2),
        Case(hidden: [], output: .linear, loss: .cosineSimilarity, units: 3),
        Case(hidden: [], output: .elu, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .selu, loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .leakyRelu(alpha: 0.3), loss: .meanSquaredError, units: 2),
        Case(hidden: [], output: .hardSigmoid, loss: .binaryCrossentropy, units: 1),
    ]

    /// Whether the loss reads the output layer's pre-activations (its natural link).
    static func readsLogits(_ loss: Loss, _ output: Activation) -> Bool {
        switch loss.kind {
        case .binaryCrossentropy: output == .sigmoid
        case .categoricalCrossentropy, .sparseCategoricalCrossentropy: output == .softmax
        default: false
        }
    }

    /// Whether the loss reads the outputs as probabilities (clipped to [1e-7, 1 - 1e-7] or [1e-7, 1]).
    static func readsProbabilities(_ loss: Loss, _ output: Activation) -> Bool {
        switch loss.kind {
        case .binaryCrossentropy, .categoricalCrossentropy, .sparseCategoricalCrossentropy, .klDivergence:
            !loss.fromLogits && !readsLogits(loss, output)
        default: false
        }
    }

    /// How far an output stays from a kink of the loss (|p - y| = 0 for mae, |p - y| = delta for huber,
    /// y p = 1 for hinge, a tie or a zero margin for categorical_hinge).
    static let lossKinkMargin = 0.05

    /// Every hidden activation in front of every output case.
    /// (Not the exponential: after it, the loss's higher derivatives in the next layer's weights outgrow the
    /// h^4 extrapolation at this step, 2e-4 relative measured; it is checked as an output layer.)
    static let withHiddenLayer: [Case] = Activation.allCases.filter { $0 != .exponential }.flatMap { hidden in
        outputs.map { var c = $0; c.hidden = [hidden]; return c }
    }

    /// No biases anywhere (the output cases that need a bias of 0.5 are left out).
    static let withoutBias: [Case] = [Activation.relu, .tanh].flatMap { hidden in
        outputs.filter { !$0.probabilityShaped }.map { var c = $0; c.hidden = [hidden]; c.useBias = false; return c }
    }

    /// Three hidden layers of different activations, and a model with no hidden layer.
    static let deepAndShallow: [Case] = outputs.flatMap { base in
        var deep = base
        deep.hidden = [.tanh, .relu, .softmax, .sigmoid]
        return [deep, base]
    }

    // MARK: The check

    @Test("backprop matches finite differences with one hidden layer", arguments: withHiddenLayer)
    func oneHiddenLayer(_ c: Case) throws { try check(c) }

    @Test("backprop matches finite differences without biases", arguments: withoutBias)
    func noBias(_ c: Case) throws { try check(c) }

    @Test("backprop matches finite differences through several hidden layers or none", arguments: deepAndShallow)
    func depth(_ c: Case) throws { try check(c) }

    func check(_ c: Case) throws {
        let (model, x, y) = try Self.setUp(c)
        let (_, gradients) = try model.lossGradients(x, y)
        let weights = model.getWeights()
        #expect(gradients.map(\.shape) == weights.map(\.shape))
        var largest = 0.0
        var worst = (excess: -Double.infinity, text: "")
        for (t, tensor) in weights.enumerated() {
            for i in tensor.values.indices {
                let numeric = try Self.centralDifference(model, weights, tensor: t, index: i, x: x, y: y)
                let analytic = Double(gradients[t].values[i])
                largest = max(largest, abs(analytic))
                // mape is 100 times a mean of ratios: its float32 rounding, divided by the step, is that much larger.
        let scale = c.loss.kind == .meanAbsolutePercentageError ? Tolerance.percentageLossScale : 1
        let allowed = scale * (Tolerance.gradientAbsolute + Tolerance.gradientRelative * abs(numeric))
                let excess = abs(analytic - numeric) - allowed
                if excess > worst.excess { worst = (excess, "weight \(t)[\(i)]: backprop \(analytic), finite difference \(numeric)") }
            }
        }
        #expect(worst.excess <= 0, "\(c.testDescription): \(worst.text)")
        // The comparison means something only if some gradient is well above the tolerance.
        #expect(largest > 20 * Tolerance.gradientAbsolute, "\(c.testDescription): gradients too small to check (\(largest))")
        // lossGradients leaves the weights alone.
        #expect(model.getWeights() == weights)
    }

    /// The derivative of the loss along one weight, by Richardson extrapolation of two central differences:
    /// `D(h) = (L(w + h) - L(w - h)) / (the float32 step actually taken)`, then `(4 D(h) - D(2h)) / 3`, which
    /// cancels the `h^2` error term and leaves an `h^4` one, so `h` can be large enough that the float32
    /// rounding of the loss, divided by the step, stays small. Computed in Double.
    static func centralDifference(
        _ model: Sequential, _ weights: [WeightTensor], tensor t: Int, index i: Int, x: Matrix, y: Matrix
    ) throws -> Double {
        func difference(_ step: Double) throws -> Double {
            let w = Double(weights[t].values[i])
            let up = Float(w + step)
            let down = Float(w - step)
            var moved = weights
            moved[t].values[i] = up
            try model.setWeights(moved)
            let lossUp = try model.lossGradients(x, y).loss
            moved[t].values[i] = down
            try model.setWeights(moved)
            let lossDown = try model.lossGradients(x, y).loss
            return (lossUp - lossDown) / (Double(up) - Double(down))
        }
        defer { try? model.setWeights(weights) }
        let h = Tolerance.finiteDifferenceStep
        return (4 * (try difference(h)) - (try difference(2 * h))) / 3
    }

    // MARK: Models and data

    static func setUp(_ c: Case) throws -> (Sequential, Matrix, Matrix) {
        let x = try Support.randomMatrix(rows: rows, columns: inputs, seed: 11)
        let y = try labels(c)
        let model = Sequential(seed: 1)
        for activation in c.hidden {
            try model.add(Dense(hiddenUnits, activation: activation, useBias: c.useBias, inputDimension: model.layers.isEmpty ? inputs : nil))
        }
        try model.add(Dense(c.units, activation: c.output, useBias: c.useBias, inputDimension: c.hidden.isEmpty ? inputs : nil))
        try model.compile(optimizer: SGD(learningRate: 0.1), loss: c.loss)
        // The first seed whose weights keep every ReLU away from its kink and every probability inside (0, 1).
        for seed in UInt64(1)...5000 {
            let weights = drawWeights(model.weightShapes, seed: seed, probabilityShaped: c.probabilityShaped, useBias: c.useBias)
            if isSmooth(c, x: x, y: y, weights: weights) {
                try model.setWeights(weights)
                return (model, x, y)
            }
        }
        throw AnnealError(.invalidState, "no seed gives weights away from the ReLU kinks for \(c.testDescription)")
    }

    static func labels(_ c: Case) throws -> Matrix {
        switch c.loss.kind {
        case .binaryCrossentropy, .hinge, .squaredHinge:
            return try Matrix(rows: rows, columns: c.units, values: (0..<(rows * c.units)).map { Float(($0 / c.units + $0 % c.units) % 2) })
        case .categoricalCrossentropy, .klDivergence:
            // Soft labels that sum to 1, a different class favoured on each row.
            let soft: [Float] = [0.7, 0.2, 0.1]
            return try Matrix(rows: rows, columns: c.units, values: (0..<(rows * c.units)).map { soft[($0 % c.units + $0 / c.units) % c.units] })
        case .sparseCategoricalCrossentropy:
            return Matrix(column: (0..<rows).map { Float($0 % c.units) })
        case .categoricalHinge:
            return try Matrix(rows: rows, columns: c.units, values: (0..<(rows * c.units)).map { Float(($0 % c.units) == ($0 / c.units) % c.units ? 1 : 0) })
        case .meanSquaredLogarithmicError, .poisson:
            return try Support.randomMatrix(rows: rows, columns: c.units, in: 0...2, seed: 12)
        case .meanAbsolutePercentageError:
            return try Support.randomMatrix(rows: rows, columns: c.units, in: 1...3, seed: 12)
        case .meanSquaredError, .meanAbsoluteError, .huber, .logCosh, .cosineSimilarity:
            return try Support.randomMatrix(rows: rows, columns: c.units, seed: 12)
        }
    }

    /// Kernels from U(-1, 1), biases from U(-0.5, 0.5); a probability-shaped output layer gets a kernel
    /// scaled by 0.1 and a bias of 0.5.
    static func drawWeights(_ shapes: [[Int]], seed: UInt64, probabilityShaped: Bool, useBias: Bool) -> [WeightTensor] {
        var generator = SeededGenerator(seed: seed)
        var tensors = shapes.map { shape in
            WeightTensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in
                let u = 2 * generator.nextUnit() - 1
                return Float(shape.count == 2 ? u : u / 2)
            })
        }
        if probabilityShaped {
            let kernel = useBias ? tensors.count - 2 : tensors.count - 1
            tensors[kernel].values = tensors[kernel].values.map { $0 * 0.1 }
            if useBias { tensors[tensors.count - 1].values = tensors[tensors.count - 1].values.map { _ in 0.5 } }
        }
        return tensors
    }

    /// Whether, in a Double forward pass, every pre-activation is at least `reluMargin` from its activation's
    /// kinks, every output a probability loss reads (other than through its logits) is inside
    /// [probabilityMargin, 1 - probabilityMargin], and every output is `lossKinkMargin` from the loss's kinks.
    static func isSmooth(_ c: Case, x: Matrix, y: Matrix, weights: [WeightTensor]) -> Bool {
        var input: [[Double]] = (0..<x.rows).map { r in (0..<x.columns).map { Double(x[r, $0]) } }
        var next = 0
        let activations = c.hidden + [c.output]
        for (index, activation) in activations.enumerated() {
            let kernel = weights[next]
            next += 1
            let units = kernel.shape[1]
            var bias = [Double](repeating: 0, count: units)
            if c.useBias {
                bias = weights[next].values.map(Double.init)
                next += 1
            }
            var output: [[Double]] = []
            for row in input {
                var z = bias
                for (i, xi) in row.enumerated() {
                    for j in 0..<units { z[j] += xi * Double(kernel.values[i * units + j]) }
                }
                if !kinksAreFar(activation, z) { return false }
                let a = apply(activation, z)
                let isLast = index == activations.count - 1
                if isLast, readsProbabilities(c.loss, c.output),
                   a.contains(where: { $0 < probabilityMargin || $0 > 1 - probabilityMargin }) {
                    return false
                }
                if isLast, y.columns == a.count,
                   !lossKinksAreFar(c.loss, a, labels: (0..<a.count).map { Double(y[output.count, $0]) }) {
                    return false
                }
                output.append(a)
            }
            input = output
        }
        return true
    }

    /// Whether every pre-activation is `reluMargin` away from the activation's kinks.
    static func kinksAreFar(_ activation: Activation, _ z: [Double]) -> Bool {
        switch activation {
        case .relu, .leakyRelu, .elu, .selu: !z.contains(where: { abs($0) < reluMargin })
        case .softsign: !z.contains(where: { abs($0) < reluMargin })  // |z| bends its second derivative
        case .hardSigmoid: !z.contains(where: { abs(abs($0) - 2.5) < reluMargin })
        default: true
        }
    }

    /// Whether the outputs `a` of one sample are `lossKinkMargin` away from the loss's kinks.
    static func lossKinksAreFar(_ loss: Loss, _ a: [Double], labels y: [Double]) -> Bool {
        let m = lossKinkMargin
        switch loss.kind {
        case .meanAbsoluteError, .meanAbsolutePercentageError:
            return zip(a, y).allSatisfy { abs($0 - $1) > m }
        case .huber:
            return zip(a, y).allSatisfy { abs(abs($0 - $1) - Double(loss.delta)) > m }
        case .hinge, .squaredHinge:
            return zip(a, y).allSatisfy { abs(1 - (2 * $1 - 1) * $0) > m }
        case .categoricalHinge:
            let positive = zip(a, y).reduce(0) { $0 + $1.0 * $1.1 }
            let others = zip(a, y).map { (1 - $0.1) * $0.0 }.sorted()
            let margin = others[others.count - 1] - positive + 1
            return abs(margin) > m && others[others.count - 1] - others[others.count - 2] > m
        case .meanSquaredLogarithmicError, .poisson:
            return a.allSatisfy { $0 > m }
        default:
            return true
        }
    }

    static func apply(_ activation: Activation, _ z: [Double]) -> [Double] {
        switch activation {
        case .linear: return z
        case .relu: return z.map { max($0, 0) }
        case .sigmoid: return z.map { 1 / (1 + exp(-$0)) }
        case .tanh: return z.map { Foundation.tanh($0) }
        case .softmax:
            let largest = z.max() ?? 0
            let e = z.map { exp($0 - largest) }
            let sum = e.reduce(0, +)
            return e.map { $0 / sum }
        case .elu: return z.map { $0 > 0 ? $0 : exp($0) - 1 }
        case .selu: return z.map { $0 > 0 ? 1.0507009873554805 * $0 : 1.0507009873554805 * 1.6732632423543772 * (exp($0) - 1) }
        case .softplus: return z.map { log1p(exp($0)) }
        case .softsign: return z.map { $0 / (1 + abs($0)) }
        case .swish: return z.map { $0 / (1 + exp(-$0)) }
        case .gelu: return z.map { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
        case .geluApproximate:
            return z.map { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }
        case .hardSigmoid: return z.map { min(max(0.2 * $0 + 0.5, 0), 1) }
        case .exponential: return z.map { exp($0) }
        case .leakyRelu(let alpha): return z.map { $0 > 0 ? $0 : Double(alpha) * $0 }
        }
    }
}
