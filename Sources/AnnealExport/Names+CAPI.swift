import Anneal
import CAnneal

// The pinned ANNEAL_ACTIVATION_*, ANNEAL_INITIALIZER_*, ANNEAL_LOSS_* and ANNEAL_CURVE_* codes, both ways, and lookups by
// Keras name (which the core does; these only turn its answer into a code).

let activationCodes: [(Int32, Activation)] = [
    (ANNEAL_ACTIVATION_LINEAR, .linear), (ANNEAL_ACTIVATION_RELU, .relu), (ANNEAL_ACTIVATION_SIGMOID, .sigmoid),
    (ANNEAL_ACTIVATION_TANH, .tanh), (ANNEAL_ACTIVATION_SOFTMAX, .softmax), (ANNEAL_ACTIVATION_ELU, .elu),
    (ANNEAL_ACTIVATION_SELU, .selu), (ANNEAL_ACTIVATION_SOFTPLUS, .softplus), (ANNEAL_ACTIVATION_SOFTSIGN, .softsign),
    (ANNEAL_ACTIVATION_SWISH, .swish), (ANNEAL_ACTIVATION_GELU, .gelu), (ANNEAL_ACTIVATION_HARD_SIGMOID, .hardSigmoid),
    (ANNEAL_ACTIVATION_EXPONENTIAL, .exponential),
    (ANNEAL_ACTIVATION_LEAKY_RELU, .leakyRelu(alpha: Activation.leakyReluAlpha)),
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

@c @implementation
public func anneal_activation_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        let name = try string(name, "name")
        let out = try required(out_code, "out_code")
        out.pointee = try encode(try Activation(name: name), activationCodes)
    }
}

@c @implementation
public func anneal_initializer_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        let name = try string(name, "name")
        let out = try required(out_code, "out_code")
        out.pointee = try encode(try Initializer(name: name), initializerCodes)
    }
}

@c @implementation
public func anneal_loss_from_name(_ name: UnsafePointer<CChar>?, _ out_code: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        let name = try string(name, "name")
        let out = try required(out_code, "out_code")
        out.pointee = try encode(try Loss(name: name).kind, lossCodes)
    }
}
