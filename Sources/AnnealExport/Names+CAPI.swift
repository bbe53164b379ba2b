import Anneal
import CAnneal

// The pinned ANNEAL_ACTIVATION_*, ANNEAL_INITIALIZER_*, ANNEAL_LOSS_*, ANNEAL_CURVE_* and ANNEAL_METRIC_* codes, both
// ways, written with the header's constants (never their numbers), and the lookups by Keras name: the core holds
// the names, aliases and case rules (`Activation(name:)`, `Initializer(name:)`, `Loss(name:)`, `Metric(name:)`);
// these only turn its answer into a code. The Python package looks names up through these functions.

let activationCodes: [(Int32, Activation)] = [
    (ANNEAL_ACTIVATION_LINEAR, .linear), (ANNEAL_ACTIVATION_RELU, .relu), (ANNEAL_ACTIVATION_SIGMOID, .sigmoid),
    (ANNEAL_ACTIVATION_TANH, .tanh), (ANNEAL_ACTIVATION_SOFTMAX, .softmax), (ANNEAL_ACTIVATION_ELU, .elu),
    (ANNEAL_ACTIVATION_SELU, .selu), (ANNEAL_ACTIVATION_SOFTPLUS, .softplus), (ANNEAL_ACTIVATION_SOFTSIGN, .softsign),
    (ANNEAL_ACTIVATION_SWISH, .swish), (ANNEAL_ACTIVATION_GELU, .gelu), (ANNEAL_ACTIVATION_HARD_SIGMOID, .hardSigmoid),
    (ANNEAL_ACTIVATION_EXPONENTIAL, .exponential),
    (ANNEAL_ACTIVATION_LEAKY_RELU, .leakyRelu(alpha: Activation.leakyReluAlpha)),
    (ANNEAL_ACTIVATION_GELU_APPROXIMATE, .geluApproximate),
]

let initializerCodes: [(Int32, Initializer)] = [
    (ANNEAL_INITIALIZER_GLOROT_UNIFORM, .glorotUniform), (ANNEAL_INITIALIZER_ZEROS, .zeros),
    (ANNEAL_INITIALIZER_ONES, .ones), (ANNEAL_INITIALIZER_NORMAL, .normal()),
    (ANNEAL_INITIALIZER_UNIFORM, .uniform()), (ANNEAL_INITIALIZER_TRUNCATED_NORMAL, .truncatedNormal()),
    (ANNEAL_INITIALIZER_GLOROT_NORMAL, .glorotNormal), (ANNEAL_INITIALIZER_HE_NORMAL, .heNormal),
    (ANNEAL_INITIALIZER_HE_UNIFORM, .heUniform), (ANNEAL_INITIALIZER_LECUN_NORMAL, .lecunNormal),
    (ANNEAL_INITIALIZER_LECUN_UNIFORM, .lecunUniform),
]

let lossCodes: [(Int32, Loss.Kind)] = [
    (ANNEAL_LOSS_BINARY_CROSSENTROPY, .binaryCrossentropy),
    (ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY, .categoricalCrossentropy),
    (ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, .sparseCategoricalCrossentropy),
    (ANNEAL_LOSS_MEAN_SQUARED_ERROR, .meanSquaredError), (ANNEAL_LOSS_MEAN_ABSOLUTE_ERROR, .meanAbsoluteError),
    (ANNEAL_LOSS_MEAN_ABSOLUTE_PERCENTAGE_ERROR, .meanAbsolutePercentageError),
    (ANNEAL_LOSS_MEAN_SQUARED_LOGARITHMIC_ERROR, .meanSquaredLogarithmicError), (ANNEAL_LOSS_HUBER, .huber),
    (ANNEAL_LOSS_LOG_COSH, .logCosh), (ANNEAL_LOSS_HINGE, .hinge), (ANNEAL_LOSS_SQUARED_HINGE, .squaredHinge),
    (ANNEAL_LOSS_CATEGORICAL_HINGE, .categoricalHinge), (ANNEAL_LOSS_KL_DIVERGENCE, .klDivergence),
    (ANNEAL_LOSS_POISSON, .poisson), (ANNEAL_LOSS_COSINE_SIMILARITY, .cosineSimilarity),
]

let curveCodes: [(Int32, Metric.Curve)] = [(ANNEAL_CURVE_ROC, .roc), (ANNEAL_CURVE_PR, .pr)]

let summationCodes: [(Int32, Metric.Summation)] = [
    (ANNEAL_SUMMATION_INTERPOLATION, .interpolation), (ANNEAL_SUMMATION_MINORING, .minoring),
    (ANNEAL_SUMMATION_MAJORING, .majoring),
]

/// The metrics that have a code, with the log name each gives.
let metricCodes: [(Int32, String)] = [
    (ANNEAL_METRIC_ACCURACY, "accuracy"), (ANNEAL_METRIC_BINARY_ACCURACY, "binary_accuracy"),
    (ANNEAL_METRIC_CATEGORICAL_ACCURACY, "categorical_accuracy"),
    (ANNEAL_METRIC_SPARSE_CATEGORICAL_ACCURACY, "sparse_categorical_accuracy"),
]

/// The value of `code` in `table`, or `ANNEAL_E_INVALID_ARGUMENT` naming the argument.
func decode<T>(_ code: Int32, _ table: [(Int32, T)], _ name: String) throws -> T {
    guard let found = table.first(where: { $0.0 == code }) else {
        throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                        "\(name) must be one of \(table.map(\.0)). Received: \(name)=\(code)")
    }
    return found.1
}

/// The code of `value` in `table`.
private func encode<T: Equatable>(_ value: T, _ table: [(Int32, T)]) throws -> Int32 {
    guard let found = table.first(where: { $0.1 == value }) else {
        throw CAPIError(ANNEAL_E_INTERNAL, "no C code for \(value)")
    }
    return found.0
}

/// The C half of every `anneal_*_from_name`: `lookup` (the core's Keras-name lookup, turned into a code) on the
/// C string `name`, its code written to `out_code`.
private func codeFromName(
    _ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?, function: String,
    _ lookup: (String) throws -> Int32
) -> Int32 {
    capiCall(function: function) {
        let name = try string(name, "name")
        let out = try required(out_code, "out_code")
        out.pointee = try lookup(name)
    }
}

@c @implementation
public func anneal_activation_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    codeFromName(name, out_code, function: #function) { try encode(try Activation(name: $0), activationCodes) }
}

@c @implementation
public func anneal_initializer_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    codeFromName(name, out_code, function: #function) { try encode(try Initializer(name: $0), initializerCodes) }
}

@c @implementation
public func anneal_loss_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    codeFromName(name, out_code, function: #function) { try encode(try Loss(name: $0).kind, lossCodes) }
}

@c @implementation
public func anneal_metric_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    codeFromName(name, out_code, function: #function) { name in
        let metric = try Metric(name: name)
        guard let found = metricCodes.first(where: { (try? Metric(name: $0.1)) == metric }) else {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT,
                            "the metric '\(name)' has no ANNEAL_METRIC_* code; name it in anneal_model_compile's metrics")
        }
        return found.0
    }
}

@c @implementation
public func anneal_metric_check_name(_ name: UnsafePointer<CChar>?) -> Int32 {
    capiCall { _ = try Metric(name: try string(name, "name")) }
}
