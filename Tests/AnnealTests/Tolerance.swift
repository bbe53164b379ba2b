/// The one place the tests' numeric tolerances live.
///
/// Add a named tolerance here, with a line saying what it covers, rather than writing a number in a test.
enum Tolerance {
    /// A closed-form schedule computed in `Double` against the same formula evaluated by Python in `Double`:
    /// only the order of rounding may differ.
    static let schedule = 1e-12
    /// A value computed in float32 against a reference computed another way in float32 or `Double`.
    static let float32 = 1e-6
    /// An epoch's loss, accuracy, val_loss, val_accuracy or rate against a recorded real-Keras run.
    static let goldenEpochValue = 1e-5
    /// A final weight against a recorded real-Keras run, after 50 epochs of float32 training.
    static let goldenFinalWeight = 1e-4
    /// The step h of the finite differences in GradientTests (central differences at h and 2h, extrapolated).
    /// The model's loss is float32: its rounding (a few 1e-7 on losses of order 1) divided by the step must
    /// stay well below `gradientAbsolute`; the extrapolation leaves a truncation error of order h^4.
    /// Measured: at h = 1e-2 the worst disagreement over every case is 3e-5.
    static let finiteDifferenceStep = 1e-2
    /// Back-propagated gradient against the finite difference: `|backprop - fd| <= absolute + relative * |fd|`.
    static let gradientAbsolute = 1e-4
    static let gradientRelative = 1e-4
    /// The gradient tolerances' factor for a loss in percent (mape): its float32 value is 100 times a mean of
    /// ratios, so its rounding divided by the finite-difference step is up to that much larger. Measured: the
    /// worst disagreement is 2e-3 (labels in [1, 3], one hidden layer).
    static let percentageLossScale = 30.0
}

/// Whether `actual` and `expected` agree within `tolerance`, relatively or absolutely, whichever is looser:
///
/// ```
/// |actual - expected| <= tolerance * max(|actual|, |expected|)   or   |actual - expected| <= tolerance
/// ```
///
/// so large values are compared relatively and values near zero absolutely. Equal values (infinities
/// included) are close; otherwise an infinity or a NaN is close to nothing.
func isClose(_ actual: Double, _ expected: Double, tolerance: Double) -> Bool {
    if actual == expected { return true }
    guard actual.isFinite, expected.isFinite else { return false }
    let difference = abs(actual - expected)
    return difference <= tolerance * max(abs(actual), abs(expected)) || difference <= tolerance
}
