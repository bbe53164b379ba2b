import Anneal

/// The Keras learning-rate tutorial's three experiments on the ionosphere data, as data: used by the
/// tutorial runner (`anneal-tutorial`), the benchmark (`anneal-bench`) and `TutorialDistributionTests`, so
/// all three train exactly the same thing. It lives beside the examples, not in the `Anneal` library: one
/// tutorial's model and expected accuracies are not API.
///
/// Model: Dense(34, relu, 'normal', input_dim=34) -> Dense(1, sigmoid, 'normal'); binary_crossentropy,
/// accuracy; fit(validation_split=0.33, epochs=50, batch_size=28).
public enum TutorialExperiment: String, CaseIterable, Sendable {
    /// `SGD(lr=0.1, momentum=0.8, decay=0.1/50)`: Keras's time-based decay. The tutorial reports 99.14 %.
    case timeBased = "time-based decay"
    /// `SGD(lr=0.0, momentum=0.9)` with `LearningRateScheduler(step_decay)`. The tutorial reports 99.14 %.
    case stepDecay = "step decay"
    /// `SGD(lr=0.1)`: no momentum, no decay. The tutorial reports 95.69 %.
    case baseline = "baseline"

    /// The validation accuracy the tutorial prints, in percent.
    public var tutorialAccuracy: Double {
        switch self {
        case .timeBased, .stepDecay: 99.14
        case .baseline: 95.69
        }
    }

    public static let epochs = 50
    public static let batchSize = 28
    public static let validationSplit = 0.33

    /// The tutorial's network, compiled with this experiment's optimizer, weights drawn from `seed`.
    public func makeModel(seed: UInt64) throws -> Sequential {
        let model = Sequential(seed: seed)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        let optimizer: SGD
        switch self {
        case .timeBased: optimizer = try SGD(learningRate: 0.1, momentum: 0.8, nesterov: false, decay: 0.1 / 50)
        case .stepDecay: optimizer = try SGD(learningRate: 0, momentum: 0.9)
        case .baseline: optimizer = try SGD(learningRate: 0.1)
        }
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        return model
    }

    /// The callbacks the experiment trains with: the tutorial's step decay for `.stepDecay`.
    public func callbacks() throws -> [any Callback] {
        self == .stepDecay ? [LearningRateScheduler(try StepDecay(initialRate: 0.1, drop: 0.5, epochsDrop: 10))] : []
    }

    /// Trains a fresh model on `data` and returns it with its History.
    public func run(on data: Dataset, seed: UInt64, verbose: Int = 0, shuffle: Bool = true) throws -> (Sequential, History) {
        let model = try makeModel(seed: seed)
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: Self.epochs, batchSize: Self.batchSize, verbose: verbose,
            callbacks: callbacks(), validationSplit: Self.validationSplit, shuffle: shuffle)
        return (model, history)
    }
}
