import AnnealKernels

/// The hot loops of training, on raw row-major `Float` pointers: the dense-layer products, ReLU and its
/// gradient, the bias gradients, the SGD update (`SGD.rule`, vectorized, and fused into the big products)
/// and the batch gather. The core's one door to the C kernels: nothing else in it names them.
///
/// Each has a portable Swift loop, ordered so the innermost loop walks contiguous memory, and hands its work
/// to the register-blocked AVX2 or AVX-512 code in `AnnealKernels` (C, chosen at run time) where the CPU has
/// it. The C kernels sum in the same order as these loops, and fuse each term's multiply and add exactly where
/// they do (`fuses`: the big products only), so every level gives bit-identical results (`KernelLevelTests`
/// checks it). Nothing here allocates per call: callers pass workspaces sized once per model and batch size,
/// and the C side's copy buffer is kept between calls. Where a C kernel reports that it computed nothing (no
/// memory for that copy), the Swift loop runs instead.
enum Kernels {
    /// An instruction-set level; `.portable` is the Swift loops.
    typealias Level = anneal_kernels_level

    /// The level this process trains with: the CPU's widest, unless `ANNEAL_KERNELS=portable` or `avx2`
    /// lowers it (decided once per process).
    static let level: Level = anneal_kernels_best_level()

    /// Whether `level` runs the C kernels rather than the Swift loops.
    static func isVectorized(_ level: Level = level) -> Bool { level != ANNEAL_KERNELS_PORTABLE }

    /// Whether a product of `rows` x `columns` outputs summed over `depth` adds each term as a fused
    /// multiply-add, at every level: the big ones (a million multiply-adds or more), which run faster so; the
    /// small products, among them all of the golden Keras runs', round each product first, which is what
    /// reproduces those runs (fused, the time-based one drifts).
    static func fuses(rows: Int, columns: Int, depth: Int) -> Bool {
        anneal_kernels_product_fuses(rows, columns, depth)
    }

    /// `z[r][j] = bias[j] + Σ_i x[r][i] * kernel[i][j]` for `rows` rows.
    ///
    /// `packed`, when given, is room for the kernel's packed copy (`packedSize`), which the product then reads:
    /// refreshed from `kernel` first unless `packed.current` says it holds the kernel already.
    static func denseForward(
        x: UnsafePointer<Float>, rows: Int, inputs: Int,
        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, units: Int,
        z: UnsafeMutablePointer<Float>, packed: (copy: UnsafeMutablePointer<Float>, current: Bool)? = nil,
        level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE, let packed {
            if !packed.current { anneal_kernels_pack(level, kernel, units, inputs, packed.copy) }
            anneal_kernels_gemm_packed(level, x, inputs, 1, packed.copy, bias, z, units, rows, units, inputs)
            return
        }
        if level != ANNEAL_KERNELS_PORTABLE,
           anneal_kernels_gemm(level, x, inputs, 1, kernel, units, 1, bias, z, units, rows, units, inputs) {
            return
        }
        let fused = fuses(rows: rows, columns: units, depth: inputs)
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
        kernelGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE,
           units == 1
               // A one-unit layer: the gradient is a row of `inputs` values, Σ_r delta[r] * x[r][i].
               ? anneal_kernels_gemm(level, delta, 0, 1, x, inputs, 1, nil, kernelGradient, inputs, 1, inputs, rows)
               // dKernel = xᵀ · delta: output row i reads x down column i.
               : anneal_kernels_gemm(level, x, 1, inputs, delta, units, 1, nil, kernelGradient, units, inputs, units, rows) {
            if let biasGradient { anneal_kernels_column_sums(level, delta, rows, units, biasGradient) }
            return
        }
        kernelGradient.update(repeating: 0, count: inputs * units)
        let fused = fuses(rows: inputs, columns: units, depth: rows)
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

    /// The floats of a kernel's packed copy for `denseForward` (0: the product reads the kernel in place):
    /// worth keeping when that layer's forward product runs often on `rows` rows.
    static func packedSize(rows: Int, inputs: Int, units: Int, level: Level = level) -> Int {
        level == ANNEAL_KERNELS_PORTABLE ? 0 : anneal_kernels_packed_size(level, rows, units, inputs)
    }

    /// A layer's parameters, each with its velocity and room for its gradient.
    typealias UpdatedParameters = (
        values: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>)

    /// `denseParameterGradients` applied at once as the update `step` (`SGD.rule`) of the layer's kernel and
    /// bias. The kernel's gradient goes straight from the product into the update (never stored) where a
    /// vectorized level computes it; otherwise, and for the bias, the gradients are stored in `gradient`
    /// first. Either way the parameters get the same bits as the gradients followed by the update. The updated
    /// kernel also goes into `packedKernel`, when given (`denseForward`'s packed copy).
    ///
    /// `transposedX`, when given, is `x` transposed (`inputs` x `rows`): the product then reads its rows in order.
    static func denseParameterUpdate(
        x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: UpdatedParameters, bias: UpdatedParameters?, step: SGDStep,
        packedKernel: UnsafeMutablePointer<Float>? = nil, transposedX: UnsafePointer<Float>? = nil,
        level: Level = level
    ) {
        let (rate, momentum, nesterov) = (step.rate, step.momentum, step.nesterov)
        // dKernel = xᵀ · delta: output row i reads x down column i, or row i of the transposed copy.
        let (a, aRowStride, aDepthStride) = transposedX.map { ($0, rows, 1) } ?? (x, 1, inputs)
        if level != ANNEAL_KERNELS_PORTABLE,
           units == 1
               // A one-unit layer's forward product never packs its kernel.
               ? anneal_kernels_gemm_sgd(level, delta, 0, 1, x, inputs, 1, kernel.values, kernel.velocity, inputs,
                                         nil, 1, inputs, rows, rate, momentum, nesterov)
               : anneal_kernels_gemm_sgd(level, a, aRowStride, aDepthStride, delta, units, 1, kernel.values,
                                         kernel.velocity, units, packedKernel, inputs, units, rows, rate, momentum,
                                         nesterov) {
            if let bias { anneal_kernels_column_sums(level, delta, rows, units, bias.gradient) }
        } else {
            denseParameterGradients(x: x, delta: delta, rows: rows, inputs: inputs, units: units,
                                    kernelGradient: kernel.gradient, biasGradient: bias?.gradient, level: level)
            sgdUpdate(w: kernel.values, v: kernel.velocity, g: kernel.gradient, count: inputs * units, rate: rate,
                      momentum: momentum, nesterov: nesterov, level: level)
            if level != ANNEAL_KERNELS_PORTABLE, let packedKernel {
                anneal_kernels_pack(level, kernel.values, units, inputs, packedKernel)
            }
        }
        if let bias {
            sgdUpdate(w: bias.values, v: bias.velocity, g: bias.gradient, count: units, rate: rate,
                      momentum: momentum, nesterov: nesterov, level: level)
        }
    }

    /// `dx[r][i] = Σ_j delta[r][j] * kernel[i][j]`: the gradient passed down to the layer below.
    static func denseInputGradient(
        delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernel: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, level: Level = level
    ) {
        // The kernel read transposed, b(j, i) = kernel[i][j]: the C side copies it into panels.
        if level != ANNEAL_KERNELS_PORTABLE,
           anneal_kernels_gemm(level, delta, units, 1, kernel, 1, units, nil, inputGradient, inputs, rows, inputs, units) {
            return
        }
        let fused = fuses(rows: rows, columns: inputs, depth: units)
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
    static func reluForward(
        _ a: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int, level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE {
            anneal_kernels_relu_forward(level, a, z, count)
            return
        }
        for i in 0..<count { a[i] = max(z[i], 0) }
    }

    /// ReLU's backward step in place: `gradient[i] = 0` where `z[i] <= 0`.
    static func reluBackward(
        _ gradient: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int, level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE {
            anneal_kernels_relu_backward(level, gradient, z, count)
            return
        }
        for i in 0..<count where z[i] <= 0 { gradient[i] = 0 }
    }

    /// One SGD update of `count` parameters: `SGD.rule` for each, vectorized by the C kernels at `level`.
    /// `v` is not read when `momentum` is 0.
    static func sgdUpdate(
        w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, count: Int,
        rate: Float, momentum: Float, nesterov: Bool, level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE {
            anneal_kernels_sgd(level, w, v, g, count, rate, momentum, nesterov)
        } else {
            SGD.update(w: w, v: v, g: g, count: count, rate: rate, momentum: momentum, nesterov: nesterov)
        }
    }

    /// `transposed[n][m] = matrix[m][n]` for a `rows` x `columns` matrix.
    static func transpose(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into transposed: UnsafeMutablePointer<Float>,
        level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE {
            anneal_kernels_transpose(level, matrix, rows, columns, transposed)
            return
        }
        for m in 0..<rows {
            for n in 0..<columns { transposed[n * rows + m] = matrix[m * columns + n] }
        }
    }

    /// Copies row `rows[k]` of `source` (rows of `width` values) to row `k` of `destination`, `k < count`, and,
    /// given `transposed`, to its column `k` too (as `transpose` of `destination` would).
    static func gatherRows(
        _ destination: UnsafeMutablePointer<Float>, transposed: UnsafeMutablePointer<Float>? = nil,
        from source: UnsafePointer<Float>, width: Int, rows: UnsafePointer<Int>, count: Int, level: Level = level
    ) {
        if level != ANNEAL_KERNELS_PORTABLE {
            anneal_kernels_gather_rows(level, destination, transposed, source, width, rows, count)
            return
        }
        for k in 0..<count {
            (destination + k * width).update(from: source + rows[k] * width, count: width)
        }
        if let transposed { transpose(destination, rows: count, columns: width, into: transposed, level: level) }
    }

    // MARK: The helper thread

    /// Whether a product of `rows` x `columns` outputs summed over `depth` is shared with the helper thread at
    /// `level` (the big ones): a model whose products are not leaves the helper free for other work.
    static func productIsShared(rows: Int, columns: Int, depth: Int, level: Level = level) -> Bool {
        anneal_kernels_product_is_shared(level, rows, columns, depth)
    }

    /// Whether an update of `count` parameters is shared with the helper thread.
    static func updateIsShared(count: Int) -> Bool { anneal_kernels_update_is_shared(count) }

    /// Starts `task.run()` on the helper thread and returns true, or returns false, having started nothing,
    /// when there is no helper or another caller is using it (the caller then runs the task itself). The
    /// caller keeps `task` alive and calls `finishHelperTask()` before reading what it wrote; until then its
    /// own products are computed alone.
    static func startOnHelper(_ task: ValidationTask) -> Bool {
        anneal_kernels_task_start(runValidationTask, Unmanaged.passUnretained(task).toOpaque())
    }

    /// Waits for the task of this thread's successful `startOnHelper` to return, and frees the helper.
    static func finishHelperTask() { anneal_kernels_task_finish() }
}

/// The helper thread's entry into a ValidationTask (passed unretained: its starter holds it).
private let runValidationTask: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
    guard let context else { return }
    Unmanaged<ValidationTask>.fromOpaque(context).takeUnretainedValue().run()
}
