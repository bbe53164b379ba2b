import AnnealKernels
import Testing
@testable import Anneal

/// Every kernel level this CPU runs (portable without and with FMA, AVX2, AVX-512) gives the same bits as plain
/// Swift loops written in the order the kernels promise (`KernelReference`), on the shapes the register blocks
/// and their tails split differently: that is what lets the golden Keras runs pass whichever level a machine
/// picks. Levels the CPU lacks are skipped; every x86-64 CPU runs the portable level without FMA, the code a
/// CPU without FMA trains with.
@Suite("Kernel levels")
struct KernelLevelTests {
    static let levels: [Kernels.Level] = [
        ANNEAL_KERNELS_PORTABLE_NO_FMA, ANNEAL_KERNELS_PORTABLE, ANNEAL_KERNELS_AVX2, ANNEAL_KERNELS_AVX512,
    ]
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

    /// `body` run on the reference loops and at `level` on copies of the same outputs, which must be equal.
    static func expectSameBits(_ outputs: [Float], at level: Kernels.Level, _ what: String,
                               _ body: (UnsafeMutablePointer<Float>, KernelsUnderTest) -> Void) {
        var reference = outputs
        var kernel = outputs
        reference.withUnsafeMutableBufferPointer { body($0.baseAddress!, KernelsUnderTest(level: nil)) }
        kernel.withUnsafeMutableBufferPointer { body($0.baseAddress!, KernelsUnderTest(level: level)) }
        let differing = zip(reference, kernel).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(what) at level \(level.rawValue): \(differing) of \(outputs.count) values differ")
    }

    @Test("dense products: forward (with and without bias), parameter gradients and the update applied with them, input gradient",
          arguments: levels)
    func products(level: Kernels.Level) {
        for (index, shape) in Self.shapes.enumerated() {
            let (rows, units, inputs) = shape
            let x = Self.values(rows * inputs, seed: UInt64(10 * index + 1))
            let kernel = Self.values(inputs * units, seed: UInt64(10 * index + 2))
            let bias = Self.values(units, seed: UInt64(10 * index + 3))
            let delta = Self.values(rows * units, seed: UInt64(10 * index + 4))
            let name = "\(rows) x \(units) x \(inputs)"
            for withBias in [true, false] {
                Self.expectSameBits(Array(repeating: .nan, count: rows * units), at: level, "forward \(name)") { z, kernels in
                    bias.withUnsafeBufferPointer { b in
                        kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel,
                                             bias: withBias ? b.baseAddress : nil, units: units, z: z)
                    }
                }
            }
            // Kernel gradient then bias gradient, in one output buffer.
            Self.expectSameBits(Array(repeating: .nan, count: inputs * units + units), at: level, "gradients \(name)") { out, kernels in
                kernels.denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                                kernelGradient: out, biasGradient: out + inputs * units)
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
                                        at: level, what) { p, kernels in
                        let kernelGradient = p + 2 * count
                        let bias = inputs * units
                        transposedX.withUnsafeBufferPointer { t in
                            kernels.denseParameterUpdate(
                                x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                kernel: (p, p + count, kernelGradient), bias: (p + bias, p + count + bias, kernelGradient + bias),
                                step: SGDStep(rate: 0.0999, momentum: momentum, nesterov: nesterov, velocity: p + count),
                                transposedX: xTransposed ? t.baseAddress : nil)
                        }
                        // The reference leaves the kernel's gradient in the scratch; the kernels do not.
                        kernelGradient.update(repeating: 0, count: inputs * units)
                    }
                }
            }
            Self.expectSameBits(Array(repeating: .nan, count: rows * inputs), at: level, "transpose \(name)") { t, kernels in
                kernels.transpose(x, rows: rows, columns: inputs, into: t)
            }
            // A kept packed copy of the kernel: the forward product reading it, and the update writing it.
            let packedSize = Kernels.packedSize(rows: rows, inputs: inputs, units: units, level: level)
            if packedSize > 0 {
                var packed = [Float](repeating: .nan, count: packedSize)
                Self.expectSameBits(Array(repeating: .nan, count: rows * units), at: level, "packed forward \(name)") { z, kernels in
                    packed.withUnsafeMutableBufferPointer { copy in
                        kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel, bias: bias, units: units,
                                             z: z, packed: (copy.baseAddress!, false))
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
            Self.expectSameBits(Array(repeating: .nan, count: rows * inputs), at: level, "input gradient \(name)") { dx, kernels in
                kernels.denseInputGradient(delta: delta, rows: rows, inputs: inputs, units: units, kernel: kernel,
                                           inputGradient: dx)
            }
        }
    }

    /// A fused multiply-add rounds once. Where the CPU has none (`portable-no-fma` on x86-64), the kernels
    /// compute it in double precision, rounding to odd before rounding to float: rounding to nearest twice
    /// would differ where the exact sum lies just off a midpoint between two floats. Each sum here starts near
    /// 1 and adds terms of 2^-20 to 2^-50 whose 48-bit products sit just off powers of two (b = ±2^e / a to a
    /// few units in the last place), which lands many sums there.
    @Test("fused products: sums just off the midpoints between floats", arguments: levels)
    func fusedNearMidpoints(level: Kernels.Level) {
        let (rows, units, inputs) = (128, 256, 40)
        #expect(anneal_kernels_product_fuses(rows, units, inputs))
        var generator = SeededGenerator(seed: 41)
        func unit() -> Float { Float(1 + generator.nextUnit()) }  // [1, 2)
        let columnValues = (0..<inputs).map { _ in unit() }
        let x = (0..<rows * inputs).map { $0 % inputs == 0 ? unit() : columnValues[$0 % inputs] }
        let kernel = (0..<inputs * units).map { index -> Float in
            let sign: Float = generator.nextUnit() < 0.5 ? -1 : 1
            if index < units { return sign * unit() }
            let power = Float(sign: .plus, exponent: -20 - Int(generator.nextUnit() * 31), significand: 1)
            let nearPower = Float(bitPattern: (power / columnValues[index / units]).bitPattern &+ UInt32(generator.nextUnit() * 9) &- 4)
            return sign * nearPower
        }
        // The data do what they are for: rounding twice gives other bits somewhere in these sums.
        var roundedTwiceDiffers = 0
        for m in 0..<rows {
            for n in 0..<units {
                var sum: Float = 0
                for k in 0..<inputs {
                    let (a, b) = (x[m * inputs + k], kernel[k * units + n])
                    if Float(Double(a) * Double(b) + Double(sum)) != sum.addingProduct(a, b) { roundedTwiceDiffers += 1 }
                    sum = sum.addingProduct(a, b)
                }
            }
        }
        #expect(roundedTwiceDiffers > 10)
        Self.expectSameBits(Array(repeating: .nan, count: rows * units), at: level, "forward near midpoints") { z, kernels in
            kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel, bias: nil, units: units, z: z)
        }
    }

    @Test("ReLU forward and backward, the SGD update's three rules, transposes and the batch gather",
          arguments: levels)
    func elementwise(level: Kernels.Level) {
        // 70_000 parameters: an update big enough to be shared with the helper thread.
        for count in [1, 7, 8, 9, 16, 17, 34, 100, 70_000] {
            let z = Self.values(count, seed: 7).enumerated().map { $0.offset % 5 == 0 ? 0 : $0.element }
            // NaN, -0 and +0 among the inputs: ReLU keeps NaN and turns -0 into +0, as Swift's max(z, 0).
            let special = z.enumerated().map { $0.offset % 7 == 1 ? Float.nan : $0.offset % 7 == 3 ? -0.0 : $0.element }
            Self.expectSameBits(Self.values(count, seed: 12), at: level, "relu forward \(count)") { a, kernels in
                kernels.reluForward(a, z: special, count: count)
            }
            Self.expectSameBits(Self.values(count, seed: 8), at: level, "relu \(count)") { gradient, kernels in
                kernels.reluBackward(gradient, z: z, count: count)
            }
            let g = Self.values(count, seed: 9)
            for (momentum, nesterov) in [(Float(0), false), (0.8, false), (0.9, true)] {
                // Parameters then velocities, in one buffer.
                Self.expectSameBits(Self.values(2 * count, seed: 10), at: level, "sgd \(count) \(momentum) \(nesterov)") { wv, kernels in
                    kernels.sgdUpdate(w: wv, v: wv + count, g: g, count: count, rate: 0.0999, momentum: momentum,
                                      nesterov: nesterov)
                }
            }
        }
        // Transposes around the 8 x 8 tiles and the 16-row pieces, the last shared with the helper thread.
        for (rows, columns) in [(1, 1), (3, 5), (8, 8), (17, 33), (40, 9), (128, 784)] {
            let matrix = Self.values(rows * columns, seed: 13)
            Self.expectSameBits(Array(repeating: .nan, count: rows * columns), at: level, "transpose \(rows) x \(columns)") { t, kernels in
                kernels.transpose(matrix, rows: rows, columns: columns, into: t)
            }
        }
        // The last: 100 rows of 700, a gather big enough to be shared with the helper thread.
        for (width, count) in [(1, 7), (2, 7), (8, 7), (16, 7), (34, 7), (35, 7), (700, 100)] {
            let source = Self.values(40 * width, seed: 11)
            let rows = (0..<count).map { ([3, 0, 39, 17, 17, 5, 22][$0 % 7] + $0 / 7) % 40 }
            Self.expectSameBits(Array(repeating: .nan, count: rows.count * width), at: level, "gather \(width)") { out, kernels in
                kernels.gatherRows(out, from: source, width: width, rows: rows, count: rows.count)
            }
            // And the rows also written transposed, in one buffer.
            Self.expectSameBits(Array(repeating: .nan, count: 2 * rows.count * width), at: level, "gather \(width) transposed") { out, kernels in
                kernels.gatherRows(out, transposed: out + rows.count * width, from: source, width: width, rows: rows,
                                   count: rows.count)
            }
        }
    }
}

/// What `KernelLevelTests.expectSameBits` runs a body on: the kernels at `level`, or the reference loops
/// (`level` nil), behind one set of functions.
struct KernelsUnderTest {
    let level: Kernels.Level?

    func denseForward(x: UnsafePointer<Float>, rows: Int, inputs: Int, kernel: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>?, units: Int, z: UnsafeMutablePointer<Float>,
                      packed: (copy: UnsafeMutablePointer<Float>, current: Bool)? = nil) {
        guard let level else {
            return KernelReference.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel, bias: bias,
                                                units: units, z: z)
        }
        Kernels.denseForward(x: x, rows: rows, inputs: inputs, kernel: kernel, bias: bias, units: units, z: z,
                             packed: packed, level: level)
    }

    func denseParameterGradients(x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int,
                                 units: Int, kernelGradient: UnsafeMutablePointer<Float>,
                                 biasGradient: UnsafeMutablePointer<Float>?) {
        guard let level else {
            return KernelReference.denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                                           kernelGradient: kernelGradient, biasGradient: biasGradient)
        }
        Kernels.denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                        kernelGradient: kernelGradient, biasGradient: biasGradient, level: level)
    }

    /// The reference reads `x` itself, never `transposedX`.
    func denseParameterUpdate(x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int,
                              units: Int, kernel: Kernels.UpdatedParameters, bias: Kernels.UpdatedParameters?,
                              step: SGDStep, transposedX: UnsafePointer<Float>?) {
        guard let level else {
            return KernelReference.denseParameterUpdate(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                                        kernel: kernel, bias: bias, step: step)
        }
        Kernels.denseParameterUpdate(x: x, delta: delta, rows: rows, inputs: inputs, units: units, kernel: kernel,
                                     bias: bias, step: step, transposedX: transposedX, level: level)
    }

    func denseInputGradient(delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
                            kernel: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        guard let level else {
            return KernelReference.denseInputGradient(delta: delta, rows: rows, inputs: inputs, units: units,
                                                      kernel: kernel, inputGradient: inputGradient)
        }
        Kernels.denseInputGradient(delta: delta, rows: rows, inputs: inputs, units: units, kernel: kernel,
                                   inputGradient: inputGradient, level: level)
    }

    func reluForward(_ a: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int) {
        guard let level else { return KernelReference.reluForward(a, z: z, count: count) }
        Kernels.reluForward(a, z: z, count: count, level: level)
    }

    func reluBackward(_ gradient: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int) {
        guard let level else { return KernelReference.reluBackward(gradient, z: z, count: count) }
        Kernels.reluBackward(gradient, z: z, count: count, level: level)
    }

    func sgdUpdate(w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                   count: Int, rate: Float, momentum: Float, nesterov: Bool) {
        guard let level else {
            return KernelReference.sgdUpdate(w: w, v: v, g: g, count: count, rate: rate, momentum: momentum,
                                             nesterov: nesterov)
        }
        Kernels.sgdUpdate(w: w, v: v, g: g, count: count, rate: rate, momentum: momentum, nesterov: nesterov,
                          level: level)
    }

    func transpose(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into transposed: UnsafeMutablePointer<Float>) {
        guard let level else { return KernelReference.transpose(matrix, rows: rows, columns: columns, into: transposed) }
        Kernels.transpose(matrix, rows: rows, columns: columns, into: transposed, level: level)
    }

    func gatherRows(_ destination: UnsafeMutablePointer<Float>, transposed: UnsafeMutablePointer<Float>? = nil,
                    from source: UnsafePointer<Float>, width: Int, rows: UnsafePointer<Int>, count: Int) {
        guard let level else {
            return KernelReference.gatherRows(destination, transposed: transposed, from: source, width: width,
                                              rows: rows, count: count)
        }
        Kernels.gatherRows(destination, transposed: transposed, from: source, width: width, rows: rows, count: count,
                           level: level)
    }
}
