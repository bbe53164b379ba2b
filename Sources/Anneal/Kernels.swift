/// The dense-layer arithmetic, on raw row-major `Float` pointers.
///
/// Loops are ordered so the innermost one walks contiguous memory (the compiler vectorises it), and nothing
/// here allocates: callers pass workspaces sized once per model and batch size.
enum Kernels {
    /// `z[r][j] = bias[j] + Σ_i x[r][i] * kernel[i][j]` for `rows` rows.
    static func denseForward(
        x: UnsafePointer<Float>, rows: Int, inputs: Int,
        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, units: Int,
        z: UnsafeMutablePointer<Float>
    ) {
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
    static func denseInputGradient(
        delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
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
