/// The named numbers a training step or epoch reports (`loss`, `accuracy`, `val_loss`, `lr`...), in the order
/// they were added, which is the order Keras prints them in.
public struct Logs: Equatable, Sendable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [Double] = []

    public init() {}

    public init(_ pairs: KeyValuePairs<String, Double>) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`; setting a new key appends it, setting an existing key replaces its value in place.
    public subscript(key: String) -> Double? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    public func makeIterator() -> Zip2Sequence<[String], [Double]>.Iterator {
        zip(keys, values).makeIterator()
    }

    /// Overwrites the value at a known position: the allocation-free update the training loop uses for
    /// its per-batch logs.
    mutating func setValue(at index: Int, _ value: Double) { values[index] = value }
}

/// A metric of several thresholds (Keras's `Precision(thresholds=[0.3, 0.7])`, `Recall(...)`) is compiled as
/// one metric per threshold, logged as one number each under `name[0]`, `name[1]`, ... (`val_name[0]`, ...
/// for validation): every log, History, runEpochs row and C key stays a plain number. Keras's logs hold the
/// whole vector under `name`; `entries` is that view, which the progress bar, the CSV logger, the monitoring
/// callbacks and the Python package present.
extension Logs {
    /// One entry of Keras's logs: a key with one value, or a metric of several thresholds with its values.
    public struct Entry: Equatable, Sendable {
        public let key: String
        public let values: [Double]
        /// Whether Keras holds the entry as an array (two or more values).
        public var isVector: Bool { values.count > 1 }
    }

    /// The key of value `index` of the metric `name` of several thresholds: `name[index]`.
    public static func elementKey(_ name: String, _ index: Int) -> String { "\(name)[\(index)]" }

    /// The logs as Keras's: a run of two or more consecutive keys `name[0]`, `name[1]`, ..., `name[n-1]` is
    /// one entry `name` holding their values in order; every other key is an entry of its own.
    public var entries: [Entry] {
        var found: [Entry] = []
        var index = 0
        while index < keys.count {
            var run = 0
            if let name = Self.elementName(keys[index], 0) {
                while index + run < keys.count, Self.elementName(keys[index + run], run) == name { run += 1 }
                if run > 1 {
                    found.append(Entry(key: name, values: Array(values[index..<(index + run)])))
                    index += run
                    continue
                }
            }
            found.append(Entry(key: keys[index], values: [values[index]]))
            index += 1
        }
        return found
    }

    /// The value `monitor` names for `callback` (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint), nil when
    /// the logs lack it.
    ///
    /// - Throws: `.invalidArgument` when `monitor` is a metric of several thresholds: Keras compares the array
    ///   with its best value in an `if`, which raises numpy's "truth value of an array with more than one
    ///   element is ambiguous"; here the error says which key and what to monitor instead.
    public func monitored(_ monitor: String, by callback: String) throws -> Double? {
        if let value = self[monitor] { return value }
        guard let entry = entries.first(where: { $0.key == monitor }), entry.isVector else { return nil }
        throw AnnealError.invalidArgument(
            "\(callback) cannot monitor '\(monitor)': it holds one value per threshold (\(entry.values.count) values), "
                + "and comparing an array with the best value so far is ambiguous (Keras raises ValueError: The "
                + "truth value of an array with more than one element is ambiguous). Monitor a metric of one "
                + "threshold, compiled under a name of its own.")
    }

    /// `name` when `key` is `name[index]`.
    private static func elementName(_ key: String, _ index: Int) -> String? {
        let suffix = "[\(index)]"
        guard key.count > suffix.count, key.hasSuffix(suffix) else { return nil }
        return String(key.dropLast(suffix.count))
    }
}
