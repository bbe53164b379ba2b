import Anneal
import Foundation
import Testing

/// The shipped data set, found from this file: Tests/AnnealTests/CSVTests.swift -> package root.
private let ionospherePath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("examples/data/ionosphere.csv").path

/// Parses `text` and returns the error it must throw.
private func csvError(
    _ text: String, labelColumn: Int = -1, header: Dataset.Header = .auto, delimiter: Character = ","
) -> AnnealError? {
    csvError(bytes: Array(text.utf8), labelColumn: labelColumn, header: header, delimiter: delimiter)
}

private func csvError(
    bytes: [UInt8], labelColumn: Int = -1, header: Dataset.Header = .auto, delimiter: Character = ","
) -> AnnealError? {
    do {
        _ = try Dataset(
            csvBytes: bytes, sourceName: "bad.csv", labelColumn: labelColumn, header: header, delimiter: delimiter)
        return nil
    } catch let error as AnnealError {
        return error
    } catch {
        return nil
    }
}

/// A fresh directory for one test's files, removed afterwards.
private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("anneal-csv-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}

@Suite("CSV loader")
struct CSVTests {
    // MARK: The shipped data set

    @Test func ionosphereLoads() throws {
        let data = try Dataset(csvFile: ionospherePath)
        #expect(data.rowCount == 351)
        #expect(data.featureCount == 34)
        #expect(data.features.count == 351 * 34)
        #expect(data.labels.count == 351)
        #expect(data.classNames == ["b", "g"])
        #expect(data.featureNames == nil)
        #expect(data.source == ionospherePath)
        // First row: 1,0,0.99539,-0.05889,0.85243,...,-0.45300,g
        #expect(Array(data.features[0..<5]) == [1, 0, Float(0.99539 as Double), Float(-0.05889 as Double), 0.85243])
        #expect(data.features[33] == Float(-0.45300 as Double))
        #expect(data.labels[0] == 1)
        // Last row: 1,0,0.84710,...,-0.06151,g
        let last = 350 * 34
        #expect(Array(data.features[last..<last + 3]) == [1, 0, 0.84710])
        #expect(data.features[last + 33] == -0.06151)
        #expect(data.labels.filter { $0 == 1 }.count == 225)
        #expect(data.labels.filter { $0 == 0 }.count == 126)
        // Every value bit for bit as numpy reads it (float(cell) cast to float32): the sum of the bit patterns.
        let bitSum = data.features.reduce(UInt64(0)) { $0 + UInt64($1.bitPattern) }
        #expect(bitSum == 18_281_181_990_070)
    }

    @Test func ionosphereLabelColumnConfigurable() throws {
        // Column 0 holds 0 and 1 only: numeric labels; the g/b column becomes a feature and cannot parse.
        let error = #expect(throws: AnnealError.self) { try Dataset(csvFile: ionospherePath, labelColumn: 0) }
        #expect(error?.kind == .parse)
        #expect(error?.message == "\(ionospherePath):1:35: expected a number, found \"g\" (the first row mixes 33 numbers with text, so it is not taken for a header; if it is one, say that the file has a header)")
    }

    // MARK: Labels

    @Test func labelColumnByIndexAndFromTheEnd() throws {
        let text = "x,1.5,2\ny,2.5,3\nx,3.5,4\n"
        let first = try Dataset(csvText: text, labelColumn: 0)
        #expect(first.classNames == ["x", "y"])
        #expect(first.labels == [0, 1, 0])
        #expect(first.features == [1.5, 2, 2.5, 3, 3.5, 4])
        let middle = try Dataset(csvText: text.replacingOccurrences(of: "x", with: "7").replacingOccurrences(of: "y", with: "8"), labelColumn: -2)
        #expect(middle.classNames == nil)
        #expect(middle.labels == [1.5, 2.5, 3.5])
        #expect(middle.features == [7, 2, 8, 3, 7, 4])
        #expect(try Dataset(csvText: text, labelColumn: -3) == first)
    }

    @Test func labelColumnOutOfRange() {
        for column in [3, 40, -4] {
            let error = csvError("1,2,a\n", labelColumn: column)
            #expect(error?.kind == .invalidArgument)
            #expect(error?.message == "bad.csv: label_column must be in -3..<3 for 3 columns. Received: label_column=\(column)")
        }
    }

    @Test func numericLabelsKept() throws {
        let data = try Dataset(csvText: "1,0.5\n2,-3\n3,1e2\n")
        #expect(data.classNames == nil)
        #expect(data.labels == [0.5, -3, 100])
        #expect(data.features == [1, 2, 3])
    }

    @Test func classNamesSortedByCodePoint() throws {
        // Byte (code point) order, as Python sorts str: "B" < "a" < "b" < "é"; a number among names is a name.
        let data = try Dataset(csvText: "1,b\n2,é\n3,a\n4,B\n5,b\n6,10\n")
        #expect(data.classNames == ["10", "B", "a", "b", "é"])
        #expect(data.labels == [3, 4, 2, 1, 3, 0])
    }

    @Test func classNamesKeepDistinctEncodings() throws {
        // "é" precomposed and decomposed are different strings to Python; they stay two classes.
        let data = try Dataset(csvText: "1,\u{E9}\n2,e\u{301}\n")
        #expect(data.classNames?.count == 2)
        #expect(data.labels == [1, 0])
    }

    @Test func nonFiniteNumericLabelRejected() {
        let error = csvError("1,0\n2,nan\n3,1\n")
        #expect(error?.kind == .nonFinite)
        #expect(error?.message == "bad.csv:2:2: expected a finite number, found \"nan\"")
    }

    @Test func emptyLabelRejected() {
        for text in ["1,a\n2,\n", "1,a\n2,  \n", "1,a\n2,\"\"\n"] {
            let error = csvError(text)
            #expect(error?.kind == .parse)
            #expect(error?.message == "bad.csv:2:2: the label is empty")
        }
    }

    // MARK: Header

    @Test func headerDetected() throws {
        let data = try Dataset(csvText: "width,height,kind\n1,2,cat\n3,4,dog\n")
        #expect(data.featureNames == ["width", "height"])
        #expect(data.rowCount == 2)
        #expect(data.features == [1, 2, 3, 4])
        #expect(data.classNames == ["cat", "dog"])
    }

    @Test func headerDetectedWithLabelFirst() throws {
        let data = try Dataset(csvText: "kind,width\n1,2\n0,4\n", labelColumn: 0)
        #expect(data.featureNames == ["width"])
        #expect(data.labels == [1, 0])
    }

    @Test func headerNotDetectedWhenOnlyTheLabelIsText() throws {
        let data = try Dataset(csvText: "1,2,kind\n3,4,cat\n")
        #expect(data.featureNames == nil)
        #expect(data.classNames == ["cat", "kind"])
    }

    @Test func autoRefusesAFirstRowMixingNumbersAndText() throws {
        let typo = csvError("1.0,2.O,3,g\n4,5,6,b\n")
        #expect(typo?.kind == .parse)
        #expect(typo?.message == "bad.csv:1:2: expected a number, found \"2.O\" (the first row mixes 2 numbers with text, so it is not taken for a header; if it is one, say that the file has a header)")
        let declared = try Dataset(csvText: "1.0,2.O,3,g\n4,5,6,b\n", header: .present)
        #expect(declared.featureNames == ["1.0", "2.O", "3"])
        #expect(declared.rowCount == 1)
        // Text in the label column alone leaves the row data; text in every feature cell makes a header.
        #expect(try Dataset(csvText: "1,2,kind\n3,4,cat\n").rowCount == 2)
        #expect(try Dataset(csvText: "a,b,kind\n3,4,cat\n").featureNames == ["a", "b"])
    }

    @Test func headerDeclared() throws {
        let present = try Dataset(csvText: "1,2,3\n4,5,6\n", header: .present)
        #expect(present.featureNames == ["1", "2"])
        #expect(present.features == [4, 5])
        #expect(present.labels == [6])
        let absent = csvError("a,b,c\n1,2,3\n", header: .absent)
        #expect(absent?.kind == .parse)
        #expect(absent?.message == "bad.csv:1:1: expected a number, found \"a\"")
    }

    @Test func headerWithoutRows() {
        let error = csvError("a,b\n", header: .present)
        #expect(error?.kind == .parse)
        #expect(error?.message == "bad.csv:2:1: no data rows after the header")
    }

    // MARK: Layout of the text

    @Test func lineEndingsBlankLinesSpacesAndBOM() throws {
        let expected = try Dataset(csvText: "1,2,a\n3,4,b\n")
        let variants = [
            "1,2,a\r\n3,4,b\r\n",
            "1,2,a\r3,4,b",
            "1,2,a\n3,4,b",
            "\u{FEFF}1,2,a\n3,4,b\n",
            "\n\n1,2,a\n   \n\r\n3,4,b\n\n",
            "  1 ,\t2,  a \n3, 4 ,b\t\n",
            "\"1\",2,\"a\"\n3,\" 4 \",b\n",
        ]
        for text in variants {
            #expect(try Dataset(csvText: text) == expected, "\(text.debugDescription)")
        }
    }

    @Test func quotedCells() throws {
        let data = try Dataset(csvText: "1,\"say \"\"hi\"\"\"\n2,\"a,b\"\n3,\"two\nlines\"\n4, \"x\" \n")
        #expect(data.classNames == ["a,b", "say \"hi\"", "two\nlines", "x"])
        #expect(data.labels == [1, 0, 2, 3])
    }

    @Test func lineNumbersCountBlankLinesAndQuotedBreaks() {
        let error = csvError("\n1,a\n\n2,\"x\ny\"\n\r\nz,b\n")
        #expect(error?.message == "bad.csv:7:1: expected a number, found \"z\"")
    }

    @Test func otherDelimiters() throws {
        let data = try Dataset(csvText: "1;2;a,b\n", delimiter: ";")
        #expect(data.features == [1, 2])
        #expect(data.labels == [0])
        #expect(data.classNames == ["a,b"])
        #expect(try Dataset(csvText: "1\t 2\ta\n", delimiter: "\t").features == [1, 2])
        for bad: Character in ["\"", "\n", "\r\n", "é"] {
            #expect(csvError("1,a\n", delimiter: bad)?.kind == .invalidArgument)
        }
    }

    // MARK: Numbers

    @Test func numbersReadLikePythonFloatThenFloat32() throws {
        // Expected bit patterns from numpy: np.float32(float(text)).
        let cases: [(String, UInt32)] = [
            ("1.0000000596046448", 0x3F80_0000),  // double rounding: 1 + 2^-24 as a double, a tie to 1 as a float
            ("1.00000005960464477539062500000001", 0x3F80_0000),
            ("0.1", 0x3DCC_CCCD),
            ("-0.05889", 0xBD71_36A4),
            ("3.4028235e38", 0x7F7F_FFFF),
            ("1e-45", 0x0000_0001),
            ("7e-46", 0x0000_0000),
            ("1e-50", 0x0000_0000),
            ("-0", 0x8000_0000),
            ("123456789012345678901234567890", 0x6FC7_7488),
            ("0.000000000000000000000000000000000000011754943508222875", 0x0080_0000),
            ("2.5e-8", 0x32D6_BF95),
            ("16777217", 0x4B80_0000),
            ("9007199254740993", 0x5A00_0000),
            (".5", 0x3F00_0000),
            ("1.", 0x3F80_0000),
            ("+1e+2", 0x42C8_0000),
            ("0001.2500", 0x3FA0_0000),
            ("1E-0", 0x3F80_0000),
            ("2e-324", 0x0000_0000),
            ("-1e-400", 0x8000_0000),
            ("0.0000e999999999", 0x0000_0000),
        ]
        for (text, bits) in cases {
            let data = try Dataset(csvText: "\(text),a\n")
            #expect(data.features.first?.bitPattern == bits, "\(text)")
        }
    }

    @Test func textInAFeature() {
        for cell in ["abc", "0x1p3", "1_000", "1e", "e5", ".", "-", "1.2.3", "١", "1 2", "infinite", "nana"] {
            let error = csvError("1,2,a\n3,\(cell),b\n")
            #expect(error?.kind == .parse, "\(cell)")
            #expect(error?.message == "bad.csv:2:2: expected a number, found \"\(cell)\"", "\(cell)")
        }
        let empty = csvError("1,2,a\n3,,b\n")
        #expect(empty?.message == "bad.csv:2:2: expected a number, found an empty cell")
        let long = csvError("1,\(String(repeating: "x", count: 100)),a\n")
        #expect(long?.message == "bad.csv:1:2: expected a number, found \"\(String(repeating: "x", count: 40))…\" (the first row mixes 1 number with text, so it is not taken for a header; if it is one, say that the file has a header)")
    }

    @Test func nonFiniteFeature() {
        for cell in ["nan", "NaN", "-nan", "inf", "-Inf", "+infinity", "INFINITY"] {
            let error = csvError("1,2,a\n3,4,b\n5,\(cell),c\n")
            #expect(error?.kind == .nonFinite, "\(cell)")
            #expect(error?.message == "bad.csv:3:2: expected a finite number, found \"\(cell)\"", "\(cell)")
        }
        for cell in ["3.4028236e38", "-1e39", "1e309", "1.8e308", "1e400", "1e99999999999999999999"] {
            let error = csvError("\(cell),a\n")
            #expect(error?.kind == .nonFinite, "\(cell)")
            #expect(error?.message == "bad.csv:1:1: expected a finite number, found \"\(cell)\", which is beyond the float32 range")
        }
    }

    // MARK: Malformed files

    @Test func raggedRows() {
        let short = csvError("1,2,a\n3,b\n")
        #expect(short?.kind == .parse)
        #expect(short?.message == "bad.csv:2:3: expected 3 columns as on line 1, found 2")
        let long = csvError("\n1,2,a\n3,4,5,b\n")
        #expect(long?.message == "bad.csv:3:4: expected 3 columns as on line 2, found 4")
        let afterHeader = csvError("x,y,z\n1,2,a\n3,4,b,\n")
        #expect(afterHeader?.message == "bad.csv:3:4: expected 3 columns as on line 1, found 4")
        let single = csvError("1\n2\n")
        #expect(single?.message == "bad.csv:1:1: expected at least 2 columns (features and a label), found 1")
    }

    @Test func emptyFile() {
        for text in ["", "\n\n", "  \r\n", "\u{FEFF}"] {
            let error = csvError(text)
            #expect(error?.kind == .parse)
            #expect(error?.message.hasPrefix("bad.csv:") == true)
            #expect(error?.message.hasSuffix(": no data rows (the file is empty or blank)") == true)
        }
        #expect(csvError("\n\n")?.message == "bad.csv:3:1: no data rows (the file is empty or blank)")
    }

    @Test func binaryContent() {
        let nul = csvError(bytes: Array("1,2,a\n3,4".utf8) + [0] + Array(",b\n".utf8))
        #expect(nul?.kind == .parse)
        #expect(nul?.message == "bad.csv:2:2: found a NUL byte (is this a binary file?)")
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            let error = csvError(bytes: Array("1,2,a\n3,4,".utf8) + bad + Array("\n".utf8))
            #expect(error?.kind == .parse)
            let hex = String(bad[0], radix: 16, uppercase: true)
            #expect(error?.message == "bad.csv:2:3: found invalid UTF-8 (byte 0x\(hex)); is this a binary file?")
        }
        let inQuotes = csvError(bytes: Array("1,\"a\nb".utf8) + [0xFE] + Array("\"\n".utf8))
        #expect(inQuotes?.message == "bad.csv:2:2: found invalid UTF-8 (byte 0xFE); is this a binary file?")
    }

    @Test func badQuotes() {
        let open = csvError("1,a\n2,\"b\n3,c\n")
        #expect(open?.kind == .parse)
        #expect(open?.message == "bad.csv:2:2: a quoted cell is never closed")
        let trailing = csvError("1,\"a\"b\n")
        #expect(trailing?.message == "bad.csv:1:2: unexpected text after the closing quote of a cell")
    }

    // MARK: Files

    @Test func fileRoundTripAndErrorsNameThePath() throws {
        try withTemporaryDirectory { directory in
            let good = directory.appendingPathComponent("good.csv")
            try Data("f1,f2,label\r\n1,2,yes\r\n3,4,no\r\n".utf8).write(to: good)
            let data = try Dataset(csvFile: good.path)
            #expect(data.featureNames == ["f1", "f2"])
            #expect(data.classNames == ["no", "yes"])
            #expect(data.labels == [1, 0])
            #expect(data.source == good.path)

            let bad = directory.appendingPathComponent("bad.csv")
            try Data("1,2,yes\n3,abc,no\n".utf8).write(to: bad)
            let parse = #expect(throws: AnnealError.self) { try Dataset(csvFile: bad.path) }
            #expect(parse?.message == "\(bad.path):2:2: expected a number, found \"abc\"")

            let missing = directory.appendingPathComponent("missing.csv").path
            let notFound = #expect(throws: AnnealError.self) { try Dataset(csvFile: missing) }
            #expect(notFound?.kind == .io)
            #expect(notFound?.message == "\(missing): cannot open the file: No such file or directory")

            let isDirectory = #expect(throws: AnnealError.self) { try Dataset(csvFile: directory.path) }
            #expect(isDirectory?.kind == .io)
            #expect(isDirectory?.message == "\(directory.path): cannot read the file: Is a directory")
        }
    }

    // MARK: In-memory data

    @Test func inMemoryDatasetChecksShapes() throws {
        let data = try Dataset(features: [1, 2, 3, 4], labels: [0, 1], featureCount: 2, classNames: ["a", "b"])
        #expect(data.rowCount == 2)
        #expect(throws: AnnealError.self) { try Dataset(features: [1, 2, 3], labels: [0, 1], featureCount: 2) }
        #expect(throws: AnnealError.self) { try Dataset(features: [1, .nan], labels: [0], featureCount: 2) }
        #expect(throws: AnnealError.self) { try Dataset(features: [1, 2], labels: [2], featureCount: 2, classNames: ["a", "b"]) }
        #expect(throws: AnnealError.self) { try Dataset(features: [], labels: [], featureCount: 0) }
    }

    // MARK: Robustness

    @Test func arbitraryBytesNeverCrash() throws {
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("0123456789.,-+eE\"\r\n \tabnif;x".utf8) + [0, 0xC3, 0xA9, 0xFF, 0xEF, 0xBB, 0xBF, 0xED, 0xF4]
        // The first 40 lines of the shipped file, for mutations that stay close to a valid file.
        let valid = try String(contentsOfFile: ionospherePath, encoding: .utf8)
            .split(separator: "\n").prefix(40).map { $0 + "\n" }.joined().utf8
        for round in 0..<4000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(generator.next() % 60)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            } else {
                bytes = Array(valid)
                for _ in 0...(generator.next() % 4) {
                    let position = Int(generator.next() % UInt64(bytes.count))
                    let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    switch generator.next() % 3 {
                    case 0: bytes.insert(byte, at: position)
                    case 1: bytes[position] = byte
                    default: bytes.remove(at: position)
                    }
                }
            }
            for header in [Dataset.Header.auto, .present, .absent] {
                do {
                    let data = try Dataset(csvBytes: bytes, labelColumn: Int(generator.next() % 5) - 2, header: header)
                    #expect(data.features.count == data.rowCount * data.featureCount)
                    #expect(data.labels.count == data.rowCount)
                    #expect(data.features.allSatisfy { $0.isFinite })
                } catch let error as AnnealError {
                    #expect(error.message.hasPrefix("<bytes>"), "\(error)")
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
    }
}
