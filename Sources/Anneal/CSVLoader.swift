#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loading a `Dataset` from CSV.
///
/// The file is UTF-8 (a leading byte order mark is skipped) with one example per line: feature cells and one
/// label cell. Lines may end with LF, CRLF or a lone CR, the last line may lack one, blank lines are skipped,
/// blanks around a cell are ignored and a cell may be quoted with double quotes (RFC 4180: `""` inside
/// stands for `"`, and the cell may span lines).
///
/// - Features are read like Python's `float()` followed by a float32 cast (the text is rounded to the nearest
///   `Double`, then to the nearest `Float`). Only plain decimals are numbers: `1`, `-0.5`, `.5`, `1.`, `2e-3`.
///   `nan`, `inf` and decimals beyond `Float`'s range are non-finite and rejected; hexadecimal floats
///   (`0x1p3`) and digit separators (`1_000`) are not numbers.
/// - Labels are numbers when every label is a finite number (the dataset then has `classNames == nil`).
///   Otherwise every label is a class name, and the labels are encoded like scikit-learn's `LabelEncoder`: the
///   distinct names sorted by Unicode code point (byte order of their UTF-8), label = index in that list. When
///   every label is a number but some are `nan`, `inf` or out of range, the file is rejected as non-finite.
/// - The header row, when there is one, gives `featureNames` (the label column's name is dropped). With
///   `.auto`, the first non-blank row is the header when none of its feature cells is a number and every
///   feature cell of the second row is; it is data when all its feature cells are numbers. A first row that
///   mixes numbers and text in its feature cells is a `.parse` error at its first text cell (a data row with
///   a typo, taken for a header, would silently lose a row): declare `.present` or `.absent` to load such a
///   file. The label cell plays no part in the decision.
///
/// Every error is an `AnnealError` whose message starts with the place at fault,
/// `source:line:column: what is wrong`, where `source` is the path (or the `sourceName` given), `line` the
/// 1-based line of the file (blank lines count) and `column` the 1-based CSV column (cell number in the row,
/// not a character offset):
///
/// ```
/// data.csv:12:5: expected a number, found "abc"                        (.parse)
/// data.csv:3:2: expected a finite number, found "nan"                  (.nonFinite)
/// data.csv:4:1: expected a finite number, found "1e39", which is beyond the float32 range  (.nonFinite)
/// data.csv:7:35: expected 35 columns as on line 1, found 34              (.parse; column = first missing or extra)
/// data.csv:9:35: the label is empty                                     (.parse)
/// data.csv:1:1: no data rows (the file is empty or blank)                (.parse)
/// data.csv:6:2: found a NUL byte (is this a binary file?)               (.parse)
/// data.csv:6:2: found invalid UTF-8 (byte 0xFF); is this a binary file? (.parse)
/// data.csv:2:3: a quoted cell is never closed                           (.parse; place of the opening quote)
/// data.csv: cannot open the file: No such file or directory            (.io)
/// data.csv: label_column must be in -35..<35 for 35 columns. Received: label_column=40  (.invalidArgument)
/// ```
extension Dataset {
    /// Loads a CSV file.
    ///
    /// - Parameters:
    ///   - path: the file to read.
    ///   - labelColumn: the 0-based column holding the labels; negative counts from the end (`-1`, the default,
    ///     is the last column).
    ///   - header: whether the first non-blank row holds column names (`.auto` detects it).
    ///   - delimiter: the cell separator, one ASCII character other than `"`, CR and LF.
    /// - Throws: `AnnealError` of kind `.io` when the file cannot be read, `.parse` when it is malformed,
    ///   `.nonFinite` for NaN or infinity, `.invalidArgument` for a bad `labelColumn` or `delimiter`.
    public init(csvFile path: String, labelColumn: Int = -1, header: Header = .auto, delimiter: Character = ",") throws {
        let bytes = try CSVLoader.readFile(path)
        try self.init(csvBytes: bytes, sourceName: path, labelColumn: labelColumn, header: header, delimiter: delimiter)
    }

    /// Reads CSV text; `sourceName` stands for the file in messages. See `init(csvFile:labelColumn:header:delimiter:)`.
    public init(
        csvText text: String, sourceName: String = "<text>",
        labelColumn: Int = -1, header: Header = .auto, delimiter: Character = ","
    ) throws {
        try self.init(
            csvBytes: Array(text.utf8), sourceName: sourceName,
            labelColumn: labelColumn, header: header, delimiter: delimiter)
    }

    /// Reads CSV bytes (UTF-8 expected, checked); `sourceName` stands for the file in messages.
    /// See `init(csvFile:labelColumn:header:delimiter:)`.
    public init(
        csvBytes bytes: [UInt8], sourceName: String = "<bytes>",
        labelColumn: Int = -1, header: Header = .auto, delimiter: Character = ","
    ) throws {
        self = try CSVLoader.load(
            bytes: bytes, source: sourceName, labelColumn: labelColumn, header: header, delimiter: delimiter)
    }
}

enum CSVLoader {
    static func load(
        bytes: [UInt8], source: String, labelColumn: Int, header: Dataset.Header, delimiter: Character
    ) throws -> Dataset {
        guard delimiter.utf8.count == 1, let separator = delimiter.asciiValue,
              separator != ASCII.quote, separator != ASCII.cr, separator != ASCII.lf, separator != 0 else {
            throw AnnealError.invalidArgument(
                "delimiter must be one ASCII character other than a double quote, CR, LF or NUL. Received: delimiter=\(String(delimiter).debugDescription)")
        }
        var tokenizer = CSVTokenizer(bytes: bytes, source: source, delimiter: separator)

        var first: [CSVCell] = []
        guard let firstLine = try tokenizer.nextRecord(into: &first) else {
            throw AnnealError.csv(.parse, source, line: tokenizer.line, column: 1, "no data rows (the file is empty or blank)")
        }
        let columnCount = first.count
        guard columnCount >= 2 else {
            throw AnnealError.csv(
                .parse, source, line: firstLine, column: 1,
                "expected at least 2 columns (features and a label), found 1")
        }
        let labelIndex = labelColumn < 0 ? columnCount + labelColumn : labelColumn
        guard labelIndex >= 0, labelIndex < columnCount else {
            throw AnnealError.invalidArgument(
                "\(source): label_column must be in -\(columnCount)..<\(columnCount) for \(columnCount) columns. Received: label_column=\(labelColumn)")
        }
        var second: [CSVCell] = []
        let secondLine = try tokenizer.nextRecord(into: &second)

        let firstIsHeader: Bool
        switch header {
        case .present: firstIsHeader = true
        case .absent: firstIsHeader = false
        case .auto:
            // A header names every feature column; a data row holds a number in every one. A first row with
            // both is neither for sure: most often a data row with a typo ("2.O"), which taken for a header
            // would silently lose a row. It is refused, naming its first text cell, rather than guessed.
            let featureCells = first.indices.filter { $0 != labelIndex }
            let text = featureCells.filter { tokenizer.number(first[$0]) == .notANumber }
            if let cell = text.first, text.count < featureCells.count {
                let numbers = featureCells.count - text.count
                throw AnnealError.csv(
                    .parse, source, line: firstLine, column: cell + 1,
                    "expected a number, found \(quoted(tokenizer.text(first[cell]))) (the first row mixes \(numbers) "
                        + "number\(numbers == 1 ? "" : "s") with text, so it is not taken for a header; if it is "
                        + "one, say that the file has a header)")
            }
            let secondIsData = second.indices.allSatisfy { $0 == labelIndex || tokenizer.number(second[$0]) != .notANumber }
            firstIsHeader = secondLine != nil && !text.isEmpty && secondIsData
        }

        var features: [Float] = []
        let estimate = estimatedFeatureCount(bytes, featureCount: columnCount - 1)
        try ByteCount.probe(try ByteCount.of(estimate, MemoryLayout<Float>.stride, "the features of \(source)"),
                            "the features of \(source)")
        features.reserveCapacity(estimate)
        var labelCells: [CSVCell] = []

        func addRow(_ cells: [CSVCell], line: Int) throws {
            guard cells.count == columnCount else {
                throw AnnealError.csv(
                    .parse, source, line: line, column: min(cells.count, columnCount) + 1,
                    "expected \(columnCount) columns as on line \(firstLine), found \(cells.count)")
            }
            for (index, cell) in cells.enumerated() {
                if index == labelIndex {
                    guard !cell.isEmpty else {
                        throw AnnealError.csv(.parse, source, line: cell.line, column: index + 1, "the label is empty")
                    }
                    labelCells.append(cell)
                    continue
                }
                switch tokenizer.number(cell) {
                case .value(let value):
                    features.append(value)
                case let failure:
                    throw numberError(failure, text: tokenizer.text(cell), line: cell.line, column: index + 1, source: source)
                }
            }
        }

        if !firstIsHeader { try addRow(first, line: firstLine) }
        if let secondLine { try addRow(second, line: secondLine) }
        var cells = second
        while let line = try tokenizer.nextRecord(into: &cells) {
            try addRow(cells, line: line)
        }
        guard !labelCells.isEmpty else {
            throw AnnealError.csv(.parse, source, line: tokenizer.line, column: 1, "no data rows after the header")
        }

        let (labels, classNames) = try encodeLabels(labelCells, of: tokenizer, column: labelIndex + 1, source: source)
        var featureNames: [String]? = nil
        if firstIsHeader {
            featureNames = first.indices.filter { $0 != labelIndex }.map { String(decoding: tokenizer.text(first[$0]), as: UTF8.self) }
        }
        return Dataset(
            validFeatures: features, labels: labels, featureCount: columnCount - 1,
            classNames: classNames, featureNames: featureNames, source: source)
    }

    /// Numbers when every label is a finite number, class indices (sorted like `LabelEncoder`) otherwise.
    private static func encodeLabels(
        _ cells: [CSVCell], of tokenizer: CSVTokenizer, column: Int, source: String
    ) throws -> (labels: [Float], classNames: [String]?) {
        var numbers: [Float] = []
        numbers.reserveCapacity(cells.count)
        var firstNonFinite: (cell: CSVCell, result: CSVNumber)? = nil
        var allNumbers = true
        for cell in cells {
            let result = tokenizer.number(cell)
            switch result {
            case .value(let value): numbers.append(value)
            case .nonFinite, .outOfRange: if firstNonFinite == nil { firstNonFinite = (cell, result) }
            case .notANumber: allNumbers = false
            }
            if !allNumbers { break }
        }
        if allNumbers {
            if let (cell, result) = firstNonFinite {
                throw numberError(result, text: tokenizer.text(cell), line: cell.line, column: column, source: source)
            }
            return (numbers, nil)
        }

        var classOfName: [ArraySlice<UInt8>: Int] = [:]
        var names: [ArraySlice<UInt8>] = []
        var firstSeenClass: [Int] = []
        firstSeenClass.reserveCapacity(cells.count)
        for cell in cells {
            let name = tokenizer.text(cell)
            if let known = classOfName[name] {
                firstSeenClass.append(known)
            } else {
                classOfName[name] = names.count
                firstSeenClass.append(names.count)
                names.append(name)
            }
        }
        let sorted = names.indices.sorted { names[$0].lexicographicallyPrecedes(names[$1]) }
        var rank = [Int](repeating: 0, count: names.count)
        for (position, index) in sorted.enumerated() { rank[index] = position }
        let labels = firstSeenClass.map { Float(rank[$0]) }
        return (labels, sorted.map { String(decoding: names[$0], as: UTF8.self) })
    }

    private static func numberError(
        _ result: CSVNumber, text: ArraySlice<UInt8>, line: Int, column: Int, source: String
    ) -> AnnealError {
        let shown = quoted(text)
        switch result {
        case .nonFinite:
            return .csv(.nonFinite, source, line: line, column: column, "expected a finite number, found \(shown)")
        case .outOfRange:
            return .csv(
                .nonFinite, source, line: line, column: column,
                "expected a finite number, found \(shown), which is beyond the float32 range")
        case .value, .notANumber:
            let found = text.isEmpty ? "an empty cell" : shown
            return .csv(.parse, source, line: line, column: column, "expected a number, found \(found)")
        }
    }

    /// The cell's text in quotes for a message, escaped and cut to 40 characters.
    private static func quoted(_ text: ArraySlice<UInt8>) -> String {
        let whole = String(decoding: text, as: UTF8.self)
        return whole.count > 40 ? (String(whole.prefix(40)) + "…").debugDescription : whole.debugDescription
    }

    /// An upper bound on the number of feature values, to size their buffer: rows are at most the line breaks
    /// plus one, and each value takes at least two bytes (a digit and a separator).
    private static func estimatedFeatureCount(_ bytes: [UInt8], featureCount: Int) -> Int {
        var lines = 1
        for byte in bytes where byte == ASCII.lf { lines += 1 }
        let bound = bytes.count / 2 + 1
        let (product, overflow) = featureCount.multipliedReportingOverflow(by: lines)
        return overflow ? bound : min(product, bound)
    }

    /// The whole file, or an `.io` error naming the path and the system's reason.
    static func readFile(_ path: String) throws -> [UInt8] {
        guard !path.utf8.contains(0) else {
            throw AnnealError(.io, "\(path.debugDescription): cannot open the file: the path contains a NUL character")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ioError(path, "cannot open the file", errno) }
        defer { _ = close(descriptor) }
        var bytes: [UInt8] = []
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size > 0 {
            // A file bigger than memory is a status, not Swift's allocation failure.
            try ByteCount.probe(Int(status.st_size), "the contents of \(path)")
            bytes.reserveCapacity(Int(status.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                throw ioError(path, "cannot read the file", errno)
            }
        }
    }

    private static func ioError(_ path: String, _ what: String, _ code: Int32) -> AnnealError {
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return AnnealError(.io, "\(path): \(what): \(reason)")
    }
}
