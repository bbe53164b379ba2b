/// Metrics weighted by sample weights, as tf_keras 2 weights its `weighted_metrics` (those in `metrics` are
/// not weighted). With `w_i` row `i`'s weight (`sample_weight`, or `class_weight[y_i]`):
/// ```
/// means (accuracies, top-k, a loss, cosine_similarity)   sum(w_i v_i) / sum(w_i)     (0 when sum(w_i) = 0)
/// root_mean_squared_error      sqrt(sum(w_i (p_iu - y_iu)^2) / (outputs * sum(w_i)))
/// precision, recall, auc       every count is a sum of the weights of the outputs counted
/// ```
/// (Keras's `Mean` with `sample_weight`, `broadcast_weights` over the outputs, and the confusion-matrix
/// variables' weighted sums.) A weighted metric keeps one float of state more than `stateCount`: the sum of
/// the weights seen. Without weights (a fit with no sample or class weights) every row weighs 1, which gives
/// the unweighted metric.
extension Metric {
    /// Floats of running state as a weighted metric: `stateCount` and the weights' sum.
    var weightedStateCount: Int { stateCount + 1 }

    /// Adds one batch to a weighted metric's `state` (`weightedStateCount` floats); `weights` holds one weight
    /// per row, nil weighs every row 1. Allocates nothing.
    func update(
        _ state: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, a: UnsafePointer<Float>,
        y: UnsafePointer<Float>, rows: Int, units: Int, activation: Activation, weights: UnsafePointer<Float>?
    ) {
        guard let weights else {
            update(state, z: z, a: a, y: y, rows: rows, units: units, activation: activation)
            state[stateCount] += Float(rows)
            return
        }
        var weightSum: Float = 0
        for row in 0..<rows { weightSum += weights[row] }
        state[stateCount] += weightSum
        switch self {
        case .mean(let loss):
            state[0] += Self.weightedLossSum(loss, z: z, a: a, y: y, rows: rows, units: units,
                                             activation: activation, weights: weights)
        case .cosineSimilarity:
            state[0] -= Self.weightedLossSum(.cosineSimilarity, z: z, a: a, y: y, rows: rows, units: units,
                                             activation: activation, weights: weights)
        case .rootMeanSquaredError:
            var total: Float = 0
            for row in 0..<rows {
                var rowTotal: Float = 0
                for u in 0..<units {
                    let difference = a[row * units + u] - y[row * units + u]
                    rowTotal += difference * difference
                }
                total += weights[row] * rowTotal
            }
            state[0] += total
        case .accuracy, .binaryAccuracy, .categoricalAccuracy, .sparseCategoricalAccuracy, .topKCategoricalAccuracy,
             .sparseTopKCategoricalAccuracy, .precision, .recall, .auc:
            // A row's hit (or its counts) weighs its weight; a miss adds nothing, as `weight * 0` added nothing.
            update(state, z: z, a: a, y: y, rows: rows, units: units, activation: activation, rowWeights: weights)
        }
    }

    /// A weighted metric's value from its state (`weightedStateCount` floats) after `units` outputs per row.
    func weightedResult(_ state: UnsafePointer<Float>, units: Int) -> Float {
        weightedResult(state, weightSum: state[stateCount], rows: 1, units: units)
    }

    /// The one rule for a weighted metric's division, for `fit`'s weighted metrics and ``StandaloneMetric``:
    /// `state` holds the weighted sums (`stateCount` floats), `weightSum` the sum of the weights of the `rows`
    /// rows seen. Means divide by `weightSum` (root_mean_squared_error by `weightSum` times `units`);
    /// precision, recall and auc are ratios of their weighted counts.
    func weightedResult(_ state: UnsafePointer<Float>, weightSum: Float, rows: Int, units: Int) -> Float {
        switch self {
        case .rootMeanSquaredError:
            let count = weightSum * Float(units)
            return (count == 0 ? 0 : state[0] / count).squareRoot()
        case .precision, .recall, .auc:
            return result(state, rows: rows, units: units)
        default:
            return weightSum == 0 ? 0 : state[0] / weightSum
        }
    }

    /// `sum(w_i l_i)` over the batch's rows, `l_i` row `i`'s loss as the loss computes it.
    private static func weightedLossSum(
        _ loss: Loss, z: UnsafePointer<Float>, a: UnsafePointer<Float>, y: UnsafePointer<Float>, rows: Int,
        units: Int, activation: Activation, weights: UnsafePointer<Float>
    ) -> Float {
        let width = loss.labelWidth(units: units)
        // The hinge losses decide over the whole batch whether the labels are 0 / 1; each row keeps that answer.
        let binary = Loss.labelsAreBinary(y, count: rows * width)
        var total: Float = 0
        for row in 0..<rows {
            let offset = row * units
            let rowLoss = loss.evaluate(
                z: z + offset, a: a + offset, y: y + row * width, rows: 1, units: units, activation: activation,
                gradient: nil, binaryHingeLabels: binary)
            total += weights[row] * rowLoss
        }
        return total
    }
}
