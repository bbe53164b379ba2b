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
            switch (loss, output) {
            case (.binaryCrossentropy, .sigmoid), (.categoricalCrossentropy, .softmax), (.sparseCategoricalCrossentropy, .softmax):
                path = "logits"
            case (.meanSquaredError, _): path = "values"
            default: path = "probabilities"
            }
            return "\(hidden.map(\.rawValue).joined(separator: "->")) -> \(output.rawValue) x\(units), \(loss.rawValue) from \(path)"
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
    ]

    /// Every hidden activation in front of every output case.
    static let withHiddenLayer: [Case] = Activation.allCases.flatMap { hidden in
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
                let allowed = Tolerance.gradientAbsolute + Tolerance.gradientRelative * abs(numeric)
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
            if isSmooth(c, x: x, weights: weights) {
                try model.setWeights(weights)
                return (model, x, y)
            }
        }
        throw AnnealError(.invalidState, "no seed gives weights away from the ReLU kinks for \(c.testDescription)")
    }

    static func labels(_ c: Case) throws -> Matrix {
        switch c.loss {
        case .binaryCrossentropy:
            return try Matrix(rows: rows, columns: c.units, values: (0..<(rows * c.units)).map { Float(($0 / c.units + $0 % c.units) % 2) })
        case .categoricalCrossentropy:
            // Soft labels that sum to 1, a different class favoured on each row.
            let soft: [Float] = [0.7, 0.2, 0.1]
            return try Matrix(rows: rows, columns: c.units, values: (0..<(rows * c.units)).map { soft[($0 % c.units + $0 / c.units) % c.units] })
        case .sparseCategoricalCrossentropy:
            return Matrix(column: (0..<rows).map { Float($0 % c.units) })
        case .meanSquaredError:
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

    /// Whether, in a Double forward pass, every ReLU pre-activation is at least `reluMargin` from 0 and
    /// every output a probability loss reads (other than through its logits) is inside
    /// [probabilityMargin, 1 - probabilityMargin].
    static func isSmooth(_ c: Case, x: Matrix, weights: [WeightTensor]) -> Bool {
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
                if activation == .relu, z.contains(where: { abs($0) < reluMargin }) { return false }
                let a = apply(activation, z)
                let isLast = index == activations.count - 1
                let readsProbabilities = c.loss != .meanSquaredError && !((c.loss == .binaryCrossentropy && c.output == .sigmoid)
                    || (c.loss != .binaryCrossentropy && c.output == .softmax))
                if isLast, readsProbabilities,
                   a.contains(where: { $0 < probabilityMargin || $0 > 1 - probabilityMargin }) {
                    return false
                }
                output.append(a)
            }
            input = output
        }
        return true
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
        }
    }
}
