#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The seeded generator behind every random choice Anneal makes (initial weights, shuffling).
///
/// xoshiro256** seeded through SplitMix64: fast, 256 bits of state, and the same stream on every platform,
/// so the same seed gives bit-identical training runs.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The generator at a state read from `words` (a whole-model save stores it, so that a loaded model
    /// shuffles as the saved one would have). Nil unless there are four words, not all zero (xoshiro's one
    /// state it never leaves).
    public init?(words: [UInt64]) {
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        state = (words[0], words[1], words[2], words[3])
    }

    /// The 256-bit state, as `init(words:)` takes it.
    public var words: [UInt64] { [state.0, state.1, state.2, state.3] }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box-Muller; one value per call so the stream stays simple to reason about).
    public mutating func nextNormal() -> Double {
        var u1 = nextUnit()
        while u1 <= 0 { u1 = nextUnit() }
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A seed for an independent stream (used to give each fit its own shuffling stream).
    public mutating func nextSeed() -> UInt64 { next() }
}
