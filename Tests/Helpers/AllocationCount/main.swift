// anneal-allocation-count: trains networks through `TrainingSession` and prints how many heap
// allocations their training steps made after the first epoch (which sizes the workspaces): one line
// `steps N allocations K` per network and optimizer, or `unavailable` where allocations cannot be counted (sanitizer
// builds). A helper of Tests/AnnealTests/AllocationTests.swift.
import Anneal
import MallocCounter

#if canImport(Glibc)
import Glibc
#endif

/// Rows of `columns` values drawn uniformly from [-1, 1) with Anneal's seeded generator (as the tests'
/// `Support.randomMatrix`, which this executable cannot import).
func randomMatrix(rows: Int, columns: Int, seed: UInt64) throws -> Matrix {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<(rows * columns)).map { _ in Float(2 * generator.nextUnit() - 1) }
    return try Matrix(rows: rows, columns: columns, values: values)
}

/// Allocations made by `trainBatch` over `epochs` epochs after a first, uncounted one.
func countSteps(_ session: TrainingSession, epochs: Int) throws -> (steps: Int, allocations: Int64) {
    _ = try session.trainEpoch()
    let before = malloc_counter_count()
    var steps = 0
    for _ in 0..<epochs {
        session.beginEpoch()
        for batch in 0..<session.batchCount {
            malloc_counter_enable(true)
            try session.trainBatch(batch)
            malloc_counter_enable(false)
            steps += 1
        }
    }
    return (steps, malloc_counter_count() - before)
}

guard malloc_counter_available() else {
    print("unavailable")
    exit(0)
}
do {
    // The tutorial's network and optimizer (decayed SGD with momentum), on the shipped data's shape, with
    // every kind of metric state (counts, confusion buckets, a loss as a metric) updated each step.
    let tutorial = Sequential(seed: 7)
    try tutorial.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
    try tutorial.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
    try tutorial.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002),
                         loss: .binaryCrossentropy,
                         metrics: ["accuracy", "auc", "precision", "recall", "rmse", "mae", "binary_crossentropy"])
    // Precision with Keras's top_k and class_id (the per-row top-k test).
    try tutorial.setMetric(at: 2, name: "precision", metric: .precision(threshold: 0.5, topK: 1, classId: 0))
    // AUC at an uneven thresholds list (bisected per output), on the outputs' sigmoid, summed minoring.
    try tutorial.setMetric(at: 1, name: "auc", metric: .auc(thresholdValues: [0.2, 0.45, 0.9], curve: .pr,
                                                            summation: .minoring, fromLogits: true))
    let x = try randomMatrix(rows: 351, columns: 34, seed: 1)
    let y = Matrix(column: (0..<351).map { Float($0 % 2) })
    let small = try countSteps(TrainingSession(model: tutorial, x: x, y: y, batchSize: 28, validationSplit: 0.33), epochs: 5)
    print("steps \(small.steps) allocations \(small.allocations)")

    // A wide softmax network whose products and updates are shared with the kernels' helper thread.
    let wide = Sequential(seed: 3)
    try wide.add(Dense(256, activation: .relu, inputDimension: 784))
    try wide.add(Dense(10, activation: .softmax))
    try wide.compile(optimizer: try SGD(learningRate: 0.01, momentum: 0.9, nesterov: true),
                     loss: .sparseCategoricalCrossentropy, metrics: ["accuracy", "sparse_top_k_categorical_accuracy"])
    let images = try randomMatrix(rows: 512, columns: 784, seed: 2)
    let labels = Matrix(column: (0..<512).map { Float($0 % 10) })
    let big = try countSteps(TrainingSession(model: wide, x: images, y: labels, batchSize: 128), epochs: 2)
    print("steps \(big.steps) allocations \(big.allocations)")

    // The wide network with sample weights on its training and validation rows (gathered per batch).
    let weighted = try TrainingSession(model: wide, x: images, y: labels, batchSize: 100, validationSplit: 0.2)
    try weighted.setSampleWeights((0..<weighted.trainingRows).map { Float(1 + $0 % 3) })
    try weighted.setValidationSampleWeights((0..<weighted.validationRows).map { Float(1 + $0 % 2) })
    let weightedSteps = try countSteps(weighted, epochs: 2)
    print("steps \(weightedSteps.steps) allocations \(weightedSteps.allocations)")

    // Keras's weighted_metrics of every kind of state, weighted by the sample weights every step.
    let weightedMetrics = Sequential(seed: 7)
    try weightedMetrics.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
    try weightedMetrics.add(Dense(1, activation: .geluApproximate, kernelInitializer: .normal()))
    try weightedMetrics.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.8), loss: .meanSquaredError,
                                metrics: ["accuracy"],
                                weightedMetrics: ["accuracy", "auc", "precision", "rmse", "mae", "binary_crossentropy"])
    let weightedMetricsSession = try TrainingSession(model: weightedMetrics, x: x, y: y, batchSize: 28, validationSplit: 0.33)
    try weightedMetricsSession.setSampleWeights((0..<weightedMetricsSession.trainingRows).map { Float(1 + $0 % 3) })
    try weightedMetricsSession.setValidationSampleWeights((0..<weightedMetricsSession.validationRows).map { Float(1 + $0 % 2) })
    let weightedMetricSteps = try countSteps(weightedMetricsSession, epochs: 3)
    print("steps \(weightedMetricSteps.steps) allocations \(weightedMetricSteps.allocations)")

    // Dropout on the inputs and on a hidden layer: masks drawn and applied every step, in buffers sized with
    // the workspace; on the tutorial's network with Adam, and on the wide network (which updates layer by layer).
    let dropping = Sequential(seed: 7)
    try dropping.add(Dropout(rate: 0.2))
    try dropping.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
    try dropping.add(Dropout(rate: 0.5))
    try dropping.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
    try dropping.compile(optimizer: try Adam(), loss: .binaryCrossentropy, metrics: ["accuracy"])
    let dropped = try countSteps(TrainingSession(model: dropping, x: x, y: y, batchSize: 28, validationSplit: 0.33), epochs: 2)
    print("steps \(dropped.steps) allocations \(dropped.allocations)")
    let wideDropping = Sequential(seed: 3)
    try wideDropping.add(Dropout(rate: 0.1))
    try wideDropping.add(Dense(256, activation: .relu, inputDimension: 784))
    try wideDropping.add(Dropout(rate: 0.5))
    try wideDropping.add(Dense(10, activation: .softmax))
    try wideDropping.compile(optimizer: try SGD(learningRate: 0.01, momentum: 0.9, nesterov: true),
                             loss: .sparseCategoricalCrossentropy, metrics: ["accuracy"])
    let wideDropped = try countSteps(TrainingSession(model: wideDropping, x: images, y: labels, batchSize: 128), epochs: 1)
    print("steps \(wideDropped.steps) allocations \(wideDropped.allocations)")

    // The tutorial's network with each of the other optimizers (their state sized when training starts).
    let others: [Optimizer] = [
        try Adam(amsgrad: true), try RMSprop(momentum: 0.9, centered: true), try RMSprop(), try Adagrad(),
        try Adadelta(), try Adamax(), try Nadam(),
    ]
    for optimizer in others {
        let model = Sequential(seed: 7)
        try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
        try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
        try model.compile(optimizer: optimizer, loss: .binaryCrossentropy, metrics: ["accuracy"])
        let counted = try countSteps(TrainingSession(model: model, x: x, y: y, batchSize: 28, validationSplit: 0.33), epochs: 2)
        print("steps \(counted.steps) allocations \(counted.allocations)")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
