@testable import Anneal

/// Anneal's kernels written as plain Swift loops, in the order `AnnealKernels.h` promises (for each output
/// element, the terms in increasing order of the summed index, starting from the bias or 0; each product
/// rounded before it is added, or, in the products `Kernels.fuses` names, fused with the add): the independent
/// reference every kernel level is compared with, bit for bit (`KernelLevelTests`).
enum KernelReference {
    /// `z[r][j] = bias[j] + Σ_i x[r][i] * kernel[i][j]` for `rows` rows.
    static func denseForward(
        x: UnsafePointer<Float>, rows: Int, inputs: Int,
        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, units: Int, z: UnsafeMutablePointer<Float>
    ) {
        let fused = Kernels.fuses(rows: rows, columns: units, depth: inputs)
        for r in 0..<rows {
            let zRow = z + r * units
            if let bias {
                zRow.update(from: bias, count: units)
            } else {
                zRow.update(repeating: 0, count: units)
            }
            let xRow = x + r * inputs
            for i in 0..<inputs {
                let xi = xRow[i]
                let kRow = kernel + i * units
                if fused {
                    for j in 0..<units { zRow[j].addProduct(xi, kRow[j]) }
                } else {
                    for j in 0..<units { zRow[j] += xi * kRow[j] }
                }
            }
        }
    }

    /// `dKernel[i][j] = Σ_r x[r][i] * delta[r][j]` and `dBias[j] = Σ_r delta[r][j]` (overwriting both).
    static func denseParameterGradients(
        x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernelGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?
    ) {
        kernelGradient.update(repeating: 0, count: inputs * units)
        let fused = Kernels.fuses(rows: inputs, columns: units, depth: rows)
        for r in 0..<rows {
            let xRow = x + r * inputs
            let dRow = delta + r * units
            for i in 0..<inputs {
                let xi = xRow[i]
                let gRow = kernelGradient + i * units
                if fused {
                    for j in 0..<units { gRow[j].addProduct(xi, dRow[j]) }
                } else {
                    for j in 0..<units { gRow[j] += xi * dRow[j] }
                }
            }
        }
        if let biasGradient {
            biasGradient.update(repeating: 0, count: units)
            for r in 0..<rows {
                let dRow = delta + r * units
                for j in 0..<units { biasGradient[j] += dRow[j] }
            }
        }
    }

    /// The parameter gradients (stored in `kernel.gradient` and `bias.gradient`), then the update `step`.
    static func denseParameterUpdate(
        x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: Kernels.UpdatedParameters, bias: Kernels.UpdatedParameters?, step: SGDStep
    ) {
        denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                kernelGradient: kernel.gradient, biasGradient: bias?.gradient)
        let (rate, momentum, nesterov) = (step.rate, step.momentum, step.nesterov)
        sgdUpdate(w: kernel.values, v: kernel.velocity, g: kernel.gradient, count: inputs * units, rate: rate,
                  momentum: momentum, nesterov: nesterov)
        if let bias {
            sgdUpdate(w: bias.values, v: bias.velocity, g: bias.gradient, count: units, rate: rate,
                      momentum: momentum, nesterov: nesterov)
        }
    }

    /// `dx[r][i] = Σ_j delta[r][j] * kernel[i][j]`.
    static func denseInputGradient(
        delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        let fused = Kernels.fuses(rows: rows, columns: inputs, depth: units)
        for r in 0..<rows {
            let dRow = delta + r * units
            let out = inputGradient + r * inputs
            for i in 0..<inputs {
                let kRow = kernel + i * units
                var sum: Float = 0
                if fused {
                    for j in 0..<units { sum.addProduct(dRow[j], kRow[j]) }
                } else {
                    for j in 0..<units { sum += dRow[j] * kRow[j] }
                }
                out[i] = sum
            }
        }
    }

    /// ReLU: `a[i] = max(z[i], 0)` (NaN stays NaN, -0 becomes +0).
    static func reluForward(_ a: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { a[i] = max(z[i], 0) }
    }

    /// ReLU's backward step in place: `gradient[i] = 0` where `z[i] <= 0`.
    static func reluBackward(_ gradient: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int) {
        for i in 0..<count where z[i] <= 0 { gradient[i] = 0 }
    }

    /// `Kernels.sgdUpdate`'s rules, each product rounded before it is used.
    static func sgdUpdate(
        w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, count: Int,
        rate: Float, momentum: Float, nesterov: Bool
    ) {
        if momentum == 0 {
            for i in 0..<count { w[i] -= rate * g[i] }
        } else if nesterov {
            for i in 0..<count {
                v[i] = momentum * v[i] - rate * g[i]
                w[i] += momentum * v[i] - rate * g[i]
            }
        } else {
            for i in 0..<count {
                v[i] = momentum * v[i] - rate * g[i]
                w[i] += v[i]
            }
        }
    }

    /// `transposed[n][m] = matrix[m][n]` for a `rows` x `columns` matrix.
    static func transpose(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into transposed: UnsafeMutablePointer<Float>
    ) {
        for m in 0..<rows {
            for n in 0..<columns { transposed[n * rows + m] = matrix[m * columns + n] }
        }
    }

    /// Row `rows[k]` of `source` to row `k` of `destination`, and to column `k` of `transposed` when given.
    static func gatherRows(
        _ destination: UnsafeMutablePointer<Float>, transposed: UnsafeMutablePointer<Float>? = nil,
        from source: UnsafePointer<Float>, width: Int, rows: UnsafePointer<Int>, count: Int
    ) {
        for k in 0..<count {
            (destination + k * width).update(from: source + rows[k] * width, count: width)
        }
        if let transposed { transpose(destination, rows: count, columns: width, into: transposed) }
    }
}
