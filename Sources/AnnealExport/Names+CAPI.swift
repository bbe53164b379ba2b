import Anneal
import CAnneal

// The pinned ANNEAL_ACTIVATION_*, ANNEAL_INITIALIZER_* and ANNEAL_LOSS_* codes, both ways, and lookups by
// Keras name (which the core does; these only turn its answer into a code).

let activationCodes: [(Int32, Activation)] = [
    (ANNEAL_ACTIVATION_LINEAR, .linear), (ANNEAL_ACTIVATION_RELU, .relu), (ANNEAL_ACTIVATION_SIGMOID, .sigmoid),
    (ANNEAL_ACTIVATION_TANH, .tanh), (ANNEAL_ACTIVATION_SOFTMAX, .softmax),
]

let initializerCodes: [(Int32, Initializer)] = [
    (ANNEAL_INITIALIZER_GLOROT_UNIFORM, .glorotUniform), (ANNEAL_INITIALIZER_ZEROS, .zeros),
    (ANNEAL_INITIALIZER_ONES, .ones), (ANNEAL_INITIALIZER_NORMAL, .normal()),
    (ANNEAL_INITIALIZER_UNIFORM, .uniform()), (ANNEAL_INITIALIZER_TRUNCATED_NORMAL, .truncatedNormal()),
    (ANNEAL_INITIALIZER_GLOROT_NORMAL, .glorotNormal), (ANNEAL_INITIALIZER_HE_NORMAL, .heNormal),
    (ANNEAL_INITIALIZER_HE_UNIFORM, .heUniform), (ANNEAL_INITIALIZER_LECUN_NORMAL, .lecunNormal),
    (ANNEAL_INITIALIZER_LECUN_UNIFORM, .lecunUniform),
]

let lossCodes: [(Int32, Loss)] = [
    (ANNEAL_LOSS_BINARY_CROSSENTROPY, .binaryCrossentropy),
    (ANNEAL_LOSS_CATEGORICAL_CROSSENTROPY, .categoricalCrossentropy),
    (ANNEAL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, .sparseCategoricalCrossentropy),
    (ANNEAL_LOSS_MEAN_SQUARED_ERROR, .meanSquaredError),
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
        out.pointee = try encode(try Loss(name: name), lossCodes)
    }
}
