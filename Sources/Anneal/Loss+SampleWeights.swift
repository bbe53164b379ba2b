extension Loss {
    /// The batch's loss with per-row sample weights `w`, as Keras 2 reduces it (`sum_over_batch_size`):
    ///
    ///     L = (1 / rows) * sum_i w_i * l_i
    ///
    /// where `l_i` is row `i`'s loss (the mean over its outputs, as the loss defines it). The sum is divided by
    /// the number of rows, not by the sum of the weights. When `gradient` is given it receives dL/dz of the
    /// output layer: row `i` of the unweighted batch mean's gradient times `w_i`, since L is that mean with
    /// each row's term scaled by `w_i`, and the activation's backward pass is linear in each row.
    ///
    /// With `weights` nil this is `evaluate` itself. Allocates nothing.
    func evaluate(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rows: Int, units: Int, activation: Activation, gradient: UnsafeMutablePointer<Float>?,
        weights: UnsafePointer<Float>?
    ) -> Float {
        evaluate(z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: gradient,
                 weights: weights, needsValue: true)
    }

    /// The gradient `evaluate` writes, without the loss's value, whose logarithms the binary cross-entropy
    /// then skips: for a training step whose loss is computed later from its outputs (`EpochRecord`).
    func gradient(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rows: Int, units: Int, activation: Activation, into gradient: UnsafeMutablePointer<Float>,
        weights: UnsafePointer<Float>?
    ) {
        _ = evaluate(z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: gradient,
                     weights: weights, needsValue: false)
    }

    private func evaluate(
        z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rows: Int, units: Int, activation: Activation, gradient: UnsafeMutablePointer<Float>?,
        weights: UnsafePointer<Float>?, needsValue: Bool
    ) -> Float {
        guard let weights else {
            return evaluate(z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: gradient,
                            needsValue: needsValue)
        }
        if let gradient {
            _ = evaluate(z: z, a: a, y: y, rows: rows, units: units, activation: activation, gradient: gradient,
                         needsValue: false)
            for row in 0..<rows {
                let w = weights[row]
                let g = gradient + row * units
                for u in 0..<units { g[u] *= w }
            }
        }
        guard needsValue else { return 0 }
        let width = labelWidth(units: units)
        // The hinge losses decide over the whole batch whether the labels are 0 / 1; each row keeps that answer.
        let binary = Loss.labelsAreBinary(y, count: rows * width)
        var total: Float = 0
        for row in 0..<rows {
            let offset = row * units
            let rowLoss = evaluate(
                z: z + offset, a: a + offset, y: y + row * width, rows: 1, units: units, activation: activation,
                gradient: nil, binaryHingeLabels: binary)
            total += weights[row] * rowLoss
        }
        return total / Float(rows)
    }
}
