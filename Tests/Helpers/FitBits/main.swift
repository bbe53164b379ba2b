// anneal-fit-bits: trains two models with `fit` at the kernel level this process runs (ANNEAL_KERNELS) and
// prints, per model, one line `name <hash>`: a hash of the bits of every final weight and every history
// value. Runs at different levels (and thread counts) must print the same lines. A helper of
// Tests/AnnealTests/FitTests.swift.
import Anneal

#if canImport(Glibc)
import Glibc
#endif

/// Rows of `columns` values in [-1, 1] that look random enough to train on: sin of a long stride.
func wavyMatrix(rows: Int, columns: Int, phase: Double) throws -> Matrix {
    let values = (0..<(rows * columns)).map { Float(sin(Double($0) * 12.9898 + phase)) }
    return try Matrix(rows: rows, columns: columns, values: values)
}

/// FNV-1a over the bits of the weights, then of each history key's values in History's order.
func fingerprint(_ model: Sequential, _ history: History) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            hash = (hash ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01b3
        }
    }
    for tensor in model.getWeights() {
        for value in tensor.values { add(UInt64(value.bitPattern)) }
    }
    for key in history.keys {
        for value in history[key] ?? [] { add(value.bitPattern) }
    }
    return String(hash, radix: 16)
}

do {
    // The tutorial's network and optimizer: small products, each product rounded before it is added.
    let tutorial = Sequential(seed: 7)
    try tutorial.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
    try tutorial.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
    try tutorial.compile(optimizer: try SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002),
                         loss: .binaryCrossentropy, metrics: ["accuracy"])
    let x = try wavyMatrix(rows: 351, columns: 34, phase: 1)
    let y = Matrix(column: (0..<351).map { Float($0 % 2) })
    let small = try tutorial.fit(x, y, epochs: 5, batchSize: 28, verbose: 0, validationSplit: 0.33)
    print("tutorial \(fingerprint(tutorial, small))")

    // A model past the layer-by-layer update threshold whose products fuse their terms, are shared with the
    // helper thread and read packed kernels.
    let big = Sequential(seed: 22)
    try big.add(Dense(256, activation: .relu, inputDimension: 300))
    try big.add(Dense(64, activation: .relu))
    try big.add(Dense(3, activation: .softmax))
    try big.compile(optimizer: try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true),
                    loss: .sparseCategoricalCrossentropy, metrics: ["accuracy"])
    let images = try wavyMatrix(rows: 200, columns: 300, phase: 21)
    let labels = Matrix(column: (0..<200).map { Float($0 % 3) })
    let wide = try big.fit(images, labels, epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.2)
    print("big \(fingerprint(big, wide))")
} catch {
    print("error: \(error)")
    exit(1)
}
