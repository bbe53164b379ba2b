/// Keras's `PiecewiseConstantDecay`: a constant rate on each interval between step boundaries.
///
/// ```
/// learningRate(step) = values[0]   if step <= boundaries[0]
///                      values[i]   if boundaries[i - 1] < step <= boundaries[i]
///                      values[n]   if step > boundaries[n - 1]          (n = boundaries.count)
/// ```
///
/// A boundary belongs to the interval that ends there: with `boundaries: [100, 110]`, `values: [1, 0.5, 0.1]`
/// the rate is 1 for steps 0…100, 0.5 for 101…110 and 0.1 from 111 on.
///
/// Evaluated per update (`unit` is `.update` unless overridden).
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public let boundaries: [Int]
    public let values: [Double]
    public let unit: ScheduleUnit

    /// - Parameters:
    ///   - boundaries: Strictly increasing, non-negative steps.
    ///   - values: The rates, one more than `boundaries`.
    ///   - unit: What `step` counts.
    /// - Throws: `AnnealError.invalidArgument` when the lengths do not fit, the boundaries are not strictly
    ///   increasing, or a value is negative or non-finite.
    public init(boundaries: [Int], values: [Double], unit: ScheduleUnit = .update) throws {
        guard boundaries.count == values.count - 1 else {
            throw AnnealError.invalidArgument(
                "The length of boundaries should be 1 less than the length of values. Received: "
                    + "boundaries=\(boundaries) of length \(boundaries.count), and values=\(values) "
                    + "of length \(values.count).")
        }
        try ScheduleArgumentCheck.strictlyIncreasing(boundaries, "boundaries")
        for value in values {
            guard value.isFinite, value >= 0 else {
                throw AnnealError.invalidArgument(
                    "values must be finite, non-negative learning rates. Received: values=\(values)")
            }
        }
        self.boundaries = boundaries
        self.values = values
        self.unit = unit
    }

    public func learningRate(at step: Int) -> Double {
        // The first boundary at or above `step` closes its interval; none means past the last boundary.
        let index = boundaries.firstIndex { step <= $0 } ?? boundaries.count
        return values[index]
    }
}
