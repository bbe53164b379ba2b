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
