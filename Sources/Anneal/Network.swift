/// Where one dense layer's numbers sit inside the model's single parameter buffer.
struct LayerLayout: Sendable {
    let inputs: Int
    let units: Int
    let activation: Activation
    let kernelOffset: Int
    /// nil when the layer has no bias.
    let biasOffset: Int?

    var parameterCount: Int { inputs * units + (biasOffset == nil ? 0 : units) }
}

/// Where one of Keras's weight tensors (a kernel or a bias) sits inside the model's parameter buffer.
struct WeightPlace {
    let shape: [Int]
    let offset: Int

    var count: Int { shape.reduce(1, *) }
}

/// The numbers of a built model: every parameter in one contiguous buffer (kernel then bias, layer after
/// layer, Keras's order), a gradient buffer of the same layout, and the forward and backward passes.
///
/// One buffer makes the optimizer step a single loop over all parameters (a big model's is applied layer by
/// layer instead, inside the backward pass: `backward(_:rows:applying:)`).
final class Network {
    let layouts: [LayerLayout]
    let parameters: FloatBuffer
    let gradients: FloatBuffer
    /// The Dropout layers of rate above 0, in the model's order (see `DropoutSite`); they act only in a
    /// training pass (`forward(_:rows:packedKernelsAreCurrent:training:)`).
    let dropouts: [DropoutSite]

    /// `count` is the parameters' total (the caller has added the layers' counts with overflow checks);
    /// `what` names the request in an out-of-memory message.
    init(layouts: [LayerLayout], dropouts: [DropoutSite] = [], count: Int, for what: @autoclosure () -> String) throws {
        self.layouts = layouts
        self.dropouts = dropouts
        parameters = try FloatBuffer(count: count, for: what())
        gradients = try FloatBuffer(count: count, for: "the gradients of \(what())")
    }

    /// The same layers and numbers as `other` (its parameter and gradient buffers, shared) with other Dropout
    /// layers: a Dropout added to a built model changes no weight.
    init(layouts: [LayerLayout], dropouts: [DropoutSite], sharing other: Network) {
        self.layouts = layouts
        self.dropouts = dropouts
        parameters = other.parameters
        gradients = other.gradients
    }

    var inputs: Int { layouts[0].inputs }
    var outputs: Int { layouts[layouts.count - 1].units }

    /// Where Keras's weight tensors sit in the parameter buffer, in Keras's order: each layer's kernel
    /// `[inputs, units]`, then its bias `[units]` when it has one.
    var weightPlaces: [WeightPlace] {
        layouts.flatMap { layout in
            let kernel = WeightPlace(shape: [layout.inputs, layout.units], offset: layout.kernelOffset)
            guard let biasOffset = layout.biasOffset else { return [kernel] }
            return [kernel, WeightPlace(shape: [layout.units], offset: biasOffset)]
        }
    }

    /// Splits a parameter-shaped buffer into Keras-ordered tensors (`weightPlaces`).
    func tensors(of buffer: FloatBuffer) -> [WeightTensor] { weightPlaces.map { tensor($0, of: buffer) } }

    /// The tensor at `place` of a parameter-shaped buffer.
    func tensor(_ place: WeightPlace, of buffer: FloatBuffer) -> WeightTensor {
        WeightTensor(shape: place.shape, values: Array(UnsafeBufferPointer(start: buffer.base + place.offset, count: place.count)))
    }

    /// Runs the first `rows` rows of `workspace.input` through every layer. `packedKernelsAreCurrent` says the
    /// workspace's packed kernels (if it keeps any) hold the parameters as they are: the last update wrote
    /// them, and nothing changed the parameters since. `training` (a training workspace only) draws fresh
    /// Dropout masks and applies them; otherwise Dropout is the identity.
    func forward(_ workspace: Workspace, rows: Int, packedKernelsAreCurrent: Bool = false, training: Bool = false) {
        let w = UnsafePointer(parameters.base)
        workspace.isDropping = training && workspace.training && !dropouts.isEmpty
        // Index loops: the generic iterators of enumerated() and reversed() allocate in unoptimized builds.
        for index in 0..<layouts.count {
            let layer = layouts[index]
            if workspace.isDropping { dropInput(of: index, workspace, rows: rows) }
            let input = workspace.layerInput(index)
            let z = workspace.preActivations[index].base
            Kernels.denseForward(
                x: input, rows: rows, inputs: layer.inputs,
                kernel: w + layer.kernelOffset, bias: layer.biasOffset.map { w + $0 }, units: layer.units, z: z,
                packed: workspace.packedKernels[index].map { ($0.base, packedKernelsAreCurrent) })
            layer.activation.forward(z, workspace.activations[index].base, rows: rows, units: layer.units)
        }
    }

    /// Models with this many parameters or more apply an update layer by layer inside the backward pass
    /// (`backward(_:rows:applying:)`); smaller ones compute every gradient first, then update all parameters
    /// in one call. A small model's parameters stay in cache, so the separate update pass is cheap and the
    /// per-layer calls cost more than they spare (the tutorial's run is slower with them); a big model's
    /// kernels do not, so updating each straight from the registers its gradient is computed in spares a
    /// pass over memory per layer.
    static let layerUpdateMinimum = Kernels.bigUpdate

    /// Draws the masks of the Dropout layers before dense layer `index` (in the model's order) and writes
    /// that layer's dropped input: the first mask applied to the undropped values, each next one to the result.
    private func dropInput(of index: Int, _ workspace: Workspace, rows: Int) {
        guard let dropped = workspace.droppedInputs[index] else { return }
        let source = index == 0 ? workspace.input.base : workspace.activations[index - 1].base
        let count = rows * layouts[index].inputs
        var first = true
        for site in 0..<dropouts.count where dropouts[site].position == index {
            let mask = workspace.masks[site].base
            dropouts[site].drawMask(mask, count: count)
            DropoutSite.apply(mask, to: first ? source : dropped.base, into: dropped.base, count: count)
            first = false
        }
    }

    /// Back-propagates through the Dropout layers before dense layer `index` (`gradient`: dL/d of its dropped
    /// input), last one first, after a training pass.
    private func dropGradient(of index: Int, _ workspace: Workspace, _ gradient: UnsafeMutablePointer<Float>, rows: Int) {
        guard workspace.isDropping, workspace.droppedInputs[index] != nil else { return }
        let count = rows * layouts[index].inputs
        var site = dropouts.count
        while site > 0 {
            site -= 1
            if dropouts[site].position == index {
                DropoutSite.apply(workspace.masks[site].base, to: gradient, into: gradient, count: count)
            }
        }
    }

    var updatesLayerByLayer: Bool { parameters.count >= Self.layerUpdateMinimum }

    /// Back-propagates from `workspace.deltas[last]` (dL/dz of the output layer, set by the loss) and
    /// leaves dL/dparameters in `gradients`; or, given `step`, applies that SGD update to the parameters
    /// (`gradients` then being scratch). A big model applies it to each layer as soon as the layer's gradients
    /// are computed, its kernel's straight from the product, sparing the update's separate pass over them,
    /// and writes the updated kernels into the workspace's packed kernels too; either way the parameters get
    /// the same bits as one update after the pass.
    func backward(_ workspace: Workspace, rows: Int, applying step: SGDStep? = nil) {
        let w = parameters.base
        let g = gradients.base
        let layerStep = updatesLayerByLayer ? step : nil
        var index = layouts.count  // from the last layer down, without reversed()'s iterator (see forward)
        while index > 0 {
            index -= 1
            let layer = layouts[index]
            let input = workspace.layerInput(index)
            let delta = workspace.deltas[index].base
            if layerStep == nil {
                Kernels.denseParameterGradients(
                    x: input, delta: delta, rows: rows, inputs: layer.inputs, units: layer.units,
                    kernelGradient: g + layer.kernelOffset, biasGradient: layer.biasOffset.map { g + $0 })
            }
            if index > 0 {
                let below = layouts[index - 1]
                let belowDelta = workspace.deltas[index - 1].base
                Kernels.denseInputGradient(
                    delta: delta, rows: rows, inputs: layer.inputs, units: layer.units,
                    kernel: w + layer.kernelOffset, inputGradient: belowDelta)
                dropGradient(of: index, workspace, belowDelta, rows: rows)
                below.activation.backward(
                    belowDelta, z: workspace.preActivations[index - 1].base, a: workspace.activations[index - 1].base,
                    rows: rows, units: below.units)
            }
            if let step = layerStep {
                // After the input gradient, which needs the kernel the forward pass used.
                let transposed = workspace.transposedInputs[index]
                if let transposed, index > 0 || !workspace.inputIsTransposed || input != workspace.input.base {
                    Kernels.transpose(input, rows: rows, columns: layer.inputs, into: transposed.base)
                }
                Kernels.denseParameterUpdate(
                    x: input, delta: delta, rows: rows, inputs: layer.inputs, units: layer.units,
                    kernel: (w + layer.kernelOffset, step.velocity + layer.kernelOffset, g + layer.kernelOffset),
                    bias: layer.biasOffset.map { (w + $0, step.velocity + $0, g + $0) }, step: step,
                    packedKernel: workspace.packedKernels[index]?.base,
                    transposedX: transposed.map { UnsafePointer($0.base) })
            }
        }
        if let step, layerStep == nil {
            Kernels.sgdUpdate(w: w, v: step.velocity, g: g, count: parameters.count, rate: step.rate,
                              momentum: step.momentum, nesterov: step.nesterov)
        }
    }
}

/// Per-batch scratch memory for one network: sized once for a batch capacity, reused for every batch.
final class Workspace {
    let capacity: Int
    let labelWidth: Int
    /// Made for a training session (which may keep packed kernels here).
    let training: Bool
    let input: FloatBuffer
    let labels: FloatBuffer
    let preActivations: [FloatBuffer]
    let activations: [FloatBuffer]
    let deltas: [FloatBuffer]
    /// Per layer, the kernel's packed copy that its forward product reads, or nil: kept by a training
    /// workspace of a model that updates layer by layer, for the layers whose products pack their kernel
    /// (`Kernels.packedSize`). Each update writes it, so the next batch's forward product need not copy the
    /// kernel again (big network: 0.8 MB per batch for its first layer).
    let packedKernels: [FloatBuffer?]
    /// The version of the parameters (`FloatBuffer.version`) that `packedKernels` hold, nil when they hold
    /// none: set by the training step whose update wrote them.
    var packedKernelsVersion: UInt64?
    /// Per layer, room for its input transposed (`inputs` x rows), or nil: kept by the same workspaces for the
    /// layers whose parameter-gradient products are shared with the helper thread, and written just before
    /// each update, which then reads its rows in order (`Kernels.denseParameterUpdate`); the first layer's is
    /// written by `gather` with the batch instead (`load` leaves it to the update).
    let transposedInputs: [FloatBuffer?]
    /// Whether `transposedInputs[0]` holds `input` transposed: written with it by `gather`, not by `load`.
    private(set) var inputIsTransposed = false
    /// Per Dropout site of the network (`Network.dropouts`), its mask for the current batch: `scale` where a
    /// value is kept, 0 where it is dropped. A training workspace's only; empty otherwise.
    let masks: [FloatBuffer]
    /// Per dense layer, its dropped input when Dropout layers sit before it: a training workspace's only.
    let droppedInputs: [FloatBuffer?]
    /// Whether the last forward pass dropped: its layers read `droppedInputs`, and the backward pass applies
    /// the same masks to the gradients.
    var isDropping = false

    /// Throws `AnnealError.outOfMemory` naming the buffer when batches of `capacity` rows do not fit (every
    /// size is a product of a caller's batch size and a layer's width, computed with overflow checks).
    init(network: Network, capacity: Int, labelWidth: Int, training: Bool = false) throws {
        self.capacity = capacity
        self.labelWidth = labelWidth
        self.training = training
        func rows(_ width: Int, _ what: String) throws -> FloatBuffer {
            let what = "\(what) for a batch of \(capacity) rows"
            return try FloatBuffer(count: try ByteCount.product(capacity, width, what), for: what)
        }
        input = try rows(network.inputs, "the inputs")
        labels = try rows(labelWidth, "the labels")
        var preActivations: [FloatBuffer] = []
        var activations: [FloatBuffer] = []
        var deltas: [FloatBuffer] = []
        for (index, layer) in network.layouts.enumerated() {
            preActivations.append(try rows(layer.units, "the outputs of layer \(index)"))
            activations.append(try rows(layer.units, "the activations of layer \(index)"))
            deltas.append(try rows(layer.units, "the gradients of layer \(index)"))
        }
        self.preActivations = preActivations
        self.activations = activations
        self.deltas = deltas
        let keepsPacks = training && network.updatesLayerByLayer
        packedKernels = try network.layouts.enumerated().map { index, layer in
            let size = keepsPacks ? Kernels.packedSize(rows: capacity, inputs: layer.inputs, units: layer.units) : 0
            return size > 0 ? try FloatBuffer(count: size, for: "the packed kernel of layer \(index)") : nil
        }
        masks = training ? try network.dropouts.map { site in
            // A site after the last layer is not trained (compile refuses it): no room for it.
            let width = site.position < network.layouts.count ? network.layouts[site.position].inputs : 0
            return try rows(width, "the Dropout mask before layer \(site.position)")
        } : []
        droppedInputs = try network.layouts.enumerated().map { index, layer in
            let drops = training && network.dropouts.contains { $0.position == index }
            return drops ? try rows(layer.inputs, "the dropped inputs of layer \(index)") : nil
        }
        transposedInputs = try network.layouts.enumerated().map { index, layer in
            let transposes = keepsPacks && layer.units > 1 && Kernels.isVectorized()
                && Kernels.productIsShared(rows: layer.inputs, columns: layer.units, depth: capacity)
            return transposes ? try rows(layer.inputs, "the transposed inputs of layer \(index)") : nil
        }
    }

    /// What dense layer `index` reads: its dropped input after a dropping pass, else the input or the
    /// activations below it.
    func layerInput(_ index: Int) -> UnsafeMutablePointer<Float> {
        if isDropping, let dropped = droppedInputs[index] { return dropped.base }
        return index == 0 ? input.base : activations[index - 1].base
    }

    /// Copies rows `[start, start + count)` of `x` (and of `y`, when given) into the input and label buffers.
    func load(x: Matrix, y: Matrix?, start: Int, count: Int) {
        inputIsTransposed = false
        x.values.withUnsafeBufferPointer { source in
            input.base.update(from: source.baseAddress! + start * x.columns, count: count * x.columns)
        }
        if let y {
            y.values.withUnsafeBufferPointer { source in
                labels.base.update(from: source.baseAddress! + start * y.columns, count: count * y.columns)
            }
        }
    }

    /// Copies the rows named by `order[start ..< start + count]` into the input and label buffers.
    func gather(x: Matrix, y: Matrix, order: UnsafeBufferPointer<Int>, start: Int, count: Int) {
        let xWidth = x.columns
        let yWidth = y.columns
        let transposed = transposedInputs.isEmpty ? nil : transposedInputs[0]?.base
        inputIsTransposed = transposed != nil
        x.values.withUnsafeBufferPointer { xs in
            y.values.withUnsafeBufferPointer { ys in
                let rows = order.baseAddress! + start
                Kernels.gatherRows(input.base, transposed: transposed, from: xs.baseAddress!, width: xWidth,
                                   rows: rows, count: count)
                Kernels.gatherRows(labels.base, from: ys.baseAddress!, width: yWidth, rows: rows, count: count)
            }
        }
    }
}
