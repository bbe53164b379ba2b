/// Whole-model save and load: architecture, weights, compile settings, the optimizer's arguments and state,
/// and the random generator, so that a loaded model trains on exactly as the saved one would have.
///
/// ```swift
/// try model.save(to: "model.anneal")
/// let resumed = try Sequential(contentsOf: "model.anneal")
/// try resumed.fit(x, y, epochs: 5)    // the same bits as five more epochs of `model`
/// ```
/// The file is a ``ModelFile`` holding a ``ModelDescription`` and, in order, the weights (`getWeights()`)
/// and the optimizer's state buffers (`Optimizer/stateNames`), each flat over the model's parameters.
extension Sequential {
    /// Whether the compiled optimizer's schedule, if any, is one a model file holds (Keras's schedules and
    /// ``ConstantSchedule``), so that ``describe()`` will not refuse it.
    public var canDescribeSchedule: Bool {
        guard let schedule = optimizer?.schedule else { return true }
        return ScheduleDescription.record(schedule) != nil
    }

    /// The model's description, as ``save(to:)`` writes it.
    /// - Throws: ``AnnealError/Kind/invalidState`` when its optimizer follows a schedule the model file cannot
    ///   hold (see ``ScheduleDescription``).
    public func describe() throws -> ModelDescription {
        var records = [ModelDescription.Record("anneal-model", [("version", "1")])]
        records.append(ModelDescription.Record("generator", [("state", generator.words.map(String.init).joined(separator: ","))]))
        // Every layer in the order added: a Dense as a `layer` record, a Dropout as a `dropout` record with
        // its mask stream (the sites are the Dropout layers of rate above 0, in the same order).
        var denseCount = 0, dropoutCount = 0, siteCount = 0
        for element in stack {
            switch element {
            case .dense(let layer):
                var fields: [(String, String)] = [
                    ("units", "\(layer.units)"), ("activation", layer.activation.name), ("use_bias", "\(layer.useBias)"),
                    ("kernel_initializer", layer.kernelInitializer.descriptionValue),
                    ("bias_initializer", layer.biasInitializer.descriptionValue),
                    ("name", denseCount == 0 ? "dense" : "dense_\(denseCount)"),
                ]
                if case .leakyRelu(let alpha) = layer.activation { fields.append(("alpha", "\(alpha)")) }
                if let inputs = layer.inputDimension { fields.append(("input_dim", "\(inputs)")) }
                records.append(ModelDescription.Record("layer", fields))
                denseCount += 1
            case .dropout(let layer):
                var stream: SeededGenerator?
                if layer.rate > 0, dropoutSites.indices.contains(siteCount) {
                    stream = dropoutSites[siteCount].generator
                    siteCount += 1
                }
                records.append(layer.descriptionRecord(name: dropoutCount == 0 ? "dropout" : "dropout_\(dropoutCount)",
                                                       generator: stream))
                dropoutCount += 1
            }
        }
        if let network { records.append(ModelDescription.Record("built", [("input_dim", "\(network.inputs)")])) }
        if let optimizer, let loss {
            // The metrics' names as given (before Keras's weighted_ prefix), the weighted ones by index, then
            // one record per metric with its log name, kind and parameters.
            var fields = [("loss", loss.name), ("from_logits", "\(loss.fromLogits)"),
                          ("label_smoothing", "\(loss.labelSmoothing)"), ("delta", "\(loss.delta)"),
                          ("metrics", metricGivenNames.map(ModelDescription.percentEncoded).joined(separator: ","))]
            let weighted = metrics.indices.filter { metrics[$0].weighted }
            if !weighted.isEmpty { fields.append(("weighted", weighted.map(String.init).joined(separator: ","))) }
            records.append(ModelDescription.Record("compile", fields))
            records += metrics.map(\.descriptionRecord)
            records.append(optimizer.descriptionRecord)
            if let schedule = optimizer.schedule {
                guard let record = ScheduleDescription.record(schedule) else {
                    throw AnnealError.invalidState(
                        "cannot save the model: its \(optimizer.name) optimizer follows a \(type(of: schedule)) schedule, "
                            + "which a model file cannot hold (Keras's schedules and ConstantSchedule can be saved)")
                }
                records.append(record)
            }
            var state: [(String, String)] = [("iterations", "\(optimizer.iterations)"),
                                             ("slots", optimizer.stateNames.joined(separator: ","))]
            if let nadam = optimizer as? Nadam { state.append(("momentum_cache", "\(nadam.momentumCache)")) }
            records.append(ModelDescription.Record("state", state))
        }
        return ModelDescription(records: records)
    }

    /// Writes the whole model to `path` atomically (a temporary file renamed over the destination): a crash
    /// mid-save leaves any previous file intact.
    /// - Throws: ``AnnealError/Kind/invalidState`` (see ``describe()``), ``AnnealError/Kind/io`` naming the path.
    public func save(to path: String) throws {
        let description = try describe()
        var tensors = getWeights()
        if let optimizer, let network {
            for name in optimizer.stateNames {
                tensors.append(WeightTensor(shape: [network.parameters.count], values: optimizer.stateValues(name) ?? []))
            }
        }
        try ModelFile.write(description: description.text, tensors: tensors, to: path)
    }

    /// The model saved at `path` by ``save(to:)``, ready to predict and to go on training exactly where the
    /// saved one stood.
    /// - Throws: ``AnnealError/Kind/io`` naming the path and the reason; ``AnnealError/Kind/corruptFile``
    ///   naming the path for anything wrong with the content; ``AnnealError/Kind/outOfMemory`` when the
    ///   model's buffers cannot be allocated. Nothing half-loaded is ever returned.
    public convenience init(contentsOf path: String) throws {
        let (text, tensors) = try ModelFile.read(from: path)
        self.init(seed: 0)
        do {
            try restore(ModelDescription(parsing: text, source: path), tensors, DescriptionReader(source: path))
        } catch let error as AnnealError where error.kind != .corruptFile && error.kind != .io && error.kind != .outOfMemory {
            // A model too big for this machine is not a corrupt file: its sizes were checked against its weights.
            throw AnnealError(.corruptFile, "\(path): \(error.message)")
        }
    }

    /// Checks the layers' sizes against the weights the file holds before anything is allocated: a file
    /// whose description promises more than its tensors (a crafted or mismatched one) must not make the
    /// model allocate it.
    private func checkShapes(_ description: ModelDescription, _ tensors: [WeightTensor], _ read: DescriptionReader) throws {
        let layers = description.all("layer")
        let built = try description.first("built").map { try read.int($0, "input_dim") }
        if let first = layers.first, first["input_dim"] != nil, built == nil {
            throw read.fail(first, "the first layer has an input_dim but the model is not marked built")
        }
        guard var width = built else { return }
        var index = 0
        for record in layers {
            let units = try read.int(record, "units")
            var shapes = [[width, units]]
            if try read.bool(record, "use_bias") { shapes.append([units]) }
            for shape in shapes {
                guard index < tensors.count, tensors[index].shape == shape else {
                    throw read.fail(record, "the file's weight \(index) does not have the layer's shape \(shape)")
                }
                index += 1
            }
            width = units
        }
    }

    private func restore(_ description: ModelDescription, _ tensors: [WeightTensor], _ read: DescriptionReader) throws {
        guard let header = description.first("anneal-model"), header["version"] == "1" else {
            throw AnnealError(.corruptFile, "\(read.source): the description does not start with 'anneal-model version=1'")
        }
        try checkShapes(description, tensors, read)
        for record in description.records where record.kind == "layer" || record.kind == "dropout" {
            if record.kind == "dropout" {
                let (layer, stream) = try Dropout.make(from: record, read)
                try add(layer)
                // Only a Dropout of rate above 0 has a site, the last one now; its stream goes on where it stood.
                if let stream, layer.rate > 0, let site = dropoutSites.last { site.generator = stream }
                continue
            }
            let inputs = record["input_dim"] == nil ? nil : try read.int(record, "input_dim")
            func initializer(_ key: String) throws -> Initializer {
                let value = try read.string(record, key)
                guard let initializer = Initializer(descriptionValue: value) else {
                    throw read.fail(record, "unknown initializer \(key)=\(value)")
                }
                return initializer
            }
            var activation = try Activation(name: try read.string(record, "activation"))
            if case .leakyRelu = activation, record["alpha"] != nil { activation = .leakyRelu(alpha: try read.float(record, "alpha")) }
            try add(Dense(try read.int(record, "units"), activation: activation,
                          kernelInitializer: try initializer("kernel_initializer"),
                          biasInitializer: try initializer("bias_initializer"), useBias: try read.bool(record, "use_bias"),
                          inputDimension: inputs))
        }
        if let built = description.first("built") { try build(inputDimension: try read.int(built, "input_dim")) }
        let weightCount = weightShapes.count
        guard tensors.count >= weightCount else {
            throw AnnealError(.corruptFile, "\(read.source): the model has \(weightCount) weights, the file holds \(tensors.count) tensors")
        }
        if weightCount > 0 { try setWeights(Array(tensors[0..<weightCount])) }
        if let record = description.first("generator") {
            let words = try read.list(record, "state").compactMap { UInt64($0) }
            guard let restored = SeededGenerator(words: words) else { throw read.fail(record, "not a generator state") }
            generator = restored
        }
        var used = weightCount
        if let compile = description.first("compile") {
            guard let record = description.first("optimizer") else {
                throw AnnealError(.corruptFile, "\(read.source): a compiled model's description has no 'optimizer' record")
            }
            let schedule = try description.first("schedule").map { try ScheduleDescription.make(from: $0, read) }
            let optimizer = try Optimizer.make(from: record, schedule: schedule, read)
            // The loss's arguments are absent from files written before losses had them: Keras's defaults.
            var loss = try Loss(name: try read.string(compile, "loss"))
            if compile["from_logits"] != nil { loss.fromLogits = try read.bool(compile, "from_logits") }
            if compile["label_smoothing"] != nil { loss.labelSmoothing = try read.float(compile, "label_smoothing") }
            if compile["delta"] != nil { loss.delta = try read.float(compile, "delta") }
            let names = try read.list(compile, "metrics")
            var weighted = Set<Int>()
            if compile["weighted"] != nil {
                for word in try read.list(compile, "weighted") {
                    guard let index = Int(word), names.indices.contains(index) else {
                        throw read.fail(compile, "weighted lists '\(word)', not the index of one of its \(names.count) metrics")
                    }
                    weighted.insert(index)
                }
            }
            // Each metric's kind and parameters (files written before they were kept: the names alone, at
            // Keras's defaults).
            let metricRecords = description.all("metric")
            if metricRecords.isEmpty {
                try self.compile(optimizer: optimizer, loss: loss, metrics: names, weighted: weighted)
            } else {
                let described = try metricRecords.map { try CompiledMetric.make(from: $0, read) }
                let given = names.map { ModelDescription.percentDecoded($0) ?? $0 }
                let matches = described.count == given.count && described.indices.allSatisfy { index in
                    described[index].name == given[index]
                        || (weighted.contains(index) && described[index].name == "weighted_" + given[index])
                }
                guard matches else {
                    throw read.fail(compile, "metrics=\(names.joined(separator: ",")) does not match the \(described.count) 'metric' records")
                }
                try self.compile(optimizer: optimizer, loss: loss, namedMetrics: described)
                for index in weighted.sorted() { try setMetricWeighted(at: index, true) }
            }
            if let state = description.first("state") {
                let names = try read.list(state, "slots")
                guard tensors.count == weightCount + names.count else {
                    throw read.fail(state, "\(names.count) state buffers after \(weightCount) weights, but the file holds \(tensors.count) tensors")
                }
                var values: [String: [Float]] = [:]
                for (offset, name) in names.enumerated() { values[name] = tensors[weightCount + offset].values }
                used += names.count
                try optimizer.setState(iterations: Int64(try read.int(state, "iterations")), values: values,
                                       parameterCount: network?.parameters.count ?? 0)
                if let nadam = optimizer as? Nadam { nadam.momentumCache = try read.float(state, "momentum_cache") }
            }
        }
        guard used == tensors.count else {
            throw AnnealError(.corruptFile, "\(read.source): \(tensors.count - used) tensors in the file belong to nothing in its description")
        }
    }
}
