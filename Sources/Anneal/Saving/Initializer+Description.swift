/// An initializer as a model-file field value, and back: its Keras name, with its arguments in parentheses
/// when it has any (`glorot_uniform`, `normal(0.0,0.05)`, `uniform(-0.05,0.05)`, `constant(0.5)`).
extension Initializer {
    var descriptionValue: String {
        switch self {
        case .normal(let mean, let stddev): return "normal(\(mean),\(stddev))"
        case .uniform(let minimum, let maximum): return "uniform(\(minimum),\(maximum))"
        case .truncatedNormal(let mean, let stddev): return "truncated_normal(\(mean),\(stddev))"
        case .glorotUniform: return "glorot_uniform"
        case .glorotNormal: return "glorot_normal"
        case .heNormal: return "he_normal"
        case .heUniform: return "he_uniform"
        case .lecunNormal: return "lecun_normal"
        case .lecunUniform: return "lecun_uniform"
        case .zeros: return "zeros"
        case .ones: return "ones"
        case .constant(let value): return "constant(\(value))"
        }
    }

    /// The initializer `value` describes, or nil.
    init?(descriptionValue value: String) {
        guard let open = value.firstIndex(of: "("), value.hasSuffix(")") else {
            guard let named = try? Initializer(name: value) else { return nil }
            self = named
            return
        }
        let name = value[..<open]
        let arguments = value[value.index(after: open)..<value.index(before: value.endIndex)]
            .split(separator: ",").compactMap { Double($0) }
        switch (name, arguments.count) {
        case ("normal", 2): self = .normal(mean: arguments[0], stddev: arguments[1])
        case ("uniform", 2): self = .uniform(minimum: arguments[0], maximum: arguments[1])
        case ("truncated_normal", 2): self = .truncatedNormal(mean: arguments[0], stddev: arguments[1])
        case ("constant", 1): self = .constant(arguments[0])
        default: return nil
        }
    }
}
