import Foundation
import Testing
@testable import Anneal

/// Every activation at hand-worked points: a one-layer model with an identity kernel and no bias outputs
/// `activation(x)`, compared with the formula evaluated here in `Double`, and with the values tf_keras's
/// docstrings print where they give some.
@Suite("Activation values")
struct ActivationTests {
    static let points: [Double] = [-3, -1, -0.25, 0, 0.5, 1, 3]

    /// `activation(points)` through a model.
    static func outputs(_ activation: Activation, _ points: [Double] = points) throws -> [Double] {
        let model = Sequential(seed: 1)
        try model.add(Dense(1, activation: activation, useBias: false, inputDimension: 1))
        try model.setWeights([WeightTensor(shape: [1, 1], values: [1])])
        return try model.predict(Matrix(column: points.map { Float($0) })).values.map(Double.init)
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    static let cases: [(Activation, @Sendable (Double) -> Double)] = [
        (.elu, { $0 > 0 ? $0 : exp($0) - 1 }),
        (.selu, { $0 > 0 ? 1.0507009873554805 * $0 : 1.0507009873554805 * 1.6732632423543772 * (exp($0) - 1) }),
        (.softplus, { log(1 + exp($0)) }),
        (.softsign, { $0 / (1 + abs($0)) }),
        (.swish, { $0 * sigmoid($0) }),
        (.gelu, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
        (.geluApproximate, { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
        (.hardSigmoid, { min(max(0.2 * $0 + 0.5, 0), 1) }),
        (.exponential, { exp($0) }),
        (.leakyRelu(alpha: 0.2), { $0 > 0 ? $0 : 0.2 * $0 }),
        (.leakyRelu(alpha: 0.3), { $0 > 0 ? $0 : 0.3 * $0 }),
        (.relu, { max($0, 0) }),
        (.sigmoid, { sigmoid($0) }),
        (.tanh, { Foundation.tanh($0) }),
        (.linear, { $0 }),
    ]

    @Test("each activation matches its formula", arguments: 0..<cases.count)
    func formula(_ index: Int) throws {
        let (activation, f) = Self.cases[index]
        let got = try Self.outputs(activation)
        for (x, value) in zip(Self.points, got) {
            #expect(isClose(value, f(x), tolerance: Tolerance.float32), "\(activation.name)(\(x)) = \(value), expected \(f(x))")
        }
    }

    @Test("the values tf_keras's docstrings print")
    func kerasDocstrings() throws {
        // tf_keras activations.py examples (float32 outputs as printed).
        let gelu = try Self.outputs(.gelu, [-3, -1, 0, 1, 3])
        for (value, keras) in zip(gelu, [-0.00404951, -0.15865529, 0, 0.8413447, 2.9959507]) {
            #expect(isClose(value, keras, tolerance: Tolerance.float32))
        }
        let approximate = try Self.outputs(.geluApproximate, [-3, -1, 0, 1, 3])
        for (value, keras) in zip(approximate, [-0.00363752, -0.15880796, 0, 0.841192, 2.9963627]) {
            #expect(isClose(value, keras, tolerance: Tolerance.float32))
        }
        let hard = try Self.outputs(.hardSigmoid, [-3, -1, 0, 1, 3])
        for (value, keras) in zip(hard, [0, 0.3, 0.5, 0.7, 1]) { #expect(isClose(value, keras, tolerance: Tolerance.float32)) }
        let softplus = try Self.outputs(.softplus, [-20, -1, 0, 1, 20])
        for (value, keras) in zip(softplus, [2.0611537e-09, 3.1326166e-01, 6.9314718e-01, 1.3132616, 20]) {
            #expect(isClose(value, keras, tolerance: Tolerance.float32))
        }
        let swish = try Self.outputs(.swish, [-20, -1, 0, 1, 20])
        for (value, keras) in zip(swish, [-4.1223075e-08, -2.6894143e-01, 0, 7.3105860e-01, 20]) {
            #expect(isClose(value, keras, tolerance: Tolerance.float32))
        }
        let softsign = try Self.outputs(.softsign, [-1, 0, 1])
        for (value, keras) in zip(softsign, [-0.5, 0, 0.5]) { #expect(isClose(value, keras, tolerance: Tolerance.float32)) }
        let exponential = try Self.outputs(.exponential, [-3, -1, 0, 1, 3])
        for (value, keras) in zip(exponential, [0.04978707, 0.36787945, 1, 2.7182817, 20.085537]) {
            #expect(isClose(value, keras, tolerance: Tolerance.float32))
        }
    }

    /// gelu(approximate=True) worked by hand (double precision, tanh form): c = sqrt(2 / pi) = 0.7978845608,
    /// at x = 1: u = c (1 + 0.044715) = 0.8335640, tanh(u) = 0.6823840, 0.5 (1 + 0.6823840) = 0.8411920; the
    /// derivative 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2) = 1.0829641.
    @Test("gelu(approximate=True) at hand-worked points, value and derivative")
    func geluApproximateByHand() throws {
        let points: [Float] = [-3, -1, -0.25, 0, 0.5, 1, 3]
        let values: [Double] = [-0.0036373921, -0.1588080094, -0.1003246493, 0, 0.3457140098, 0.8411919906, 2.9963626079]
        let slopes: [Double] = [-0.0115841666, -0.0829640838, 0.3046459048, 0.5, 0.8673699035, 1.0829640838, 1.0115841666]
        var a = [Float](repeating: 0, count: points.count)
        var g = [Float](repeating: 1, count: points.count)
        points.withUnsafeBufferPointer { z in
            a.withUnsafeMutableBufferPointer { Activation.geluApproximate.forward(z.baseAddress!, $0.baseAddress!, rows: points.count, units: 1) }
            a.withUnsafeBufferPointer { out in
                g.withUnsafeMutableBufferPointer {
                    Activation.geluApproximate.backward($0.baseAddress!, z: z.baseAddress!, a: out.baseAddress!, rows: points.count, units: 1)
                }
            }
        }
        for i in points.indices {
            #expect(isClose(Double(a[i]), values[i], tolerance: Tolerance.float32), "gelu_approximate(\(points[i])) = \(a[i])")
            #expect(isClose(Double(g[i]), slopes[i], tolerance: Tolerance.float32), "gelu_approximate'(\(points[i])) = \(g[i])")
        }
        #expect(try Activation(name: "gelu_approximate") == .geluApproximate)
        #expect(try Activation(name: "gelu") == .gelu)
    }

    @Test("names resolve as tf_keras's do")
    func names() throws {
        #expect(try Activation(name: "silu") == .swish)
        #expect(try Activation(name: "SWISH") == .swish)
        #expect(try Activation(name: "hard_sigmoid") == .hardSigmoid)
        #expect(try Activation(name: "leaky_relu") == .leakyRelu(alpha: 0.2))
        #expect(try Activation(name: nil) == .linear)
        #expect(throws: AnnealError.self) { try Activation(name: "mish") }
        #expect(throws: AnnealError.self) {
            try Sequential(seed: 1).add(Dense(2, activation: .leakyRelu(alpha: .nan), inputDimension: 2))
        }
    }

    @Test("setActivation folds an activation into a built layer and keeps its weights")
    func setActivation() throws {
        let model = Sequential(seed: 3)
        try model.add(Dense(2, inputDimension: 2))
        let weights = model.getWeights()
        try model.setActivation(.leakyRelu(alpha: 0.3), ofLayer: 0)
        #expect(model.getWeights() == weights)
        #expect(model.layers[0].activation == .leakyRelu(alpha: 0.3))
        try model.setWeights([WeightTensor(shape: [2, 2], values: [1, 0, 0, 1]), WeightTensor(shape: [2], values: [0, 0])])
        let out = try model.predict(Matrix([[-2, 4]]))
        #expect(out.values == [-0.6, 4])
        #expect(throws: AnnealError.self) { try model.setActivation(.elu, ofLayer: 1) }
        try model.compile(optimizer: SGD(), loss: .meanSquaredError)
        #expect(throws: AnnealError.self) { try model.setActivation(.elu, ofLayer: 0) }
    }
}
