extension Sequential {
    /// The weights in Keras's order and layout: for each layer its kernel `[inputs, units]` (row-major,
    /// `kernel[i][j]` at `i * units + j`), then its bias `[units]` when it has one. Empty before the model is built.
    public func getWeights() -> [WeightTensor] {
        network.map { $0.tensors(of: $0.parameters) } ?? []
    }

    /// The shapes `setWeights` expects, in order.
    public var weightShapes: [[Int]] { network?.weightPlaces.map(\.shape) ?? [] }

    /// Replaces every weight, checking the count, each shape and that every value is finite first:
    /// on any error the model keeps its weights.
    public func setWeights(_ tensors: [WeightTensor]) throws {
        let network = try builtNetwork()
        let places = network.weightPlaces
        guard tensors.count == places.count else {
            throw AnnealError.shapeMismatch(
                "You called `set_weights(weights)` on a model with \(places.count) weights, but the provided weight list has \(tensors.count) elements.")
        }
        for (index, (tensor, place)) in zip(tensors, places).enumerated() {
            try Self.check(tensor, index: index, place: place)
        }
        for (tensor, place) in zip(tensors, places) { network.parameters.update(at: place.offset, from: tensor.values) }
    }

    /// Replaces weight `index` (of `getWeights()`, in Keras's order) alone, checked as `setWeights` checks
    /// each: on any error the model keeps its weights.
    /// - Throws: `.invalidState` before the model is built, `.invalidArgument` for an index out of range,
    ///   `.shapeMismatch` for another shape, `.nonFinite` for a NaN or infinite value.
    public func setWeight(_ index: Int, to tensor: WeightTensor) throws {
        let network = try builtNetwork()
        let place = try Self.place(index, in: network)
        try Self.check(tensor, index: index, place: place)
        network.parameters.update(at: place.offset, from: tensor.values)
    }

    /// Weight `index` alone (of `getWeights()`, in Keras's order).
    /// - Throws: `.invalidState` before the model is built, `.invalidArgument` for an index out of range.
    public func getWeight(_ index: Int) throws -> WeightTensor {
        let network = try builtNetwork()
        return network.tensor(try Self.place(index, in: network), of: network.parameters)
    }

    /// Where weight `index` sits, or the error of an index out of range.
    private static func place(_ index: Int, in network: Network) throws -> WeightPlace {
        let places = network.weightPlaces
        guard places.indices.contains(index) else {
            throw AnnealError.invalidArgument("weight index \(index) is out of range: the model has \(places.count) weights")
        }
        return places[index]
    }

    /// The network, or the error of a model not built yet.
    private func builtNetwork() throws -> Network {
        guard let network else {
            throw AnnealError.invalidState("the model is not built yet: give its first layer an input_dim, or build it for an input width first")
        }
        return network
    }

    /// Checks that `tensor`, given for weight `index`, has the shape of that weight (at `place`) and only
    /// finite values.
    private static func check(_ tensor: WeightTensor, index: Int, place: WeightPlace) throws {
        guard tensor.shape == place.shape, tensor.values.count == place.count else {
            throw AnnealError.shapeMismatch(
                "weight \(index) has shape \(tensor.shape) with \(tensor.values.count) values; the model expects shape \(place.shape) (\(place.count) values)")
        }
        if let bad = indexOfFirstNonFinite(tensor.values) {
            throw AnnealError.nonFinite("weight \(index) holds \(tensor.values[bad]) at flat index \(bad); weights must be finite")
        }
    }

    /// Writes the weights to `path` in Anneal's weights-file format, atomically (a temporary file renamed
    /// over the destination): a crash mid-save leaves any previous file intact.
    public func saveWeights(to path: String) throws {
        guard network != nil else {
            throw AnnealError.invalidState("the model is not built yet, so it has no weights to save")
        }
        try WeightsFile.write(getWeights(), to: path)
    }

    /// Reads weights saved by `saveWeights` (or the weights of a whole-model file written by `save(to:)`, as
    /// Keras's `load_weights` reads a whole-model file) and sets them; a missing, corrupt or mismatched file
    /// throws and leaves the model's weights as they were.
    public func loadWeights(from path: String) throws {
        let bytes = try WeightsFile.readBytes(from: path, kind: "weights file")
        let tensors: [WeightTensor]
        let kind: String
        if ModelFile.isModelFile(bytes) {
            // A model file holds the weights first (a kernel per layer, and a bias where it has one), then any
            // optimizer state.
            let (text, all) = try ModelFile.decode(bytes, source: path)
            let read = DescriptionReader(source: path)
            let saved = try ModelDescription(parsing: text, source: path).all("layer").reduce(0) { count, layer in
                count + (try read.bool(layer, "use_bias") ? 2 : 1)
            }
            tensors = Array(all.prefix(saved))
            kind = "model file"
        } else {
            tensors = try WeightsFile.decode(bytes, source: path)
            kind = "weights file"
        }
        let expected = weightShapes.count
        guard network == nil || tensors.count == expected else {
            func weights(_ count: Int) -> String { count == 1 ? "1 weight" : "\(count) weights" }
            throw AnnealError.shapeMismatch(
                "\(path): the \(kind) holds \(weights(tensors.count)) (kernels and biases), but the model has "
                    + "\(weights(expected)): the file was saved from another model")
        }
        do {
            try setWeights(tensors)
        } catch let error as AnnealError {
            // Every load error names its file: a NaN or a foreign shape inside it too.
            throw AnnealError(error.kind, "\(path): \(error.message)")
        }
    }
}

extension Sequential {
    /// The mean loss over `x`, `y` and its gradient with respect to every weight (same order and shapes as
    /// `getWeights()`), without changing the model: what a Keras user computes with `GradientTape`.
    /// `sampleWeight` (one per row) weights each row's loss as `fit` does: `sum(w_i * l_i) / rows`.
    public func lossGradients(
        _ x: Matrix, _ y: Matrix, sampleWeight: [Float]? = nil
    ) throws -> (loss: Double, gradients: [WeightTensor]) {
        let (network, _, loss) = try compiledNetwork(inputDimension: x.columns)
        try checkData(x, y, network: network, loss: loss, role: "gradient")
        let weights = try TrainingSession.checkedWeights(sampleWeight, rows: x.rows, role: "sample_weight")
        let workspace = try Workspace(network: network, capacity: x.rows, labelWidth: y.columns)
        workspace.load(x: x, y: y, start: 0, count: x.rows)
        network.forward(workspace, rows: x.rows)
        let last = network.layouts.count - 1
        let value = loss.evaluate(
            z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
            rows: x.rows, units: network.outputs, activation: network.layouts[last].activation,
            gradient: workspace.deltas[last].base, weights: weights.map { UnsafePointer($0.base) })
        network.backward(workspace, rows: x.rows)
        return (Double(value), network.tensors(of: network.gradients))
    }
}
