extension Metric {
    /// Keras's `Precision(thresholds=[...])` or `Recall(thresholds=[...])` as `compile`'s named metrics: one
    /// metric per threshold, `make(threshold)`, named `name[0]`, `name[1]`, ... so that the logs present them
    /// as Keras's one array `name` (see `Logs.entries`; the progress bar prints its mean, CSVLogger writes
    /// `"[a, b]"`). One threshold is one metric named `name`: Keras's result is then a number.
    ///
    /// ```
    /// try model.compile(optimizer: SGD(), loss: .binaryCrossentropy,
    ///                   namedMetrics: Metric.perThreshold("precision", thresholds: [0.3, 0.7]) { .precision(threshold: $0) })
    /// ```
    public static func perThreshold(
        _ name: String, thresholds: [Float], _ make: (Float) -> Metric
    ) -> [(name: String, metric: Metric)] {
        guard thresholds.count > 1 else { return thresholds.map { (name, make($0)) } }
        return thresholds.enumerated().map { (Logs.elementKey(name, $0.offset), make($0.element)) }
    }
}
