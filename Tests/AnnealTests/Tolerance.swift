/// The one place the tests' numeric tolerances live.
///
/// Add a named tolerance here, with a line saying what it covers, rather than writing a number in a test.
enum Tolerance {
    /// A closed-form schedule computed in `Double` against the same formula evaluated by Python in `Double`:
    /// only the order of rounding may differ.
    static let schedule = 1e-12
    /// A value computed in float32 against a reference computed another way in float32 or `Double`.
    static let float32 = 1e-6
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
