/// Keras's `Dropout(rate, seed=None)`: while training, each value of its input is kept with probability
/// `1 - rate` and scaled by `1 / (1 - rate)`, or set to 0 (inverted dropout, so the expected output equals the
/// input); outside training (`evaluate`, `predict`, validation) it is the identity.
///
/// As `tf.nn.dropout` computes it, in float32: `scale = 1 / (1 - rate)`, `keep = u >= rate` for a uniform
/// `u` in [0, 1), `output = keep ? input * scale : 0`; its gradient is `keep ? gradient * scale : 0`.
/// A `rate` of 0 is the identity in training too (Keras returns its input unchanged).
///
/// The masks come from Anneal's own generator (`SeededGenerator`, 24 bits per uniform), not from
/// TensorFlow's, so they cannot equal TensorFlow's masks bit for bit. They are reproducible: a layer's
/// stream is seeded by its `seed`, or, without one, by the model's seed and the layer's place among the
/// model's Dropout layers, so the same seeds give the same masks on every front end, thread count and kernel
/// level. Masks are drawn on the training thread, one uniform per value, row after row.
public struct Dropout: Equatable, Sendable {
    /// The fraction of the input values dropped, in [0, 1).
    public var rate: Double
    /// Seeds this layer's masks; nil derives the seed from the model's.
    public var seed: UInt64?

    public init(rate: Double, seed: UInt64? = nil) {
        self.rate = rate
        self.seed = seed
    }

    func validate() throws {
        guard rate.isFinite, rate >= 0, rate <= 1 else {
            throw AnnealError.invalidArgument(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)")
        }
        guard rate < 1 else {
            // tf_keras accepts 1 in the layer, then tf.nn.dropout refuses it at the first training call.
            throw AnnealError.invalidArgument(
                "`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate=\(rate)")
        }
    }
}

/// One element of a `Sequential` stack, in the order the layers were added.
public enum Layer: Equatable, Sendable {
    case dense(Dense)
    case dropout(Dropout)

    /// Keras's class name of the layer (`"Dense"`, `"Dropout"`), as summaries and saved architectures name it.
    public var className: String {
        switch self {
        case .dense: "Dense"
        case .dropout: "Dropout"
        }
    }
}

/// A Dropout layer inside a network: where it sits, its float32 rate and scale, and its mask stream.
///
/// A reference, shared by every `Network` the model builds, so that the stream goes on across rebuilds and
/// fits rather than restarting.
final class DropoutSite {
    /// The index of the dense layer whose input it drops (0: the model's inputs); the number of dense layers
    /// when it is last (allowed for inference only).
    let position: Int
    let rate: Float
    /// `1 / (1 - rate)` in float32, as TensorFlow computes it.
    let scale: Float
    var generator: SeededGenerator

    init(position: Int, rate: Double, seed: UInt64) {
        self.position = position
        self.rate = Float(rate)
        scale = 1 / (1 - Float(rate))
        generator = SeededGenerator(seed: seed)
    }

    /// The seed of a Dropout given none: the model's seed mixed with the layer's ordinal among the model's
    /// Dropout layers (a SplitMix64 step, so that neighbouring ordinals give unrelated streams).
    static func derivedSeed(modelSeed: UInt64, ordinal: Int) -> UInt64 {
        var z = modelSeed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(ordinal + 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fills `mask[0 ..< count]` with `scale` (kept) or 0 (dropped): `u >= rate` keeps, `u` uniform in
    /// [0, 1) with 24 bits (float32's mantissa, so the comparison is exact in float32).
    func drawMask(_ mask: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let u = Float(generator.next() >> 40) * 0x1.0p-24
            mask[i] = u >= rate ? scale : 0
        }
    }

    /// `output[i] = mask[i] != 0 ? input[i] * mask[i] : 0`: a mask applied forward (input: the layer's
    /// input) or backward (input: the gradient of its output); `output` may be `input`. A select rather than a
    /// product, as TensorFlow's `where`, so that a dropped value is +0 whatever its sign.
    static func apply(_ mask: UnsafePointer<Float>, to input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
                      count: Int) {
        for i in 0..<count {
            let m = mask[i]
            output[i] = m != 0 ? input[i] * m : 0
        }
    }
}
