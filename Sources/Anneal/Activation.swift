#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The activation a `Dense` layer applies to its pre-activation `z = x · kernel + bias`, with tf_keras 2's
/// definitions (float32, as TensorFlow's kernels compute them) and derivatives:
/// ```
/// linear        z                                                  1
/// relu          max(z, 0)                                          [z > 0]
/// sigmoid       1 / (1 + exp(-z))                                  a (1 - a)
/// tanh          tanh(z)                                            1 - a^2
/// softmax       exp(z_u) / sum_k exp(z_k)      (per row)           a_u ([u == k] - a_k)
/// elu           z > 0 ? z : exp(z) - 1         (alpha 1)           z > 0 ? 1 : a + 1
/// selu          s z  or  s α (exp(z) - 1)      s = 1.0507009873554805, α = 1.6732632423543772
///                                                                  z > 0 ? s : a + s α
/// softplus      log(1 + exp(z))                                    sigmoid(z)
/// softsign      z / (1 + |z|)                                      1 / (1 + |z|)^2
/// swish, silu   z sigmoid(z)                                       s (1 + z (1 - s)),  s = sigmoid(z)
/// gelu          0.5 z (1 + erf(z / sqrt 2))    (approximate=False) Φ(z) + z φ(z)
/// gelu_approximate  0.5 z (1 + t),  t = tanh(c (z + 0.044715 z^3)),  c = sqrt(2 / π)    (approximate=True)
///                                                  0.5 (1 + t) + 0.5 z (1 - t^2) c (1 + 3 · 0.044715 z^2)
/// hard_sigmoid  clip(0.2 z + 0.5, 0, 1)                            0.2 inside [-2.5, 2.5], else 0
/// exponential   exp(z)                                             a
/// leaky_relu    z > 0 ? z : alpha z            (alpha 0.2 for the name, 0.3 for the LeakyReLU layer)
///                                                                  z > 0 ? 1 : alpha
/// ```
/// `hard_sigmoid` is tf_keras's (`backend.hard_sigmoid`), not Keras 3's `relu6(z + 3) / 6`. The name
/// `"leaky_relu"` resolves, as in tf_keras, to `tf.nn.leaky_relu` with its default alpha 0.2; the
/// `LeakyReLU` layer's default is 0.3. Keras has no name for `gelu(x, approximate=True)` (tf.nn.gelu's tanh
/// form, reached through a callable); Anneal calls it `"gelu_approximate"`.
public enum Activation: Equatable, Sendable, CaseIterable {
    case linear
    case relu
    case sigmoid
    case tanh
    case softmax
    case elu
    case selu
    case softplus
    case softsign
    case swish
    case gelu
    /// Keras's `gelu(x, approximate=True)`.
    case geluApproximate
    case hardSigmoid
    case exponential
    case leakyRelu(alpha: Float)

    /// Every activation (the leaky ReLU with the alpha of the `"leaky_relu"` name).
    public static let allCases: [Activation] = [
        .linear, .relu, .sigmoid, .tanh, .softmax, .elu, .selu, .softplus, .softsign, .swish, .gelu, .geluApproximate,
        .hardSigmoid, .exponential, .leakyRelu(alpha: leakyReluAlpha),
    ]

    /// The alpha of tf_keras's `"leaky_relu"` activation name (`tf.nn.leaky_relu`'s default).
    public static let leakyReluAlpha: Float = 0.2
    /// The alpha of tf_keras's `LeakyReLU` layer.
    public static let leakyReluLayerAlpha: Float = 0.3

    /// tf.nn.gelu's constants for approximate=True: sqrt(2 / π) and the cubic term's coefficient.
    static let geluScale: Float = 0.7978845608028654
    static let geluCubic: Float = 0.044715

    /// Where TensorFlow's float32 tanh (Eigen's) is exactly ±1: |u| >= 7.90531.
    static let tanhSaturation: Float = 7.90531

    /// gelu(approximate=True)'s gate 0.5 (1 + tanh(u)), u = c (z + 0.044715 z^3), computed as sigmoid(2u) (no
    /// 1 + tanh(u) cancelling near tanh(u) = -1), and exactly 0 or 1 where TensorFlow's tanh saturates.
    @inline(__always)
    static func geluGate(_ z: Float) -> Float {
        let u = geluScale * (z + geluCubic * (z * z * z))
        if abs(u) >= tanhSaturation { return u > 0 ? 1 : 0 }
        return 1 / (1 + exp(-2 * u))
    }

    static let softplusThreshold: Float = log(Float.ulpOfOne) + 2

    /// SELU's constants, as TensorFlow's kernel holds them.
    static let seluScale: Float = 1.0507009873554804934193349852946
    static let seluScaleAlpha: Float = 1.7580993408473768599402175208123

    /// The Keras name (`"hard_sigmoid"`, `"leaky_relu"`...).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .elu: "elu"
        case .selu: "selu"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .swish: "swish"
        case .gelu: "gelu"
        case .geluApproximate: "gelu_approximate"
        case .hardSigmoid: "hard_sigmoid"
        case .exponential: "exponential"
        case .leakyRelu: "leaky_relu"
        }
    }

    /// Looks an activation up by its Keras name (`"relu"`, `"silu"`, `"hard_sigmoid"`, `"linear"` or
    /// `nil`/`"None"`, ...), in any case.
    public init(name: String?) throws {
        guard let name, !name.isEmpty, name != "None" else {
            self = .linear
            return
        }
        let key = name.lowercased()
        if key == "silu" {
            self = .swish
            return
        }
        guard let activation = Activation.allCases.first(where: { $0.name == key }) else {
            throw AnnealError.invalidArgument(
                "Unknown activation function: '\(name)'. Expected one of: "
                    + (Activation.allCases.map(\.name) + ["silu"]).joined(separator: ", "))
        }
        self = activation
    }

    /// Checks the activation's own parameters.
    func validate() throws {
        if case .leakyRelu(let alpha) = self, !alpha.isFinite {
            throw AnnealError.invalidArgument("The alpha value of a Leaky ReLU layer must be finite. Received: alpha=\(alpha)")
        }
    }

    /// Applies the activation to `rows` rows of `units` pre-activations.
    func forward(_ z: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, rows: Int, units: Int) {
        let count = rows * units
        switch self {
        case .linear:
            if UnsafePointer(a) != z { a.update(from: z, count: count) }
        case .relu:
            Kernels.reluForward(a, z: z, count: count)
        case .sigmoid:
            for i in 0..<count { a[i] = 1 / (1 + exp(-z[i])) }
        case .tanh:
            for i in 0..<count { a[i] = hyperbolicTangent(z[i]) }
        case .softmax:
            for row in 0..<rows {
                let zRow = z + row * units
                let aRow = a + row * units
                var largest = -Float.infinity
                for u in 0..<units { largest = max(largest, zRow[u]) }
                var sum: Float = 0
                for u in 0..<units {
                    let e = exp(zRow[u] - largest)
                    aRow[u] = e
                    sum += e
                }
                for u in 0..<units { aRow[u] /= sum }
            }
        case .elu:
            for i in 0..<count { a[i] = z[i] < 0 ? exp(z[i]) - 1 : z[i] }
        case .selu:
            for i in 0..<count { a[i] = z[i] < 0 ? Self.seluScaleAlpha * (exp(z[i]) - 1) : Self.seluScale * z[i] }
        case .softplus:
            for i in 0..<count { a[i] = Self.softplus(z[i]) }
        case .softsign:
            for i in 0..<count { a[i] = z[i] / (1 + abs(z[i])) }
        case .swish:
            for i in 0..<count { a[i] = z[i] / (1 + exp(-z[i])) }
        case .gelu:
            for i in 0..<count { a[i] = 0.5 * z[i] * (1 + erf(z[i] / 1.4142135623730951)) }
        case .geluApproximate:
            for i in 0..<count { a[i] = z[i] * Self.geluGate(z[i]) }
        case .hardSigmoid:
            for i in 0..<count { a[i] = min(max(z[i] * 0.2 + 0.5, 0), 1) }
        case .exponential:
            for i in 0..<count { a[i] = exp(z[i]) }
        case .leakyRelu(let alpha):
            for i in 0..<count { a[i] = z[i] > 0 ? z[i] : z[i] * alpha }
        }
    }

    /// Turns the gradient with respect to the outputs `a` into the gradient with respect to `z`, in place.
    func backward(
        _ gradient: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, a: UnsafePointer<Float>,
        rows: Int, units: Int
    ) {
        let count = rows * units
        switch self {
        case .linear:
            break
        case .relu:
            Kernels.reluBackward(gradient, z: z, count: count)
        case .sigmoid:
            for i in 0..<count { gradient[i] *= a[i] * (1 - a[i]) }
        case .tanh:
            for i in 0..<count { gradient[i] *= 1 - a[i] * a[i] }
        case .softmax:
            for row in 0..<rows {
                let g = gradient + row * units
                let aRow = a + row * units
                var dot: Float = 0
                for u in 0..<units { dot += g[u] * aRow[u] }
                for u in 0..<units { g[u] = aRow[u] * (g[u] - dot) }
            }
        case .elu:
            for i in 0..<count where a[i] < 0 { gradient[i] *= a[i] + 1 }
        case .selu:
            for i in 0..<count { gradient[i] *= a[i] < 0 ? a[i] + Self.seluScaleAlpha : Self.seluScale }
        case .softplus:
            for i in 0..<count { gradient[i] /= 1 + exp(-z[i]) }
        case .softsign:
            for i in 0..<count {
                let d = 1 + abs(z[i])
                gradient[i] /= d * d
            }
        case .swish:
            for i in 0..<count {
                let s = 1 / (1 + exp(-z[i]))
                gradient[i] *= s * (1 + z[i] * (1 - s))
            }
        case .gelu:
            // d/dz [0.5 z (1 + erf(z / sqrt 2))] = 0.5 (1 + erf(z / sqrt 2)) + z exp(-z^2 / 2) / sqrt(2 pi).
            for i in 0..<count {
                let x = z[i]
                gradient[i] *= 0.5 * (1 + erf(x / 1.4142135623730951)) + x * exp(-0.5 * x * x) * 0.3989422804014327
            }
        case .geluApproximate:
            // With s = 0.5 (1 + t): 0.5 (1 - t^2) = 2 s (1 - s), which is 0 where tanh saturates.
            for i in 0..<count {
                let x = z[i]
                let s = Self.geluGate(x)
                gradient[i] *= s + 2 * x * s * (1 - s) * Self.geluScale * (1 + 3 * Self.geluCubic * x * x)
            }
        case .hardSigmoid:
            // clip_by_value passes the gradient where its input is inside [0, 1], bounds included.
            for i in 0..<count {
                let inner = z[i] * 0.2 + 0.5
                gradient[i] *= inner >= 0 && inner <= 1 ? 0.2 : 0
            }
        case .exponential:
            for i in 0..<count { gradient[i] *= a[i] }
        case .leakyRelu(let alpha):
            for i in 0..<count where !(z[i] > 0) { gradient[i] *= alpha }
        }
    }

    /// TensorFlow's softplus: `z` above `-log(ε) - 2`, `exp(z)` below `log(ε) + 2`, `log1p(exp(z))` between
    /// (ε = float32's machine epsilon), which keeps every branch exact to float32.
    static func softplus(_ z: Float) -> Float {
        if z > -softplusThreshold { return z }
        if z < softplusThreshold { return exp(z) }
        return log1p(exp(z))
    }
}

/// C's `tanhf`, by a name the `tanh` case above does not hide.
private func hyperbolicTangent(_ x: Float) -> Float { tanh(x) }
