/// The argument checks shared by the schedules' initializers.
///
/// Each check throws `AnnealError.invalidArgument` with a Keras-style message naming the argument in
/// snake_case, as Keras, PyTorch and the C library (`anneal.h`) name it, and the value received, e.g.
/// `"decay_steps must be positive. Received: decay_steps=0"`: the words a C or Python caller passed, and
/// plain enough for a Swift caller (`decaySteps:`).
enum ScheduleArgumentCheck {
    /// A learning rate: finite and not negative.
    static func rate(_ value: Double, _ name: String) throws {
        guard value.isFinite, value >= 0 else {
            throw AnnealError.invalidArgument(
                "\(name) must be a finite, non-negative learning rate. Received: \(name)=\(value)")
        }
    }

    /// A multiplicative factor or exponent: finite and not negative.
    static func nonNegative(_ value: Double, _ name: String) throws {
        guard value.isFinite, value >= 0 else {
            throw AnnealError.invalidArgument(
                "\(name) must be a finite, non-negative number. Received: \(name)=\(value)")
        }
    }

    /// A finite number strictly greater than zero.
    static func positive(_ value: Double, _ name: String) throws {
        guard value.isFinite, value > 0 else {
            throw AnnealError.invalidArgument("\(name) must be positive. Received: \(name)=\(value)")
        }
    }

    /// A count of steps strictly greater than zero.
    static func positive(_ value: Int, _ name: String) throws {
        guard value > 0 else {
            throw AnnealError.invalidArgument("\(name) must be positive. Received: \(name)=\(value)")
        }
    }

    /// A count of steps that may be zero.
    static func nonNegative(_ value: Int, _ name: String) throws {
        guard value >= 0 else {
            throw AnnealError.invalidArgument("\(name) must be non-negative. Received: \(name)=\(value)")
        }
    }

    /// A fraction in the closed interval [lower, upper] (Keras: `"alpha must be between [0, 1]"`).
    static func between(_ value: Double, _ lower: Double, _ upper: Double, _ name: String) throws {
        guard value >= lower, value <= upper else {
            throw AnnealError.invalidArgument(
                "\(name) must be between [\(format(lower)), \(format(upper))]. Received: \(name)=\(value)")
        }
    }

    /// Step indices that must be strictly increasing and non-negative (boundaries, milestones).
    static func strictlyIncreasing(_ values: [Int], _ name: String) throws {
        if let first = values.first, first < 0 {
            throw AnnealError.invalidArgument(
                "\(name) must be non-negative. Received: \(name)=\(values)")
        }
        for (previous, next) in zip(values, values.dropFirst()) where next <= previous {
            throw AnnealError.invalidArgument(
                "\(name) must be strictly increasing. Received: \(name)=\(values)")
        }
    }

    /// `1.0` prints as `1`, `0.5` as `0.5`: interval ends read like Keras's messages.
    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
