import AnnealKernels
import Testing
@testable import Anneal

/// Every vectorized kernel level this CPU runs (AVX2, AVX-512) gives the same bits as the portable Swift
/// loops, on the shapes the register blocks and their tails split differently: that is what lets the golden
/// Keras runs pass whichever level a machine picks. Levels the CPU lacks are skipped.
@Suite("Kernel levels")
struct KernelLevelTests {
    static let vectorizedLevels: [Kernels.Level] = [ANNEAL_KERNELS_AVX2, ANNEAL_KERNELS_AVX512]
        .filter { anneal_kernels_supported($0) }

    /// Rows, columns and depths around the block sizes (6 rows; 8, 16, 32 and 64 columns), the tutorial's
    /// 28 x 34 x 34, its one-unit output layer, narrow panels (4 columns or fewer) computed across rows (by
    /// the forward product through 8 x 8 transposes, whole and ragged in rows and depth), gradient products
    /// of 5 to 12 columns computed across rows, products big enough to be shared with the helper thread and
    /// read from a packed b (with ragged last panels, one of them narrow; shared by rows, and by panels of
    /// columns with b packed by each thread, transposed for the input gradient of 128 x 37 x 250), and a
    /// batch of 300 rows (deeper than the updating product copies a for).
    static let shapes: [(rows: Int, columns: Int, depth: Int)] = [
        (1, 1, 1), (28, 34, 34), (28, 1, 34), (1, 34, 28), (5, 3, 7), (6, 8, 5), (7, 9, 4), (13, 16, 3),
        (12, 17, 9), (11, 33, 6), (6, 64, 2), (7, 65, 3), (3, 70, 11), (2, 5, 0), (20, 3, 17), (9, 4, 40), (16, 2, 8), (8, 4, 16), (12, 2, 50), (3, 33, 60), (10, 2, 130), (40, 3, 20),
        (64, 10, 50), (20, 7, 33), (24, 12, 17),
        (128, 256, 40), (64, 70, 300), (30, 66, 600), (300, 20, 30), (128, 37, 250),
    ]

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        // Values spread over magnitudes, so that a different order of rounding would show.
        return (0..<count).map { _ in Float((generator.nextUnit() * 2 - 1) * 1e3 * generator.nextUnit()) }
    }

    /// `body` run at the portable level and at `level` on copies of the same outputs, which must be equal.
    static func expectSameBits(_ outputs: [Float], at level: Kernels.Level, _ what: String,
                               _ body: (UnsafeMutablePointer<Float>, Kernels.Level) -> Void) {
        var portable = outputs
        var vectorized = outputs
        portable.withUnsafeMutableBufferPointer { body($0.baseAddress!, ANNEAL_KERNELS_PORTABLE) }
        vectorized.withUnsafeMutableBufferPointer { body($0.baseAddress!, level) }
        let differing = zip(portable, vectorized).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(what) at level \(level.rawValue): \(differing) of \(outputs.count) values differ")
    }

    @Test("dense products: forward (with and without bias), parameter gradients and the update applied with them, input gradient",
          arguments: vectorizedLevels)
    func products(level: Kernels.Level) {
        for (index, shape) in Self.shapes.enumerated() {
            let (rows, units, inputs) = shape
            let x = Self.values(rows * inputs, seed: UInt64(10 * index + 1))
            let kernel = Self.values(inputs * units, seed: UInt64(10 * index + 2))
            let bias = Self.values(units, seed: UInt64(10 * index + 3))
            let delta = Self.values(rows * units, seed: UInt64(10 * index + 4))
            let name = "\(rows) x \(units) x \(inputs)"
            for withBias in [true, false] {
                Self.expectSameBits(Array(repeating: .nan, count: rows * units), at: level, "forward \(name)") { z, level in
                    bias.withUnsafeBufferPointer { b in
                        Kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel,
                                             bias: withBias ? b.baseAddress : nil, units: units, z: z, level: level)
                    }
                }
            }
            // Kernel gradient then bias gradient, in one output buffer.
            Self.expectSameBits(Array(repeating: .nan, count: inputs * units + units), at: level, "gradients \(name)") { out, level in
                Kernels.denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                                kernelGradient: out, biasGradient: out + inputs * units, level: level)
            }
            // Parameters, velocities and gradient scratch in one buffer: the scratch holds the bias gradient
            // at every level, the kernel gradient only where the update follows the product. Each rule with x
            // as it is, and with x also given transposed (read in order by the product).
            let count = inputs * units + units
            var transposedX = [Float](repeating: .nan, count: inputs * rows)
            Kernels.transpose(x, rows: rows, columns: inputs, into: &transposedX, level: level)
            for (momentum, nesterov) in [(Float(0), false), (0.8, false), (0.9, true)] {
                for xTransposed in [false, true] {
                    let what = "update\(xTransposed ? ", x transposed," : "") \(name) \(momentum) \(nesterov)"
                    Self.expectSameBits(Self.values(2 * count, seed: UInt64(10 * index + 5)) + Array(repeating: 0, count: count),
                                        at: level, what) { p, level in
                        let kernelGradient = p + 2 * count
                        let bias = inputs * units
                        transposedX.withUnsafeBufferPointer { t in
                            Kernels.denseParameterUpdate(
                                x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                kernel: (p, p + count, kernelGradient), bias: (p + bias, p + count + bias, kernelGradient + bias),
                                step: SGDStep(rate: 0.0999, momentum: momentum, nesterov: nesterov, velocity: p + count),
                                transposedX: xTransposed ? t.baseAddress : nil, level: level)
                        }
                        // The portable level leaves the kernel's gradient in the scratch; the fused one does not.
                        kernelGradient.update(repeating: 0, count: inputs * units)
                    }
                }
            }
            Self.expectSameBits(Array(repeating: .nan, count: rows * inputs), at: level, "transpose \(name)") { t, level in
                Kernels.transpose(x, rows: rows, columns: inputs, into: t, level: level)
            }
            // A kept packed copy of the kernel: the forward product reading it, and the update writing it.
            let packedSize = Kernels.packedSize(rows: rows, inputs: inputs, units: units, level: level)
            if packedSize > 0 {
                var packed = [Float](repeating: .nan, count: packedSize)
                Self.expectSameBits(Array(repeating: .nan, count: rows * units), at: level, "packed forward \(name)") { z, level in
                    packed.withUnsafeMutableBufferPointer { copy in
                        Kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel, bias: bias, units: units,
                                             z: z, packed: (copy.baseAddress!, false), level: level)
                    }
                }
                var updated = Self.values(2 * count, seed: UInt64(10 * index + 6))
                var scratch = [Float](repeating: 0, count: count)
                updated.withUnsafeMutableBufferPointer { p in
                    scratch.withUnsafeMutableBufferPointer { g in
                        packed.withUnsafeMutableBufferPointer { copy in
                            let (w, v, bias) = (p.baseAddress!, p.baseAddress! + count, inputs * units)
                            Kernels.denseParameterUpdate(
                                x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                kernel: (w, v, g.baseAddress!), bias: (w + bias, v + bias, g.baseAddress! + bias),
                                step: SGDStep(rate: 0.0999, momentum: 0.9, nesterov: false, velocity: v),
                                packedKernel: copy.baseAddress!, level: level)
                        }
                    }
                }
                var repacked = [Float](repeating: .nan, count: packedSize)
                anneal_kernels_pack(level, updated, units, inputs, &repacked)
                let differing = zip(packed, repacked).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "packed kernel after the update \(name): \(differing) of \(packedSize) values differ")
            }
            Self.expectSameBits(Array(repeating: .nan, count: rows * inputs), at: level, "input gradient \(name)") { dx, level in
                Kernels.denseInputGradient(delta: delta, rows: rows, inputs: inputs, units: units, kernel: kernel,
                                           inputGradient: dx, level: level)
            }
        }
    }

    @Test("ReLU forward and backward, the SGD update's three rules, transposes and the batch gather",
          arguments: vectorizedLevels)
    func elementwise(level: Kernels.Level) {
        // 70_000 parameters: an update big enough to be shared with the helper thread.
        for count in [1, 7, 8, 9, 16, 17, 34, 100, 70_000] {
            let z = Self.values(count, seed: 7).enumerated().map { $0.offset % 5 == 0 ? 0 : $0.element }
            // NaN, -0 and +0 among the inputs: ReLU keeps NaN and turns -0 into +0, as Swift's max(z, 0).
            let special = z.enumerated().map { $0.offset % 7 == 1 ? Float.nan : $0.offset % 7 == 3 ? -0.0 : $0.element }
            Self.expectSameBits(Self.values(count, seed: 12), at: level, "relu forward \(count)") { a, level in
                Kernels.reluForward(a, z: special, count: count, level: level)
            }
            Self.expectSameBits(Self.values(count, seed: 8), at: level, "relu \(count)") { gradient, level in
                Kernels.reluBackward(gradient, z: z, count: count, level: level)
            }
            let g = Self.values(count, seed: 9)
            for (momentum, nesterov) in [(Float(0), false), (0.8, false), (0.9, true)] {
                // Parameters then velocities, in one buffer.
                Self.expectSameBits(Self.values(2 * count, seed: 10), at: level, "sgd \(count) \(momentum) \(nesterov)") { wv, level in
                    Kernels.sgdUpdate(w: wv, v: wv + count, g: g, count: count, rate: 0.0999, momentum: momentum,
                                      nesterov: nesterov, level: level)
                }
            }
        }
        // Transposes around the 8 x 8 tiles and the 16-row pieces, the last shared with the helper thread.
        for (rows, columns) in [(1, 1), (3, 5), (8, 8), (17, 33), (40, 9), (128, 784)] {
            let matrix = Self.values(rows * columns, seed: 13)
            Self.expectSameBits(Array(repeating: .nan, count: rows * columns), at: level, "transpose \(rows) x \(columns)") { t, level in
                Kernels.transpose(matrix, rows: rows, columns: columns, into: t, level: level)
            }
        }
        // The last: 100 rows of 700, a gather big enough to be shared with the helper thread.
        for (width, count) in [(1, 7), (2, 7), (8, 7), (16, 7), (34, 7), (35, 7), (700, 100)] {
            let source = Self.values(40 * width, seed: 11)
            let rows = (0..<count).map { ([3, 0, 39, 17, 17, 5, 22][$0 % 7] + $0 / 7) % 40 }
            Self.expectSameBits(Array(repeating: .nan, count: rows.count * width), at: level, "gather \(width)") { out, level in
                Kernels.gatherRows(out, from: source, width: width, rows: rows, count: rows.count, level: level)
            }
            // And the rows also written transposed, in one buffer.
            Self.expectSameBits(Array(repeating: .nan, count: 2 * rows.count * width), at: level, "gather \(width) transposed") { out, level in
                Kernels.gatherRows(out, transposed: out + rows.count * width, from: source, width: width, rows: rows,
                                   count: rows.count, level: level)
            }
        }
    }
}
