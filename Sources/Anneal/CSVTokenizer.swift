/// One cell of a CSV record: where its UTF-8 text lies and the 1-based line it starts on.
///
/// The text of an unquoted cell is trimmed of surrounding blanks (spaces and tabs, unless the tab is the
/// delimiter); the text of a quoted cell is what lies between the quotes, with `""` turned into `"`. The text
/// is `bytes[start..<end]` of the tokenizer, or of its `unescaped` storage when `isUnescaped` (a quoted cell
/// that held `""`). A plain value, so that a cell costs no reference counting.
struct CSVCell {
    var start: Int
    var end: Int
    var line: Int
    var isUnescaped: Bool

    var isEmpty: Bool { start == end }
}

/// Splits UTF-8 bytes into records of cells (RFC 4180 basics), one record at a time.
///
/// Lines end with LF, CRLF or a lone CR; a leading UTF-8 byte order mark is skipped; blank lines (nothing but
/// blanks) are skipped while still counting toward line numbers; a quoted cell may hold delimiters, quotes
/// written `""` and line breaks. NUL bytes and invalid UTF-8 are errors. Indexing is checked by construction:
/// every subscript is preceded by a comparison with `bytes.count`.
struct CSVTokenizer {
    let bytes: [UInt8]
    let source: String
    let delimiter: UInt8
    /// The text of quoted cells that held `""`, with each `""` turned into `"`.
    private(set) var unescaped: [UInt8] = []
    /// The offset of the next unread byte.
    private(set) var position: Int
    /// The 1-based line of the next unread byte.
    private(set) var line = 1

    init(bytes: [UInt8], source: String, delimiter: UInt8) {
        self.bytes = bytes
        self.source = source
        self.delimiter = delimiter
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The text of a cell read by this tokenizer.
    func text(_ cell: CSVCell) -> ArraySlice<UInt8> {
        cell.isUnescaped ? unescaped[cell.start..<cell.end] : bytes[cell.start..<cell.end]
    }

    /// The cell read as a number (see `CSVNumber`).
    func number(_ cell: CSVCell) -> CSVNumber {
        cell.isUnescaped
            ? CSVNumber.parse(unescaped, from: cell.start, to: cell.end)
            : CSVNumber.parse(bytes, from: cell.start, to: cell.end)
    }

    /// Reads the next record that is not blank into `cells` (emptied first).
    ///
    /// - Returns: the 1-based line the record starts on, or `nil` at the end of the input.
    mutating func nextRecord(into cells: inout [CSVCell]) throws -> Int? {
        cells.removeAll(keepingCapacity: true)
        while true {
            var p = position
            while p < bytes.count, isBlank(bytes[p]) { p += 1 }
            position = p
            guard p < bytes.count else { return nil }
            guard bytes[p] == ASCII.cr || bytes[p] == ASCII.lf else { break }
            consumeLineEnd()
        }
        let recordLine = line
        while true {
            cells.append(try nextCell(column: cells.count + 1))
            // A cell ends at a delimiter, a line end or the end of the input.
            guard position < bytes.count else { return recordLine }
            if bytes[position] == delimiter {
                position += 1
            } else {
                consumeLineEnd()
                return recordLine
            }
        }
    }

    /// Steps over the CR, LF or CRLF at `position` (which must be one).
    private mutating func consumeLineEnd() {
        if bytes[position] == ASCII.cr, position + 1 < bytes.count, bytes[position + 1] == ASCII.lf {
            position += 2
        } else {
            position += 1
        }
        line += 1
    }

    private func isBlank(_ byte: UInt8) -> Bool {
        (byte == ASCII.space || byte == ASCII.tab) && byte != delimiter
    }

    private mutating func nextCell(column: Int) throws -> CSVCell {
        let cellLine = line
        var p = position
        while p < bytes.count, isBlank(bytes[p]) { p += 1 }
        if p < bytes.count, bytes[p] == ASCII.quote {
            return try quotedCell(openingQuote: p, column: column)
        }
        let start = p
        var end = p
        while p < bytes.count {
            let byte = bytes[p]
            if byte == delimiter || byte == ASCII.cr || byte == ASCII.lf { break }
            p += byte >= ASCII.space && byte < 0x80 ? 1 : try checkedCharacterLength(at: p, column: column)
            if !isBlank(byte) { end = p }
        }
        position = p
        return CSVCell(start: start, end: end, line: cellLine, isUnescaped: false)
    }

    private mutating func quotedCell(openingQuote: Int, column: Int) throws -> CSVCell {
        let cellLine = line
        let contentStart = openingQuote + 1
        var p = contentStart
        var segmentStart = contentStart
        var unescapedStart: Int? = nil
        while true {
            guard p < bytes.count else {
                throw AnnealError.csv(.parse, source, line: cellLine, column: column, "a quoted cell is never closed")
            }
            let byte = bytes[p]
            if byte == ASCII.quote {
                if p + 1 < bytes.count, bytes[p + 1] == ASCII.quote {
                    // `""` stands for one quote: keep the text so far and the first quote.
                    if unescapedStart == nil { unescapedStart = unescaped.count }
                    unescaped.append(contentsOf: bytes[segmentStart...p])
                    p += 2
                    segmentStart = p
                    continue
                }
                break
            }
            if byte == ASCII.cr || byte == ASCII.lf {
                p += (byte == ASCII.cr && p + 1 < bytes.count && bytes[p + 1] == ASCII.lf) ? 2 : 1
                line += 1
                continue
            }
            p += byte >= ASCII.space && byte < 0x80 ? 1 : try checkedCharacterLength(at: p, column: column)
        }
        let cell: CSVCell
        if let unescapedStart {
            unescaped.append(contentsOf: bytes[segmentStart..<p])
            cell = CSVCell(start: unescapedStart, end: unescaped.count, line: cellLine, isUnescaped: true)
        } else {
            cell = CSVCell(start: contentStart, end: p, line: cellLine, isUnescaped: false)
        }
        p += 1  // the closing quote
        while p < bytes.count, isBlank(bytes[p]) { p += 1 }
        if p < bytes.count, bytes[p] != delimiter, bytes[p] != ASCII.cr, bytes[p] != ASCII.lf {
            throw AnnealError.csv(.parse, source, line: line, column: column, "unexpected text after the closing quote of a cell")
        }
        position = p
        return cell
    }

    /// The length of the UTF-8 character at `p` (which must be in range), or an error for a NUL byte or a byte
    /// that does not start a valid UTF-8 sequence (overlong forms, surrogates and values above U+10FFFF included).
    @inline(never)
    private func checkedCharacterLength(at p: Int, column: Int) throws -> Int {
        let lead = bytes[p]
        if lead != 0 && lead < 0x80 { return 1 }
        if lead == 0 {
            throw AnnealError.csv(.parse, source, line: line, column: column, "found a NUL byte (is this a binary file?)")
        }
        func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            p + offset < bytes.count && bytes[p + offset] >= low && bytes[p + offset] <= high
        }
        let length: Int?
        switch lead {
        case 0xC2...0xDF: length = continuation(1) ? 2 : nil
        case 0xE0: length = continuation(1, 0xA0) && continuation(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: length = continuation(1) && continuation(2) ? 3 : nil
        case 0xED: length = continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : nil
        case 0xF0: length = continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF1...0xF3: length = continuation(1) && continuation(2) && continuation(3) ? 4 : nil
        case 0xF4: length = continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : nil
        default: length = nil
        }
        guard let length else {
            let hex = String(lead, radix: 16, uppercase: true)
            throw AnnealError.csv(
                .parse, source, line: line, column: column,
                "found invalid UTF-8 (byte 0x\(hex.count < 2 ? "0" + hex : hex)); is this a binary file?")
        }
        return length
    }
}

/// The ASCII bytes the CSV code looks for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
}

extension AnnealError {
    /// An error about a place in a CSV file, worded `source:line:column: message`.
    static func csv(_ kind: Kind, _ source: String, line: Int, column: Int, _ message: String) -> AnnealError {
        AnnealError(kind, "\(source):\(line):\(column): \(message)")
    }
}
