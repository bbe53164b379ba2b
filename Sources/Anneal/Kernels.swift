import AnnealKernels

/// The dense-layer arithmetic, on raw row-major `Float` pointers.
///
/// Loops are ordered so the innermost one walks contiguous memory (the compiler vectorises it), and nothing
/// here allocates: callers pass workspaces sized once per model and batch size.
///
/// On CPUs with AVX-512 each kernel hands its work to the register-blocked AVX-512 code in `AnnealKernels`
/// (C, runtime-dispatched), which sums in the same order as these loops, without fused multiply-adds, so both
/// paths give bit-identical results; the Swift
/// loops below are the portable path (`ANNEAL_KERNELS=portable` forces them).
enum Kernels {
    /// Whether the AVX-512 kernels run on this machine (decided once per process).
    static let vectorized: Bool = anneal_kernels_avx512()

    /// `z[r][j] = bias[j] + Σ_i x[r][i] * kernel[i][j]` for `rows` rows.
    static func denseForward(
        x: UnsafePointer<Float>, rows: Int, inputs: Int,
        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, units: Int,
        z: UnsafeMutablePointer<Float>
    ) {
        if vectorized {
            anneal_kernels_gemm_avx512(x, inputs, 1, kernel, units, bias, z, units, rows, units, inputs)
            return
        }
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
                for j in 0..<units { zRow[j] += xi * kRow[j] }
            }
        }
    }

    /// `dKernel[i][j] = Σ_r x[r][i] * delta[r][j]` and `dBias[j] = Σ_r delta[r][j]` (overwriting both).
    static func denseParameterGradients(
        x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernelGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?
    ) {
        if vectorized {
            if units == 1 {
                // A one-unit layer: the gradient is a row of `inputs` values, Σ_r delta[r] * x[r][i].
                anneal_kernels_gemm_avx512(delta, 0, 1, x, inputs, nil, kernelGradient, inputs, 1, inputs, rows)
            } else {
                // dKernel = xᵀ · delta: output row i reads x down column i.
                anneal_kernels_gemm_avx512(x, 1, inputs, delta, units, nil, kernelGradient, units, inputs, units, rows)
            }
            if let biasGradient { anneal_kernels_column_sums_avx512(delta, rows, units, biasGradient) }
            return
        }
        kernelGradient.update(repeating: 0, count: inputs * units)
        for r in 0..<rows {
            let xRow = x + r * inputs
            let dRow = delta + r * units
            for i in 0..<inputs {
                let xi = xRow[i]
                let gRow = kernelGradient + i * units
                for j in 0..<units { gRow[j] += xi * dRow[j] }
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

    /// `dx[r][i] = Σ_j delta[r][j] * kernel[i][j]`: the gradient passed down to the layer below.
    ///
    /// `scratch` holds at least `inputs * units` values (the vectorized path writes the transposed kernel there).
    static func denseInputGradient(
        delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        if vectorized {
            var transposed = kernel
            if units > 1 {
                anneal_kernels_transpose_avx512(scratch, kernel, inputs, units)
                transposed = UnsafePointer(scratch)
            }
            anneal_kernels_gemm_avx512(delta, units, 1, transposed, inputs, nil, inputGradient, inputs, rows, inputs, units)
            return
        }
        for r in 0..<rows {
            let dRow = delta + r * units
            let out = inputGradient + r * inputs
            for i in 0..<inputs {
                let kRow = kernel + i * units
                var sum: Float = 0
                for j in 0..<units { sum += dRow[j] * kRow[j] }
                out[i] = sum
            }
        }
    }
}
