import AnnealKernels

/// The hot loops of training, on raw row-major `Float` pointers: the dense-layer products, ReLU and its
/// gradient, the bias gradients, the SGD update (`SGD.rule`, vectorized, and fused into the big products)
/// and the batch gather. The core's one door to the C kernels: nothing else in it names them.
///
/// Each is a call into `AnnealKernels` (C), at a level chosen once per process: the register-blocked AVX2 or
/// AVX-512 code where the CPU has it, else the portable level (the same kernels written with clang's portable
/// vector types). Every level sums in the same order and fuses each term's multiply and add exactly where the
/// others do (`fuses`: the big products only), so every level gives bit-identical results (`KernelLevelTests`
/// compares each with plain loops written in that order). Nothing here allocates per call: callers pass
/// workspaces sized once per model and batch size, and the C side's copy buffer is kept between calls.
enum Kernels {
    /// An instruction-set level.
    typealias Level = anneal_kernels_level

    /// The level this process trains with: the CPU's widest, unless the environment variable
    /// `ANNEAL_KERNELS` (`avx2`, `portable`, `portable-no-fma`) lowers it (decided once per process).
    static let level: Level = anneal_kernels_best_level()

    /// Whether `level` is an x86 vector level (AVX2, AVX-512) rather than a portable one.
    static func isVectorized(_ level: Level = level) -> Bool { level.rawValue >= ANNEAL_KERNELS_AVX2.rawValue }

    /// The parameter count from which a model updates each layer inside its gradient product
    /// (`ANNEAL_KERNELS_BIG_UPDATE`, the kernels' own threshold for sharing an update with the helper thread).
    static let bigUpdate = Int(ANNEAL_KERNELS_BIG_UPDATE)

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
        if let packed {
            if !packed.current { anneal_kernels_pack(level, kernel, units, inputs, packed.copy) }
            anneal_kernels_gemm_packed(level, x, inputs, 1, packed.copy, bias, z, units, rows, units, inputs)
        } else {
            anneal_kernels_gemm(level, x, inputs, 1, kernel, units, 1, bias, z, units, rows, units, inputs)
        }
    }

    /// `dKernel[i][j] = Σ_r x[r][i] * delta[r][j]` and `dBias[j] = Σ_r delta[r][j]` (overwriting both).
    static func denseParameterGradients(
        x: UnsafePointer<Float>, delta: UnsafePointer<Float>, rows: Int, inputs: Int, units: Int,
        kernelGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        level: Level = level
    ) {
        if units == 1 {
            // A one-unit layer: the gradient is a row of `inputs` values, Σ_r delta[r] * x[r][i].
            anneal_kernels_gemm(level, delta, 0, 1, x, inputs, 1, nil, kernelGradient, inputs, 1, inputs, rows)
        } else {
            // dKernel = xᵀ · delta: output row i reads x down column i.
            anneal_kernels_gemm(level, x, 1, inputs, delta, units, 1, nil, kernelGradient, units, inputs, units, rows)
        }
        if let biasGradient { anneal_kernels_column_sums(level, delta, rows, units, biasGradient) }
    }

    /// The floats of a kernel's packed copy for `denseForward` (0: the product reads the kernel in place):
    /// worth keeping when that layer's forward product runs often on `rows` rows.
    static func packedSize(rows: Int, inputs: Int, units: Int, level: Level = level) -> Int {
        anneal_kernels_packed_size(level, rows, units, inputs)
    }

    /// A layer's parameters, each with its velocity and room for its gradient.
    typealias UpdatedParameters = (
        values: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>)

    /// `denseParameterGradients` applied at once as the update `step` (`sgdUpdate`) of the layer's kernel and
    /// bias (`SGD.rule`, vectorized). The kernel's gradient goes straight from the product into the update (never
    /// stored); the bias's is stored in `gradient` first. Either way the parameters get the same bits as the gradients followed by
    /// the update. The updated kernel also goes into `packedKernel`, when given (`denseForward`'s packed copy).
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
        if units == 1 {
            // A one-unit layer's forward product never packs its kernel.
            anneal_kernels_gemm_sgd(level, delta, 0, 1, x, inputs, 1, kernel.values, kernel.velocity, inputs,
                                    nil, 1, inputs, rows, rate, momentum, nesterov)
        } else {
            anneal_kernels_gemm_sgd(level, a, aRowStride, aDepthStride, delta, units, 1, kernel.values,
                                    kernel.velocity, units, packedKernel, inputs, units, rows, rate, momentum,
                                    nesterov)
        }
        if let bias {
            anneal_kernels_column_sums(level, delta, rows, units, bias.gradient)
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
        anneal_kernels_gemm(level, delta, units, 1, kernel, 1, units, nil, inputGradient, inputs, rows, inputs, units)
    }

    /// ReLU: `a[i] = max(z[i], 0)` (NaN stays NaN, -0 becomes +0).
    static func reluForward(
        _ a: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int, level: Level = level
    ) {
        anneal_kernels_relu_forward(level, a, z, count)
    }

    /// ReLU's backward step in place: `gradient[i] = 0` where `z[i] <= 0`.
    static func reluBackward(
        _ gradient: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int, level: Level = level
    ) {
        anneal_kernels_relu_backward(level, gradient, z, count)
    }

    /// One SGD update of `count` parameters: `SGD.rule` for each, vectorized by the C kernels at `level`.
    /// `v` is not read when `momentum` is 0.
    static func sgdUpdate(
        w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, count: Int,
        rate: Float, momentum: Float, nesterov: Bool, level: Level = level
    ) {
        anneal_kernels_sgd(level, w, v, g, count, rate, momentum, nesterov)
    }

    /// `transposed[n][m] = matrix[m][n]` for a `rows` x `columns` matrix.
    static func transpose(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into transposed: UnsafeMutablePointer<Float>,
        level: Level = level
    ) {
        anneal_kernels_transpose(level, matrix, rows, columns, transposed)
    }

    /// Copies row `rows[k]` of `source` (rows of `width` values) to row `k` of `destination`, `k < count`, and,
    /// given `transposed`, to its column `k` too (as `transpose` of `destination` would).
    static func gatherRows(
        _ destination: UnsafeMutablePointer<Float>, transposed: UnsafeMutablePointer<Float>? = nil,
        from source: UnsafePointer<Float>, width: Int, rows: UnsafePointer<Int>, count: Int, level: Level = level
    ) {
        anneal_kernels_gather_rows(level, destination, transposed, source, width, rows, count)
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
    static func startOnHelper(_ task: EpochValuesTask) -> Bool {
        anneal_kernels_task_start(runEpochValuesTask, Unmanaged.passUnretained(task).toOpaque())
    }

    /// Waits for the task of this thread's successful `startOnHelper` to return, and frees the helper.
    static func finishHelperTask() { anneal_kernels_task_finish() }
}

/// The calling thread's use of the library's helper thread (docs/THREADS.md).
public enum CallingThread {
    /// Whether the calling thread computes alone: its products, updates and validation tasks never use the
    /// helper thread, as under `ANNEAL_THREADS=1` (false, the default, lets them share it). Per thread: for
    /// threads that train side by side, one per core, where the helper would only take CPU from the others.
    /// The results are the same either way.
    public static var computesAlone: Bool {
        get { anneal_kernels_alone() }
        set { anneal_kernels_set_alone(newValue) }
    }
}

/// The helper thread's entry into an EpochValuesTask (passed unretained: its starter holds it).
private let runEpochValuesTask: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
    guard let context else { return }
    Unmanaged<EpochValuesTask>.fromOpaque(context).takeUnretainedValue().run()
}
