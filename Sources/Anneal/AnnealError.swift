/// The one error type the core throws.
///
/// `kind` says what went wrong in a way a program can switch on (the C library maps each kind to a pinned
/// status code); `message` says it for a person, naming the argument, value, file, line or column at fault.
public struct AnnealError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// An argument is out of its documented range or of the wrong kind (a negative rate, an unknown name).
        case invalidArgument
        /// Arrays whose shapes do not fit together (feature count, row count, weight shapes).
        case shapeMismatch
        /// A call made in the wrong order (fit before compile, compile with no layers).
        case invalidState
        /// NaN or infinity where a finite number is required.
        case nonFinite
        /// A file could not be read, written or renamed.
        case io
        /// A text file (CSV) is malformed; the message names the file, line and column.
        case parse
        /// A weights file is truncated, corrupted, of another version or of another model.
        case corruptFile
        /// Memory a request needs cannot be had: a size past what an address can count, or an allocation
        /// refused; the message names the request and its size in bytes.
        case outOfMemory
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func invalidArgument(_ message: String) -> AnnealError { AnnealError(.invalidArgument, message) }
    static func shapeMismatch(_ message: String) -> AnnealError { AnnealError(.shapeMismatch, message) }
    static func invalidState(_ message: String) -> AnnealError { AnnealError(.invalidState, message) }
    static func nonFinite(_ message: String) -> AnnealError { AnnealError(.nonFinite, message) }
    static func outOfMemory(_ message: String) -> AnnealError { AnnealError(.outOfMemory, message) }
}
