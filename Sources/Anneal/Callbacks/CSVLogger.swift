#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Streams every epoch's logs to a CSV file: Keras's `CSVLogger`.
///
/// The header is `epoch` then the sorted log keys of the first epoch; one row per epoch (0-based epoch),
/// values as Python's `str(float)` writes them, rows ended by `\r\n` (Python's csv "excel" dialect), flushed
/// after each row; a metric of several thresholds is one column holding its values (see `cell`). With
/// `append` an existing file is continued (its header kept). A key missing from a later epoch is written as
/// `NA`.
public final class CSVLogger: Callback {
    public let filename: String
    public let separator: String
    public let append: Bool
    private var keys: [String]?
    private var file: UnsafeMutablePointer<FILE>?
    private var writeHeader = true

    public init(filename: String, separator: String = ",", append: Bool = false) throws {
        guard !filename.isEmpty else {
            throw AnnealError.invalidArgument("CSVLogger needs a filename. Received: filename=\"\"")
        }
        guard separator.count == 1, separator != "\n", separator != "\r", separator != "\"" else {
            throw AnnealError.invalidArgument("CSVLogger's separator must be one character other than a quote or newline. Received: separator=\"\(separator)\"")
        }
        self.filename = filename
        self.separator = separator
        self.append = append
    }

    deinit { if let file { fclose(file) } }

    public func onTrainBegin(model: Sequential) throws {
        if let file { fclose(file) }
        keys = nil
        writeHeader = true
        if append {
            // Appending to a file that already has rows: no second header.
            var status = stat()
            writeHeader = stat(filename, &status) != 0 || status.st_size == 0
        }
        guard let opened = fopen(filename, append ? "a" : "w") else {
            let reason = String(cString: strerror(errno))
            throw AnnealError(.io, "CSVLogger cannot open \(filename) for writing: \(reason)")
        }
        file = opened
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        guard let file else { return }
        let entries = logs.entries
        let keys = self.keys ?? entries.map(\.key).sorted()
        self.keys = keys
        var text = ""
        if writeHeader {
            text += (["epoch"] + keys).map(quoted).joined(separator: separator) + "\r\n"
            writeHeader = false
        }
        let cells = keys.map { key in entries.first(where: { $0.key == key }).map(Self.cell) ?? "NA" }
        text += (["\(epoch)"] + cells).map(quoted).joined(separator: separator) + "\r\n"
        guard fputs(text, file) >= 0, fflush(file) == 0 else {
            throw AnnealError(.io, "CSVLogger cannot write to \(filename): \(String(cString: strerror(errno)))")
        }
    }

    public func onTrainEnd(logs: Logs, model: Sequential) throws {
        if let file { fclose(file) }
        file = nil
    }

    /// An entry's text as Keras's `handle_value` gives it: a number as Python's `str(float)`; a metric of several
    /// thresholds (a float32 array) as `f"\"[{', '.join(map(str, k))}]\""`, each value as numpy's `str` of a
    /// float32 (its shortest digits), which the csv module then quotes again for its quotes and commas.
    static func cell(_ entry: Logs.Entry) -> String {
        guard entry.isVector else { return "\(entry.values[0])" }
        return "\"[" + entry.values.map { "\(Float($0))" }.joined(separator: ", ") + "]\""
    }

    /// Quotes a cell the way Python's csv module does when it holds the separator, a quote or a newline.
    private func quoted(_ cell: String) -> String {
        guard cell.contains(where: { String($0) == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacing("\"", with: "\"\"") + "\""
    }
}
