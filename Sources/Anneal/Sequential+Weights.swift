extension Sequential {
    /// The weights in Keras's order and layout: for each layer its kernel `[inputs, units]` (row-major,
    /// `kernel[i][j]` at `i * units + j`), then its bias `[units]` when it has one. Empty before the model is built.
    public func getWeights() -> [WeightTensor] {
        network.map { $0.tensors(of: $0.parameters) } ?? []
    }

    /// The shapes `setWeights` expects, in order.
    public var weightShapes: [[Int]] {
        network?.layouts.flatMap { layout in
            layout.biasOffset == nil ? [[layout.inputs, layout.units]] : [[layout.inputs, layout.units], [layout.units]]
        } ?? []
    }

    /// Replaces every weight, checking the count, each shape and that every value is finite first:
    /// on any error the model keeps its weights.
    public func setWeights(_ tensors: [WeightTensor]) throws {
        guard let network else {
            throw AnnealError.invalidState("the model is not built yet: give its first layer an input_dim, or build it for an input width first")
        }
        let expected = weightShapes
        guard tensors.count == expected.count else {
            throw AnnealError.shapeMismatch(
                "You called `set_weights(weights)` on a model with \(expected.count) weights, but the provided weight list has \(tensors.count) elements.")
        }
        for (index, (tensor, shape)) in zip(tensors, expected).enumerated() {
            let count = shape.reduce(1, *)
            guard tensor.shape == shape, tensor.values.count == count else {
                throw AnnealError.shapeMismatch(
                    "weight \(index) has shape \(tensor.shape) with \(tensor.values.count) values; the model expects shape \(shape) (\(count) values)")
            }
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw AnnealError.nonFinite("weight \(index) holds \(tensor.values[bad]) at flat index \(bad); weights must be finite")
            }
        }
        var offset = 0
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (network.parameters.base + offset).update(from: base, count: source.count) }
            }
            offset += tensor.values.count
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

    /// Reads weights saved by `saveWeights` and sets them; a missing, corrupt or mismatched file throws and
    /// leaves the model's weights as they were.
    public func loadWeights(from path: String) throws {
        let tensors = try WeightsFile.read(from: path)
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
    public func lossGradients(_ x: Matrix, _ y: Matrix) throws -> (loss: Double, gradients: [WeightTensor]) {
        let (network, _, loss) = try compiledNetwork(inputDimension: x.columns)
        try checkData(x, y, network: network, loss: loss, role: "gradient")
        let workspace = try Workspace(network: network, capacity: x.rows, labelWidth: y.columns)
        workspace.load(x: x, y: y, start: 0, count: x.rows)
        network.forward(workspace, rows: x.rows)
        let last = network.layouts.count - 1
        let value = loss.evaluate(
            z: workspace.preActivations[last].base, a: workspace.activations[last].base, y: workspace.labels.base,
            rows: x.rows, units: network.outputs, activation: network.layouts[last].activation,
            gradient: workspace.deltas[last].base)
        network.backward(workspace, rows: x.rows)
        return (Double(value), network.tensors(of: network.gradients))
    }
}
