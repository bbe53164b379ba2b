#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A stack of dense layers trained with an `Optimizer`: Keras's `Sequential` model.
///
/// ```swift
/// let model = Sequential(seed: 7)
/// try model.add(Dense(34, activation: .relu, kernelInitializer: .normal(), inputDimension: 34))
/// try model.add(Dense(1, activation: .sigmoid, kernelInitializer: .normal()))
/// try model.compile(optimizer: SGD(learningRate: 0.1, momentum: 0.8, decay: 0.002),
///                   loss: .binaryCrossentropy, metrics: ["accuracy"])
/// let history = try model.fit(x, y, epochs: 50, batchSize: 28, verbose: 2, validationSplit: 0.33)
/// ```
/// Weights are created as soon as the input width is known (from the first layer's `inputDimension`, or at
/// the first `fit`, `evaluate` or `predict`), layer by layer, from the model's seeded generator: the same
/// seed gives the same weights and, with `fit`'s shuffling drawn from the same generator, the same run.
///
/// A model is not safe to use from two threads at once; different models are independent.
public final class Sequential {
    /// The Dense layers, in order (the layers that hold weights; `stack` lists every layer).
    public private(set) var layers: [Dense] = []
    /// Every layer in the order added: Dense and Dropout (Keras's `model.layers`).
    public private(set) var stack: [Layer] = []
    public private(set) var optimizer: Optimizer?
    public private(set) var loss: Loss?
    /// Set by a callback to end `fit` after the current epoch (Keras's `model.stop_training`).
    public var stopTraining = false
    /// Where `fit` prints its Keras-style progress when `verbose > 0`; standard output by default.
    public var output: (String) -> Void = { text in
        print(text, terminator: "")
        fflush(nil)  // progress bars end lines with \r, not \n: show them now
    }

    var metrics: [CompiledMetric] = []
    var network: Network?
    var generator: SeededGenerator
    /// The seed behind `generator`, from which Dropout layers given no seed derive theirs.
    let seed: UInt64
    /// The Dropout layers of rate above 0, with their mask streams (see `DropoutSite`).
    var dropoutSites: [DropoutSite] = []
    private var cachedWorkspace: Workspace?

    /// An empty model whose random choices all come from `seed` (a random seed when nil).
    public init(seed: UInt64? = nil) {
        self.seed = seed ?? UInt64.random(in: .min ... .max)
        generator = SeededGenerator(seed: self.seed)
    }

    /// A model with the given layers.
    public convenience init(_ layers: [Dense], seed: UInt64? = nil) throws {
        self.init(seed: seed)
        for layer in layers { try add(layer) }
    }

    /// Names of the metrics as they appear in logs (`["accuracy"]`).
    public var metricNames: [String] { metrics.map(\.name) }
    /// The compiled metrics as compile resolved them (`accuracy` made binary, categorical or sparse).
    public var compiledMetrics: [(name: String, metric: Metric)] { metrics.map { ($0.name, $0.metric) } }

    public var isBuilt: Bool { network != nil }
    public var isCompiled: Bool { optimizer != nil }

    /// The input width, once known.
    public var inputDimension: Int? { network?.inputs ?? layers.first?.inputDimension }

    // MARK: Building

    /// Appends a layer; creates its weights now when the input width is known.
    public func add(_ layer: Dense) throws {
        try layer.validate()
        if !layers.isEmpty, let declared = layer.inputDimension, declared != layers[layers.count - 1].units {
            throw AnnealError.shapeMismatch(
                "Input 0 of layer \(layers.count) is incompatible with the layer: expected input_dim=\(layers[layers.count - 1].units), found input_dim=\(declared)")
        }
        guard optimizer == nil else {
            throw AnnealError.invalidState("cannot add a layer to a compiled model; add every layer before compile")
        }
        layers.append(layer)
        stack.append(.dense(layer))
        if let inputs = layers[0].inputDimension {
            do {
                try build(inputDimension: inputs)
            } catch {
                layers.removeLast()  // a layer whose weights cannot be made is not added
                stack.removeLast()
                throw error
            }
        }
    }

    /// Appends a layer of either kind (as a saved architecture lists them).
    public func add(_ layer: Layer) throws {
        switch layer {
        case .dense(let dense): try add(dense)
        case .dropout(let dropout): try add(dropout)
        }
    }

    /// Appends a Dropout layer: it drops the output of the layer before it, or the model's inputs when first.
    ///
    /// Its masks come from its `seed`, or from the model's seed and its place among the model's Dropout layers.
    /// A model may end with a Dropout for inference, not for training (`compile` refuses it).
    public func add(_ layer: Dropout) throws {
        try layer.validate()
        guard optimizer == nil else {
            throw AnnealError.invalidState("cannot add a layer to a compiled model; add every layer before compile")
        }
        let ordinal = stack.reduce(0) { count, element in
            if case .dropout = element { return count + 1 }
            return count
        }
        stack.append(.dropout(layer))
        guard layer.rate > 0 else { return }  // Keras's identity: no site, no draws
        let seed = layer.seed ?? DropoutSite.derivedSeed(modelSeed: self.seed, ordinal: ordinal)
        dropoutSites.append(DropoutSite(position: layers.count, rate: layer.rate, seed: seed))
        if let network {
            self.network = Network(layouts: network.layouts, dropouts: dropoutSites, sharing: network)
            cachedWorkspace = nil
        }
    }

    /// Replaces layer `index`'s activation (Keras's `Activation` or `LeakyReLU` layer folded into the `Dense`
    /// before it). The weights stay as they are.
    public func setActivation(_ activation: Activation, ofLayer index: Int) throws {
        guard optimizer == nil else {
            throw AnnealError.invalidState("cannot change a layer of a compiled model; add every layer before compile")
        }
        guard layers.indices.contains(index) else {
            throw AnnealError.invalidArgument("layer index \(index) is outside [0, \(layers.count))")
        }
        try activation.validate()
        guard let network, network.layouts.indices.contains(index) else {
            layers[index].activation = activation
            replaceInStack(denseIndex: index, with: layers[index])
            return
        }
        let layouts = network.layouts.enumerated().map { position, layout in
            LayerLayout(inputs: layout.inputs, units: layout.units,
                        activation: position == index ? activation : layout.activation,
                        kernelOffset: layout.kernelOffset, biasOffset: layout.biasOffset)
        }
        // The new network is made before anything changes, so that a refused allocation leaves the model as it was.
        let replaced = try Network(layouts: layouts, dropouts: dropoutSites, count: network.parameters.count,
                                   for: "the model's \(network.parameters.count) parameters")
        replaced.parameters.base.update(from: network.parameters.base, count: network.parameters.count)
        layers[index].activation = activation
        replaceInStack(denseIndex: index, with: layers[index])
        self.network = replaced
        cachedWorkspace = nil
    }

    /// Writes `layer` over the `denseIndex`-th Dense layer of `stack`, so that it lists the layers as they are.
    private func replaceInStack(denseIndex: Int, with layer: Dense) {
        var seen = 0
        for (position, element) in stack.enumerated() {
            guard case .dense = element else { continue }
            if seen == denseIndex {
                stack[position] = .dense(layer)
                return
            }
            seen += 1
        }
    }

    /// Creates the weights of any layer that has none yet, for inputs of width `inputDimension`.
    public func build(inputDimension: Int) throws {
        guard !layers.isEmpty else {
            throw AnnealError.invalidState("the model has no layers; add a Dense layer first")
        }
        guard inputDimension > 0 else {
            throw AnnealError.invalidArgument("input_dim must be a positive integer. Received: input_dim=\(inputDimension)")
        }
        if let network {
            guard network.inputs == inputDimension else {
                throw AnnealError.shapeMismatch(
                    "the model expects \(network.inputs) input features, received \(inputDimension)")
            }
            if network.layouts.count == layers.count { return }
        }
        // Every size checked: units and widths come from the caller, and a product past Int.max would
        // otherwise wrap into a small allocation.
        var layouts: [LayerLayout] = []
        var offset = 0
        var width = inputDimension
        var largest = (index: 0, inputs: 0, units: 0, count: 0)
        for (index, layer) in layers.enumerated() {
            let kernelOffset = offset
            let what = "the kernel of layer \(index)"
            let kernel = try ByteCount.product(width, layer.units, what)
            _ = try ByteCount.of(kernel, MemoryLayout<Float>.stride, "\(what) (\(width) x \(layer.units) floats)")
            if kernel > largest.count { largest = (index, width, layer.units, kernel) }
            offset = try ByteCount.sum(offset, kernel, "the model's parameters")
            let biasOffset: Int? = layer.useBias ? offset : nil
            if layer.useBias { offset = try ByteCount.sum(offset, layer.units, "the model's parameters") }
            layouts.append(LayerLayout(
                inputs: width, units: layer.units, activation: layer.activation,
                kernelOffset: kernelOffset, biasOffset: biasOffset))
            width = layer.units
        }
        let largestBytes = largest.count * MemoryLayout<Float>.stride
        let grown = try Network(
            layouts: layouts, dropouts: dropoutSites, count: offset,
            for: "the model's \(offset) parameters (the kernel of layer \(largest.index), \(largest.inputs) x \(largest.units) floats, needs \(largestBytes) bytes)")
        // Keep the weights already created; initialise only the new layers, in order.
        let kept = network?.layouts.count ?? 0
        if let network { grown.parameters.base.update(from: network.parameters.base, count: network.parameters.count) }
        for index in kept..<layers.count {
            let layer = layers[index]
            let layout = layouts[index]
            let kernel = UnsafeMutableBufferPointer(start: grown.parameters.base + layout.kernelOffset,
                                                    count: layout.inputs * layout.units)
            layer.kernelInitializer.fill(kernel, fanIn: layout.inputs, fanOut: layout.units, generator: &generator)
            if let biasOffset = layout.biasOffset {
                let bias = UnsafeMutableBufferPointer(start: grown.parameters.base + biasOffset, count: layout.units)
                layer.biasInitializer.fill(bias, fanIn: layout.units, fanOut: layout.units, generator: &generator)
            }
        }
        network = grown
        cachedWorkspace = nil
    }

    /// Sets the loss, optimizer and metrics (`"accuracy"`, `"acc"`, `"binary_accuracy"`...).
    ///
    /// The optimizer keeps its state (`iterations`, moments, velocities) with this model; recompiling with a
    /// new optimizer starts that state afresh.
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [String] = []) throws {
        guard let last = layers.last else {
            throw AnnealError.invalidState("the model has no layers; add a Dense layer before compile")
        }
        try loss.validate()
        var compiled: [CompiledMetric] = []
        for name in metrics {
            compiled.append(CompiledMetric(name: name, metric: try Metric(name: name)))
        }
        try compile(optimizer: optimizer, loss: loss, metrics: compiled, units: last.units)
    }

    /// Compiles with Keras's `weighted_metrics` besides `metrics`: those in `weightedMetrics` are weighted by
    /// `fit`'s sample and class weights, `evaluate`'s `sampleWeight` and the validation weights; those in
    /// `metrics` are not. Logs list `metrics` first, then `weightedMetrics`; a weighted metric whose name is
    /// already taken is logged as `weighted_<name>` (Keras's rule: `metrics: ["accuracy"], weightedMetrics:
    /// ["accuracy"]` logs `accuracy` and `weighted_accuracy`).
    ///
    /// - Throws: as `compile(optimizer:loss:metrics:)`, and `.invalidArgument` for two metrics of the same name.
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [String] = [], weightedMetrics: [String]) throws {
        guard let last = layers.last else {
            throw AnnealError.invalidState("the model has no layers; add a Dense layer before compile")
        }
        try loss.validate()
        let names = try Self.metricLogNames(metrics: metrics, weightedMetrics: weightedMetrics)
        var compiled: [CompiledMetric] = []
        for (index, name) in (metrics + weightedMetrics).enumerated() {
            compiled.append(CompiledMetric(name: names[index], metric: try Metric(name: name),
                                           weighted: index >= metrics.count))
        }
        try compile(optimizer: optimizer, loss: loss, metrics: compiled, units: last.units)
    }

    /// Compiles with names and Keras's `weighted_metrics` (see `compile(optimizer:loss:metrics:weightedMetrics:)`).
    public func compile(optimizer: Optimizer, loss: String, metrics: [String] = [], weightedMetrics: [String]) throws {
        try compile(optimizer: optimizer, loss: Loss(name: loss), metrics: metrics, weightedMetrics: weightedMetrics)
    }

    /// The log names of `metrics` then `weightedMetrics` as tf_keras's `MetricsContainer` sets them: each
    /// metric's own name, a weighted one's prefixed by `weighted_` when that name is already taken.
    ///
    /// - Throws: `.invalidArgument` (Keras's words) when two metrics would still share a name.
    public static func metricLogNames(metrics: [String], weightedMetrics: [String]) throws -> [String] {
        var taken = Set<String>()
        var names: [String] = []
        for (index, given) in (metrics + weightedMetrics).enumerated() {
            var name = given
            if index >= metrics.count, taken.contains(name) { name = "weighted_" + name }
            guard !taken.contains(name) else {
                throw AnnealError.invalidArgument(
                    "Found two metrics with the same name: \(name). All the metrics added to the model need to have unique names.")
            }
            taken.insert(name)
            names.append(name)
        }
        return names
    }

    /// The metrics' names before the `weighted_` prefix: what a model file stores (its `metrics`).
    var metricGivenNames: [String] {
        var taken = Set(metrics.filter { !$0.weighted }.map(\.name))
        return metrics.map { entry in
            guard entry.weighted else { return entry.name }
            defer { taken.insert(entry.name) }
            let stripped = String(entry.name.dropFirst("weighted_".count))
            return entry.name.hasPrefix("weighted_") && taken.contains(stripped) ? stripped : entry.name
        }
    }

    /// Compiles metrics by name, those at `weighted` indices weighted and named by Keras's rule (a model
    /// file's compile record; the inverse of `metricGivenNames`).
    func compile(optimizer: Optimizer, loss: Loss, metrics given: [String], weighted: Set<Int>) throws {
        guard let last = layers.last else {
            throw AnnealError.invalidState("the model has no layers; add a Dense layer before compile")
        }
        try loss.validate()
        var taken = Set(given.indices.filter { !weighted.contains($0) }.map { given[$0] })
        var compiled: [CompiledMetric] = []
        for (index, name) in given.enumerated() {
            var logName = name
            if weighted.contains(index) {
                if taken.contains(name) { logName = "weighted_" + name }
                taken.insert(logName)
            }
            compiled.append(CompiledMetric(name: logName, metric: try Metric(name: name), weighted: weighted.contains(index)))
        }
        try compile(optimizer: optimizer, loss: loss, metrics: compiled, units: last.units)
    }

    /// Whether compiled metric `index` is weighted (Keras's `weighted_metrics`).
    public func metricIsWeighted(at index: Int) throws -> Bool {
        guard metrics.indices.contains(index) else {
            throw AnnealError.invalidArgument("metric index \(index) is outside [0, \(metrics.count))")
        }
        return metrics[index].weighted
    }

    /// Makes compiled metric `index` weighted by the sample weights (Keras's `weighted_metrics`) or not; its
    /// name and definition stay.
    public func setMetricWeighted(at index: Int, _ weighted: Bool) throws {
        guard optimizer != nil else {
            throw AnnealError.invalidState("You must call `compile()` before using the model.")
        }
        guard metrics.indices.contains(index) else {
            throw AnnealError.invalidArgument("metric index \(index) is outside [0, \(metrics.count))")
        }
        metrics[index].weighted = weighted
    }

    /// Compiles with metric objects and the names logs give them (`[("auc", .auc), ("p", .precision(threshold: 0.7))]`).
    public func compile(optimizer: Optimizer, loss: Loss, namedMetrics metrics: [(name: String, metric: Metric)]) throws {
        guard let last = layers.last else {
            throw AnnealError.invalidState("the model has no layers; add a Dense layer before compile")
        }
        try loss.validate()
        // Logs are keyed by name: a second metric of the same name would hide the first.
        for (index, entry) in metrics.enumerated() where entry.name == "loss" || metrics[..<index].contains(where: { $0.name == entry.name }) {
            throw AnnealError.invalidArgument("metric names must be unique and other than 'loss'. Received: '\(entry.name)'")
        }
        try compile(optimizer: optimizer, loss: loss, metrics: metrics.map { CompiledMetric(name: $0.name, metric: $0.metric) },
                    units: last.units)
    }

    private func compile(optimizer: Optimizer, loss: Loss, metrics given: [CompiledMetric], units: Int) throws {
        if case .dropout = stack.last {
            throw AnnealError.invalidArgument(
                "Anneal cannot train a model whose last layer is a Dropout (the loss reads the last Dense layer's output); remove it or add a Dense layer after it")
        }
        // Every metric reads the labels the loss takes: class indices for the sparse loss, one column per
        // output otherwise (the same thing for one output).
        let classIndices = loss.labelWidth(units: units) != units
        var compiled: [CompiledMetric] = []
        for entry in given {
            guard !entry.name.isEmpty else { throw AnnealError.invalidArgument("a metric's name must not be empty") }
            try entry.metric.validate()
            let metric = entry.metric.resolved(units: units, loss: loss)
            try metric.check(units: units)
            if units > 1, metric.readsClassIndices != classIndices {
                throw AnnealError.invalidArgument(
                    "metric '\(entry.name)' reads \(metric.readsClassIndices ? "class indices" : "one label column per output"), "
                        + "but \(loss.name) with \(units) outputs takes \(classIndices ? "class indices" : "one label column per output")")
            }
            compiled.append(CompiledMetric(name: entry.name, metric: metric, weighted: entry.weighted))
        }
        if let owner = optimizer.owner, owner !== self {
            throw AnnealError.invalidState(
                "this \(optimizer.name) optimizer already belongs to another model (it holds that model's iterations and state); create one optimizer per model")
        }
        optimizer.owner = self
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = compiled
    }

    /// Replaces the compiled loss by `loss` (the same model, optimizer and metrics): how a loss's parameters
    /// (`fromLogits`, `labelSmoothing`, `delta`) are set after compiling by name.
    public func setLoss(_ loss: Loss) throws {
        guard let optimizer, let last = layers.last else {
            throw AnnealError.invalidState("You must call `compile()` before using the model.")
        }
        try loss.validate()
        try compile(optimizer: optimizer, loss: loss, metrics: metrics, units: last.units)
    }

    /// Replaces compiled metric `index` by `metric`, logged as `name`.
    public func setMetric(at index: Int, name: String, metric: Metric) throws {
        guard let optimizer, let loss, let last = layers.last else {
            throw AnnealError.invalidState("You must call `compile()` before using the model.")
        }
        guard metrics.indices.contains(index) else {
            throw AnnealError.invalidArgument("metric index \(index) is outside [0, \(metrics.count))")
        }
        var replaced = metrics
        replaced[index] = CompiledMetric(name: name, metric: metric, weighted: metrics[index].weighted)
        try compile(optimizer: optimizer, loss: loss, metrics: replaced, units: last.units)
    }

    /// Compiles with names, as a Keras user writes it: `compile(optimizer:, loss: "binary_crossentropy", metrics: ["accuracy"])`.
    public func compile(optimizer: Optimizer, loss: String, metrics: [String] = []) throws {
        try compile(optimizer: optimizer, loss: Loss(name: loss), metrics: metrics)
    }

    // MARK: Shared checks

    /// The built network and compiled settings, or the error a Keras user would expect.
    func compiledNetwork(inputDimension: Int) throws -> (Network, Optimizer, Loss) {
        guard let optimizer, let loss else {
            throw AnnealError.invalidState("You must call `compile()` before using the model.")
        }
        try build(inputDimension: inputDimension)
        guard let network else { throw AnnealError.invalidState("the model has no layers") }
        return (network, optimizer, loss)
    }

    /// A workspace for batches of up to `capacity` rows (for training, or not: see `Workspace.init`), reused
    /// while it fits.
    func workspace(network: Network, capacity: Int, labelWidth: Int, training: Bool = false) throws -> Workspace {
        if let cachedWorkspace, cachedWorkspace.capacity == capacity, cachedWorkspace.labelWidth == labelWidth,
           cachedWorkspace.training == training {
            return cachedWorkspace
        }
        cachedWorkspace = nil  // its memory is given back before the new one is asked for
        let fresh = try Workspace(network: network, capacity: capacity, labelWidth: labelWidth, training: training)
        cachedWorkspace = fresh
        return fresh
    }

    /// Checks `x` (and `y`) against the model: widths, row counts, finiteness and label ranges.
    func checkData(_ x: Matrix, _ y: Matrix?, network: Network, loss: Loss?, role: String) throws {
        guard x.rows > 0 else {
            throw AnnealError.invalidArgument("\(role) x has no rows; expected at least one sample")
        }
        guard x.columns == network.inputs else {
            throw AnnealError.shapeMismatch(
                "\(role) x has \(x.columns) features per row, but the model expects \(network.inputs)")
        }
        if let bad = x.firstNonFinite() {
            throw AnnealError.nonFinite("\(role) x holds \(bad.value) at row \(bad.row), column \(bad.column); every feature must be finite")
        }
        guard let y, let loss else { return }
        guard y.rows == x.rows else {
            throw AnnealError.shapeMismatch(
                "Data cardinality is ambiguous: \(role) x has \(x.rows) rows but y has \(y.rows). Make sure all arrays contain the same number of samples.")
        }
        let width = loss.labelWidth(units: network.outputs)
        guard y.columns == width else {
            throw AnnealError.shapeMismatch(
                "\(role) y has \(y.columns) columns per row, but \(loss.name) with \(network.outputs) outputs expects \(width)")
        }
        if let bad = y.firstNonFinite() {
            throw AnnealError.nonFinite("\(role) y holds \(bad.value) at row \(bad.row), column \(bad.column); every label must be finite")
        }
        if loss.kind == .sparseCategoricalCrossentropy {
            for (row, label) in y.values.enumerated() where label < 0 || label >= Float(network.outputs) || label != label.rounded() {
                throw AnnealError.invalidArgument(
                    "\(role) y[\(row)] = \(label) is not a class index in [0, \(network.outputs)) for sparse_categorical_crossentropy")
            }
        }
    }

    // MARK: Inference

    /// The model's outputs for every row of `x`, computed `batchSize` rows at a time.
    public func predict(_ x: Matrix, batchSize: Int = 32) throws -> Matrix {
        guard let last = layers.last else { throw AnnealError.invalidState("the model has no layers") }
        let count = try ByteCount.product(x.rows, last.units, "the predictions")
        let what = "the predictions (\(x.rows) rows x \(last.units) outputs)"
        try ByteCount.probe(try ByteCount.of(count, MemoryLayout<Float>.stride, what), what)
        var result = [Float](repeating: 0, count: count)
        try result.withUnsafeMutableBufferPointer { try predict(x, batchSize: batchSize, into: $0) }
        return Matrix(uncheckedRows: x.rows, columns: last.units, values: result)
    }

    /// `predict` into `out`, which holds `x.rows * units` floats (checked by the caller: the C library
    /// writes straight into its caller's buffer, so a big prediction is not held twice).
    func predict(_ x: Matrix, batchSize: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        guard !layers.isEmpty else { throw AnnealError.invalidState("the model has no layers") }
        try Self.checkBatchSize(batchSize)
        try build(inputDimension: x.columns)
        guard let network else { throw AnnealError.invalidState("the model has no layers") }
        try checkData(x, nil, network: network, loss: nil, role: "predict")
        let units = network.outputs
        guard let base = out.baseAddress, out.count >= x.rows * units else {
            throw AnnealError.shapeMismatch("predict needs room for \(x.rows) x \(units) outputs, received \(out.count)")
        }
        let capacity = min(batchSize, x.rows)
        let workspace = try self.workspace(network: network, capacity: capacity, labelWidth: loss?.labelWidth(units: network.outputs) ?? 1)
        var start = 0
        while start < x.rows {
            let count = min(capacity, x.rows - start)
            workspace.load(x: x, y: nil, start: start, count: count)
            network.forward(workspace, rows: count)
            (base + start * units).update(from: workspace.activations[network.layouts.count - 1].base, count: count * units)
            start += count
        }
    }

    /// The loss and metrics over `x`, `y`, as Keras's `evaluate` returns them (`loss` first, then metrics).
    ///
    /// `sampleWeight` (one per row, finite) weights each row's loss as `fit`'s does (the sum of `w_i * l_i`
    /// divided by the number of rows) and the weighted metrics (`weightedMetrics`); the others are not weighted.
    public func evaluate(_ x: Matrix, _ y: Matrix, batchSize: Int = 32, sampleWeight: [Float]? = nil) throws -> Logs {
        try Self.checkBatchSize(batchSize)
        let (network, _, loss) = try compiledNetwork(inputDimension: x.columns)
        try checkData(x, y, network: network, loss: loss, role: "evaluate")
        let weights = try TrainingSession.checkedWeights(sampleWeight, rows: x.rows, role: "sample_weight")
        let totals = try measure(x, y, rows: 0..<x.rows, batchSize: batchSize, network: network, loss: loss, weights: weights)
        var logs = Logs()
        logs["loss"] = Double(totals[0])
        for (index, metric) in metrics.enumerated() { logs[metric.name] = Double(totals[index + 1]) }
        return logs
    }

    /// Mean loss then mean of each metric over `rows` of checked data (Keras's weighted batch means).
    ///
    /// Rows go through `workspace` (a fresh or cached one sized for `batchSize` when nil) in chunks of its capacity.
    /// `weights`, when given, holds one loss weight per row of `rows` (its first for `rows.lowerBound`).
    func measure(
        _ x: Matrix, _ y: Matrix, rows: Range<Int>, batchSize: Int, network: Network, loss: Loss,
        weights: FloatBuffer? = nil, workspace given: Workspace? = nil
    ) throws -> [Float] {
        let workspace = try given ?? self.workspace(network: network, capacity: min(batchSize, rows.count), labelWidth: y.columns)
        let accumulator = try MetricAccumulator(metrics)
        return Self.measure(x, y, rows: rows, network: network, loss: loss, metrics: accumulator,
                            weights: weights.map { UnsafePointer($0.base) }, workspace: workspace)
    }

    /// `measure` with everything it reads passed in (the validation task runs it beside the training thread,
    /// over arrays of its own). `metrics` is reset first; it is made by the caller, where a failed allocation
    /// can still be reported.
    static func measure(
        _ x: Matrix, _ y: Matrix, rows: Range<Int>, network: Network, loss: Loss, metrics accumulator: MetricAccumulator,
        weights: UnsafePointer<Float>? = nil, workspace: Workspace
    ) -> [Float] {
        let capacity = workspace.capacity
        let last = network.layouts.count - 1
        let units = network.outputs
        var lossTotal: Float = 0
        accumulator.reset()
        var start = rows.lowerBound
        while start < rows.upperBound {
            let count = min(capacity, rows.upperBound - start)
            workspace.load(x: x, y: y, start: start, count: count)
            network.forward(workspace, rows: count)
            let batchLoss = loss.evaluate(
                z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
                rows: count, units: units, activation: network.layouts[last].activation, gradient: nil,
                weights: weights.map { $0 + (start - rows.lowerBound) })
            lossTotal += batchLoss * Float(count)
            accumulator.update(
                z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
                rows: count, units: units, activation: network.layouts[last].activation,
                weights: weights.map { $0 + (start - rows.lowerBound) })
            start += count
        }
        return [lossTotal / Float(rows.count)]
            + (0..<accumulator.count).map { accumulator.result($0, rows: rows.count, units: units) }
    }

    static func checkBatchSize(_ batchSize: Int) throws {
        guard batchSize > 0 else {
            throw AnnealError.invalidArgument("batch_size must be a positive integer. Received: batch_size=\(batchSize)")
        }
    }

    /// The checks both `fit` functions open with, in Keras's words.
    static func checkFitArguments(epochs: Int, initialEpoch: Int, verbose: Int) throws {
        guard epochs >= 0 else {
            throw AnnealError.invalidArgument("epochs must be a non-negative integer. Received: epochs=\(epochs)")
        }
        guard initialEpoch >= 0 else {
            throw AnnealError.invalidArgument("initial_epoch must be a non-negative integer. Received: initial_epoch=\(initialEpoch)")
        }
        guard (0...2).contains(verbose) else {
            throw AnnealError.invalidArgument("verbose must be 0, 1 or 2. Received: verbose=\(verbose)")
        }
    }
}
