import AnnealKernels
import Testing
@testable import Anneal

/// SGD's update is written once, as `SGD.rule` in `SGD.swift`; the C kernels vectorize it (`Kernels.sgdUpdate`)
/// and apply it to each gradient as the big products compute it (`Kernels.denseParameterUpdate`). Each of those
/// paths is checked here against the rule itself, bit for bit, at every level this CPU runs.
@Suite("SGD rule")
struct SGDRuleTests {
    static let levels: [Kernels.Level] = [
        ANNEAL_KERNELS_PORTABLE_NO_FMA, ANNEAL_KERNELS_PORTABLE, ANNEAL_KERNELS_AVX2, ANNEAL_KERNELS_AVX512,
    ]
        .filter { anneal_kernels_supported($0) }

    /// Momentum 0, momentum, and Nesterov momentum.
    static let rules: [(momentum: Float, nesterov: Bool)] = [(0, false), (0.8, false), (0.9, true)]

    static let rate: Float = 0.0999

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        // Spread over magnitudes, so that another order of rounding would show.
        return (0..<count).map { _ in Float((generator.nextUnit() * 2 - 1) * 1e3 * generator.nextUnit()) }
    }

    /// `w`, `v` after `SGD.rule` applied to each parameter in turn.
    static func ruled(_ w: [Float], _ v: [Float], _ g: [Float], momentum: Float, nesterov: Bool) -> ([Float], [Float]) {
        var (w, v) = (w, v)
        for i in w.indices {
            (w[i], v[i]) = SGD.rule(w: w[i], v: v[i], g: g[i], rate: rate, momentum: momentum, nesterov: nesterov)
        }
        return (w, v)
    }

    static func expectSameBits(_ actual: [Float], _ expected: [Float], _ what: String) {
        let differing = zip(actual, expected).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(actual.count == expected.count && differing == 0,
                "\(what): \(differing) of \(expected.count) values differ from SGD.rule's")
    }

    @Test("the rule at hand-worked points: w = 1, v = 0.5, g = 2, rate 0.1")
    func handWorked() {
        // momentum 0: w = 1 - 0.1 * 2; v untouched.
        let plain = SGD.rule(w: 1, v: 0.5, g: 2, rate: 0.1, momentum: 0, nesterov: false)
        #expect(abs(plain.w - 0.8) < 1e-6 && plain.v == 0.5)
        // momentum 0.9: v = 0.9 * 0.5 - 0.2 = 0.25; w = 1 + 0.25.
        let momentum = SGD.rule(w: 1, v: 0.5, g: 2, rate: 0.1, momentum: 0.9, nesterov: false)
        #expect(abs(momentum.v - 0.25) < 1e-6 && abs(momentum.w - 1.25) < 1e-6)
        // Nesterov: the same v; w = 1 + (0.9 * 0.25 - 0.2) = 1.025.
        let nesterov = SGD.rule(w: 1, v: 0.5, g: 2, rate: 0.1, momentum: 0.9, nesterov: true)
        #expect(abs(nesterov.v - 0.25) < 1e-6 && abs(nesterov.w - 1.025) < 1e-6)
    }

    @Test("the update of whole buffers (70 000 parameters: shared with the helper thread) is the rule",
          arguments: levels)
    func update(level: Kernels.Level) {
        for count in [1, 7, 8, 9, 17, 100, 70_000] {
            let g = Self.values(count, seed: 1)
            for (momentum, nesterov) in Self.rules {
                var w = Self.values(count, seed: 2)
                var v = Self.values(count, seed: 3)
                let (expectedW, expectedV) = Self.ruled(w, v, g, momentum: momentum, nesterov: nesterov)
                Kernels.sgdUpdate(w: &w, v: &v, g: g, count: count, rate: Self.rate, momentum: momentum,
                                  nesterov: nesterov, level: level)
                let what = "level \(level.rawValue), \(count) parameters, momentum \(momentum), nesterov \(nesterov)"
                Self.expectSameBits(w, expectedW, "w, " + what)
                if momentum != 0 { Self.expectSameBits(v, expectedV, "v, " + what) }
            }
        }
    }

    @Test("the update fused into the parameter-gradient product is the product's gradients, then the rule",
          arguments: levels)
    func fusedUpdate(level: Kernels.Level) {
        // (rows, units, inputs): the tutorial's, a one-unit layer, and products of a million multiply-adds or
        // more, which fuse their terms and are shared with the helper thread.
        for (rows, units, inputs) in [(28, 34, 34), (28, 1, 34), (128, 256, 40), (64, 70, 300)] {
            let x = Self.values(rows * inputs, seed: 4)
            let delta = Self.values(rows * units, seed: 5)
            let count = inputs * units + units
            var gradients = [Float](repeating: .nan, count: count)
            gradients.withUnsafeMutableBufferPointer { g in
                Kernels.denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                                kernelGradient: g.baseAddress!, biasGradient: g.baseAddress! + inputs * units,
                                                level: level)
            }
            for (momentum, nesterov) in Self.rules {
                let start = Self.values(count, seed: 6)
                let velocity = Self.values(count, seed: 7)
                let (expectedW, expectedV) = Self.ruled(start, velocity, gradients, momentum: momentum, nesterov: nesterov)
                var w = start
                var v = velocity
                var scratch = [Float](repeating: 0, count: count)
                w.withUnsafeMutableBufferPointer { w in
                    v.withUnsafeMutableBufferPointer { v in
                        scratch.withUnsafeMutableBufferPointer { g in
                            let (w, v, g, bias) = (w.baseAddress!, v.baseAddress!, g.baseAddress!, inputs * units)
                            Kernels.denseParameterUpdate(
                                x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                kernel: (w, v, g), bias: (w + bias, v + bias, g + bias),
                                step: SGDStep(rate: Self.rate, momentum: momentum, nesterov: nesterov, velocity: v),
                                level: level)
                        }
                    }
                }
                let what = "level \(level.rawValue), \(rows) x \(units) x \(inputs), momentum \(momentum), nesterov \(nesterov)"
                Self.expectSameBits(w, expectedW, "w, " + what)
                if momentum != 0 { Self.expectSameBits(v, expectedV, "v, " + what) }
            }
        }
    }
}
