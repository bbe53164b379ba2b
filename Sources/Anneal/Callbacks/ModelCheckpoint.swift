/// Saves the model's weights during training: Keras's `ModelCheckpoint` (weights only; Anneal has one
/// file format, the weights file of `Sequential.saveWeights`).
///
/// `filepath` is formatted like a Python format string with `epoch` (1-based) and every logs key:
/// `"weights.{epoch:02d}-{val_loss:.2f}.bin"`. With `saveBestOnly` a file is written only when the monitored
/// value improves (`mode: .auto`: max when the name contains "acc", else min). Files are written atomically.
public final class ModelCheckpoint: Callback {
    public let filepath: String
    public let monitor: String
    public let verbose: Int
    public let saveBestOnly: Bool
    /// Whether higher is better for the monitored value (`mode`, with `.auto` decided from its name).
    public let maximize: Bool
    public private(set) var best: Double
    /// Paths written so far, in order.
    public private(set) var savedPaths: [String] = []

    public init(
        filepath: String, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
        mode: MonitorMode = .auto, initialValueThreshold: Double? = nil
    ) throws {
        guard !filepath.isEmpty else {
            throw AnnealError.invalidArgument("ModelCheckpoint needs a filepath. Received: filepath=\"\"")
        }
        _ = try PythonFormat.format(filepath, epoch: 1, logs: Logs(), lenient: true)
        self.filepath = filepath
        self.monitor = monitor
        self.verbose = verbose
        self.saveBestOnly = saveBestOnly
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto: maximize = monitor.contains("acc") || monitor.hasPrefix("fmeasure")
        }
        best = initialValueThreshold ?? (maximize ? -.infinity : .infinity)
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        let path = try PythonFormat.format(filepath, epoch: epoch + 1, logs: logs, lenient: false)
        if saveBestOnly {
            guard let current = try logs.monitored(monitor, by: "ModelCheckpoint") else { return }
            let improved = maximize ? current > best : current < best
            if improved {
                if verbose > 0 {
                    model.output("\nEpoch \(epoch + 1): \(monitor) improved from "
                                 + cFormat("%.5f to %.5f", best, current) + ", saving model to \(path)\n")
                }
                best = current
                try save(model, to: path)
            } else if verbose > 0 {
                model.output("\nEpoch \(epoch + 1): \(monitor) did not improve from " + cFormat("%.5f", best) + "\n")
            }
        } else {
            if verbose > 0 { model.output("\nEpoch \(epoch + 1): saving model to \(path)\n") }
            try save(model, to: path)
        }
    }

    private func save(_ model: Sequential, to path: String) throws {
        try model.saveWeights(to: path)
        savedPaths.append(path)
    }
}

/// The part of Python's `str.format` that checkpoint paths use: `{name}` and `{name:[0][width][.precision]type}`
/// with `type` one of `d f e E g G %`, plus `{{` and `}}`.
enum PythonFormat {
    static func format(_ template: String, epoch: Int, logs: Logs, lenient: Bool) throws -> String {
        var result = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "{" {
                let next = template.index(after: index)
                if next < template.endIndex, template[next] == "{" {
                    result.append("{")
                    index = template.index(after: next)
                    continue
                }
                guard let close = template[next...].firstIndex(of: "}") else {
                    throw AnnealError.invalidArgument("filepath \"\(template)\" has a '{' without a closing '}'")
                }
                let field = template[next..<close]
                let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(parts[0])
                let spec = parts.count > 1 ? String(parts[1]) : ""
                let value: Double? = name == "epoch" ? Double(epoch) : logs[name]
                if let value {
                    result += try render(value, spec: spec, isInteger: name == "epoch", template: template)
                } else if !lenient, logs.entries.contains(where: { $0.key == name && $0.isVector }) {
                    // Keras formats the float32 array itself (numpy's text, or a TypeError with a format spec).
                    throw AnnealError.invalidArgument(
                        "filepath \"\(template)\" names {\(name)}, a metric of several thresholds; Anneal formats only "
                            + "numbers into a checkpoint's path. Name one of its values, {\(Logs.elementKey(name, 0))} ...")
                } else if !lenient {
                    throw AnnealError.invalidArgument(
                        "filepath \"\(template)\" names {\(name)}, which is not in the logs (\(["epoch"] + logs.keys))")
                }
                index = template.index(after: close)
            } else if character == "}" {
                let next = template.index(after: index)
                guard next < template.endIndex, template[next] == "}" else {
                    throw AnnealError.invalidArgument("filepath \"\(template)\" has a single '}'")
                }
                result.append("}")
                index = template.index(after: next)
            } else {
                result.append(character)
                index = template.index(after: index)
            }
        }
        return result
    }

    private static func render(_ value: Double, spec: String, isInteger: Bool, template: String) throws -> String {
        if spec.isEmpty { return isInteger ? String(Int(value)) : "\(value)" }
        guard let type = spec.last, "dfeEgG%".contains(type),
              spec.dropLast().allSatisfy({ $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" || $0 == " " })
        else {
            throw AnnealError.invalidArgument("filepath \"\(template)\" uses the format spec '\(spec)', which is not supported")
        }
        let flags = String(spec.dropLast())
        switch type {
        case "d":
            guard isInteger || value == value.rounded() else {
                throw AnnealError.invalidArgument("filepath \"\(template)\": format 'd' needs an integer, received \(value)")
            }
            return cFormat("%\(flags)lld", Int64(value))
        case "%":
            return cFormat("%\(flags.isEmpty ? ".6" : flags)f%%", value * 100)
        default:
            return cFormat("%\(flags.isEmpty && type != "g" && type != "G" ? "" : flags)\(type)", value)
        }
    }
}
