#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The activation a `Dense` layer applies to its pre-activation `z = x · kernel + bias`.
public enum Activation: String, Sendable, CaseIterable {
    case linear
    case relu
    case sigmoid
    case tanh
    case softmax

    /// Looks an activation up by its Keras name (`"relu"`, `"sigmoid"`, `"linear"` or `nil`/`"None"`, ...).
    public init(name: String?) throws {
        guard let name, !name.isEmpty, name != "None" else {
            self = .linear
            return
        }
        guard let activation = Activation(rawValue: name.lowercased()) else {
            throw AnnealError.invalidArgument(
                "Unknown activation function: '\(name)'. Expected one of: "
                    + Activation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = activation
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
        }
    }
}

/// C's `tanhf`, by a name the `tanh` case above does not hide.
private func hyperbolicTangent(_ x: Float) -> Float { tanh(x) }
