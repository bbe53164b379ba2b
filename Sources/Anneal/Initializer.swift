/// How a layer's kernel or bias starts, with Keras's definitions.
///
/// `fanIn` and `fanOut` are a kernel's input and output sizes; for a bias (a vector of `n`) both are `n`,
/// as Keras computes them.
///
/// ```
/// normal          N(mean, stddev), default N(0, 0.05)                        (not truncated)
/// uniform         U(min, max), default U(-0.05, 0.05)
/// truncatedNormal N(mean, stddev) redrawn beyond 2 stddev
/// glorotUniform   U(-L, L), L = sqrt(6 / (fanIn + fanOut))                  (Keras's default kernel)
/// glorotNormal    truncated N(0, s), s = sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978
/// heNormal        truncated N(0, s), s = sqrt(2 / fanIn) / 0.87962566103423978
/// heUniform       U(-L, L), L = sqrt(6 / fanIn)
/// lecunNormal     truncated N(0, s), s = sqrt(1 / fanIn) / 0.87962566103423978
/// lecunUniform    U(-L, L), L = sqrt(3 / fanIn)
/// zeros, ones, constant(c)
/// ```
/// The divisor 0.8796... is the standard deviation of a unit normal truncated at two standard deviations:
/// Keras divides by it so that the truncated draw has the intended variance.
public enum Initializer: Equatable, Sendable {
    case normal(mean: Double = 0, stddev: Double = 0.05)
    case uniform(minimum: Double = -0.05, maximum: Double = 0.05)
    case truncatedNormal(mean: Double = 0, stddev: Double = 0.05)
    case glorotUniform
    case glorotNormal
    case heNormal
    case heUniform
    case lecunNormal
    case lecunUniform
    case zeros
    case ones
    case constant(Double)

    static let truncatedNormalCorrection = 0.87962566103423978

    /// Looks an initializer up by its Keras name, in snake case or class-name form
    /// (`"normal"`, `"random_normal"`, `"RandomNormal"`, `"glorot_uniform"`, `"GlorotUniform"`, `"zeros"`...).
    public init(name: String) throws {
        let key = name.lowercased().replacing("_", with: "")
        switch key {
        case "normal", "randomnormal": self = .normal()
        case "uniform", "randomuniform": self = .uniform()
        case "truncatednormal": self = .truncatedNormal()
        case "glorotuniform", "xavieruniform": self = .glorotUniform
        case "glorotnormal", "xaviernormal": self = .glorotNormal
        case "henormal": self = .heNormal
        case "heuniform": self = .heUniform
        case "lecunnormal": self = .lecunNormal
        case "lecununiform": self = .lecunUniform
        case "zeros", "zero": self = .zeros
        case "ones", "one": self = .ones
        default:
            throw AnnealError.invalidArgument(
                "Unknown initializer: '\(name)'. Expected one of: normal, uniform, truncated_normal, glorot_uniform, "
                    + "glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform, zeros, ones")
        }
    }

    /// Checks the parameters a user can get wrong (a negative stddev, an empty range, a non-finite constant).
    func validate() throws {
        switch self {
        case .normal(let mean, let stddev), .truncatedNormal(let mean, let stddev):
            guard mean.isFinite, stddev.isFinite, stddev >= 0 else {
                throw AnnealError.invalidArgument(
                    "initializer needs a finite mean and a non-negative stddev. Received: mean=\(mean), stddev=\(stddev)")
            }
        case .uniform(let minimum, let maximum):
            guard minimum.isFinite, maximum.isFinite, minimum <= maximum else {
                throw AnnealError.invalidArgument(
                    "uniform initializer needs finite minval <= maxval. Received: minval=\(minimum), maxval=\(maximum)")
            }
        case .constant(let value):
            guard value.isFinite else {
                throw AnnealError.invalidArgument("constant initializer needs a finite value. Received: value=\(value)")
            }
        default:
            break
        }
    }

    /// Fills `values` for a tensor with the given fans, drawing from `generator`.
    func fill(_ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int, generator: inout SeededGenerator) {
        let fanIn = Double(max(fanIn, 1))
        let fanOut = Double(max(fanOut, 1))
        switch self {
        case .normal(let mean, let stddev):
            for i in values.indices { values[i] = Float(mean + stddev * generator.nextNormal()) }
        case .uniform(let minimum, let maximum):
            for i in values.indices { values[i] = Float(minimum + (maximum - minimum) * generator.nextUnit()) }
        case .truncatedNormal(let mean, let stddev):
            Self.fillTruncated(values, mean: mean, stddev: stddev, generator: &generator)
        case .glorotUniform:
            Self.fillSymmetricUniform(values, limit: (6 / (fanIn + fanOut)).squareRoot(), generator: &generator)
        case .glorotNormal:
            Self.fillTruncated(values, mean: 0, stddev: (2 / (fanIn + fanOut)).squareRoot() / Self.truncatedNormalCorrection,
                               generator: &generator)
        case .heNormal:
            Self.fillTruncated(values, mean: 0, stddev: (2 / fanIn).squareRoot() / Self.truncatedNormalCorrection,
                               generator: &generator)
        case .heUniform:
            Self.fillSymmetricUniform(values, limit: (6 / fanIn).squareRoot(), generator: &generator)
        case .lecunNormal:
            Self.fillTruncated(values, mean: 0, stddev: (1 / fanIn).squareRoot() / Self.truncatedNormalCorrection,
                               generator: &generator)
        case .lecunUniform:
            Self.fillSymmetricUniform(values, limit: (3 / fanIn).squareRoot(), generator: &generator)
        case .zeros:
            values.update(repeating: 0)
        case .ones:
            values.update(repeating: 1)
        case .constant(let value):
            values.update(repeating: Float(value))
        }
    }

    private static func fillSymmetricUniform(
        _ values: UnsafeMutableBufferPointer<Float>, limit: Double, generator: inout SeededGenerator
    ) {
        for i in values.indices { values[i] = Float(limit * (2 * generator.nextUnit() - 1)) }
    }

    private static func fillTruncated(
        _ values: UnsafeMutableBufferPointer<Float>, mean: Double, stddev: Double, generator: inout SeededGenerator
    ) {
        for i in values.indices {
            var draw = generator.nextNormal()
            while abs(draw) > 2 { draw = generator.nextNormal() }
            values[i] = Float(mean + stddev * draw)
        }
    }
}
