/// Reads a number from a CSV cell the way Python's `float()` followed by a cast to float32 does (which is what
/// pandas or numpy hand to Keras): the text is rounded once to the nearest `Double`, and that `Double` is rounded
/// to the nearest `Float`.
///
/// Accepted: blanks around, an optional sign, ASCII decimal digits with an optional decimal point and an
/// optional exponent:
///
/// ```
/// number = [+-] (digits ["." [digits]] | "." digits) [("e" | "E") [+-] digits]
/// ```
///
/// `nan`, `inf` and `infinity` (any case, any sign) are recognised so that they can be rejected as non-finite,
/// and so is a decimal whose value is beyond `Float`'s range. Everything else is not a number: hexadecimal
/// floats (`0x1p3`, which `float()` rejects too), digit separators (`1_000`, which pandas reads as text),
/// non-ASCII digits and empty text.
enum CSVNumber: Equatable {
    case value(Float)
    /// `nan`, `inf` or `infinity`.
    case nonFinite
    /// A well-formed decimal whose magnitude rounds to infinity as a `Float`.
    case outOfRange
    case notANumber

    /// Powers of ten that a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Reads `text[from..<to]` (a range of valid indices).
    static func parse(_ text: [UInt8], from: Int, to: Int) -> CSVNumber {
        var start = from
        var end = to
        while start < end, text[start] == ASCII.space || text[start] == ASCII.tab { start += 1 }
        while end > start, text[end - 1] == ASCII.space || text[end - 1] == ASCII.tab { end -= 1 }
        var i = start
        var negative = false
        if i < end, text[i] == ASCII.plus || text[i] == ASCII.minus {
            negative = text[i] == ASCII.minus
            i += 1
        }
        guard i < end else { return .notANumber }
        if text[i] | 0x20 == UInt8(ascii: "i") || text[i] | 0x20 == UInt8(ascii: "n") {
            return isNonFiniteName(text[i..<end]) ? .nonFinite : .notANumber
        }

        // Up to 19 significant digits go into `significand`; the value is significand * 10^exponent,
        // exactly unless digits were dropped.
        var significand: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var exponent = 0
        var sawDigit = false
        var afterPoint = false
        while i < end {
            let byte = text[i]
            if byte == ASCII.dot && !afterPoint {
                afterPoint = true
                i += 1
                continue
            }
            guard byte >= ASCII.zero, byte <= ASCII.nine else { break }
            sawDigit = true
            let digit = byte - ASCII.zero
            if significantDigits == 0 && digit == 0 {
                if afterPoint { exponent -= 1 }  // a leading zero
            } else if significantDigits < 19 {
                significand = significand * 10 + UInt64(digit)
                significantDigits += 1
                if afterPoint { exponent -= 1 }
            } else {
                droppedDigits = true
                if !afterPoint { exponent += 1 }
            }
            i += 1
        }
        guard sawDigit else { return .notANumber }
        if i < end, text[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end, text[i] == ASCII.plus || text[i] == ASCII.minus {
                exponentNegative = text[i] == ASCII.minus
                i += 1
            }
            guard i < end, text[i] >= ASCII.zero, text[i] <= ASCII.nine else { return .notANumber }
            var written = 0
            while i < end, text[i] >= ASCII.zero, text[i] <= ASCII.nine {
                // Saturate: any exponent this large already means 0 or infinity.
                if written < 1_000_000 { written = written * 10 + Int(text[i] - ASCII.zero) }
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard i == end else { return .notANumber }

        let magnitude: Double
        if significand == 0 {
            magnitude = 0
        } else if !droppedDigits, significantDigits <= 15, exponent >= -22, exponent <= 22 {
            // Both operands are exact doubles, so one correctly rounded operation gives the correctly rounded
            // value (Clinger's fast path).
            let scale = exactPowersOfTen[exponent < 0 ? -exponent : exponent]
            magnitude = exponent < 0 ? Double(significand) / scale : Double(significand) * scale
        } else if significantDigits + exponent > 310 {
            return .outOfRange  // at least 10^310, beyond even Double
        } else if significantDigits + exponent < -330 {
            magnitude = 0  // below 10^-330, under half the smallest Double
        } else {
            // The standard library's correctly rounded conversion; the text is a plain decimal by now.
            guard let parsed = Double(String(decoding: text[start..<end], as: UTF8.self)) else { return .notANumber }
            magnitude = parsed.magnitude
        }
        let value = Float(negative ? -magnitude : magnitude)
        return value.isFinite ? .value(value) : .outOfRange
    }

    private static func isNonFiniteName(_ text: ArraySlice<UInt8>) -> Bool {
        let lowered = text.map { $0 | 0x20 }
        return lowered.elementsEqual("nan".utf8) || lowered.elementsEqual("inf".utf8)
            || lowered.elementsEqual("infinity".utf8)
    }
}
