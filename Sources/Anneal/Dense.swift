/// A fully connected layer: `a = activation(x · kernel + bias)`.
///
/// The kernel is `[inputs][units]` (Keras's layout), the bias `[units]`. A `Dense` is a description; the
/// model owns the numbers once the layer is added.
public struct Dense: Equatable, Sendable {
    public var units: Int
    public var activation: Activation
    public var kernelInitializer: Initializer
    public var biasInitializer: Initializer
    public var useBias: Bool
    /// The input width; required on the first layer of a model, ignored (checked) on the others.
    public var inputDimension: Int?

    public init(
        _ units: Int,
        activation: Activation = .linear,
        kernelInitializer: Initializer = .glorotUniform,
        biasInitializer: Initializer = .zeros,
        useBias: Bool = true,
        inputDimension: Int? = nil
    ) {
        self.units = units
        self.activation = activation
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.useBias = useBias
        self.inputDimension = inputDimension
    }

    func validate() throws {
        guard units > 0 else {
            throw AnnealError.invalidArgument(
                "Received an invalid value for `units`, expected a positive integer. Received: units=\(units)")
        }
        if let inputDimension, inputDimension <= 0 {
            throw AnnealError.invalidArgument(
                "Received an invalid value for `input_dim`, expected a positive integer. Received: input_dim=\(inputDimension)")
        }
        try activation.validate()
        try kernelInitializer.validate()
        try biasInitializer.validate()
    }
}
