/// A dense row-major matrix of `Float`: the shape of every array Anneal takes in or gives back.
///
/// Rows are samples and columns are features (or outputs); `values[row * columns + column]` is one element.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    /// The elements, row after row.
    public private(set) var values: [Float]

    /// A matrix over `values` laid out row after row; `values.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) throws {
        guard rows >= 0, columns >= 0 else {
            throw AnnealError.invalidArgument("a matrix needs non-negative dimensions. Received: rows=\(rows), columns=\(columns)")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count == values.count else {
            throw AnnealError.shapeMismatch("a \(rows) x \(columns) matrix needs \(overflow ? "more" : String(count)) values, received \(values.count)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix from nested rows, which must all have the same length.
    public init(_ nestedRows: [[Float]]) throws {
        let width = nestedRows.first?.count ?? 0
        var flat = [Float]()
        flat.reserveCapacity(nestedRows.count * width)
        for (index, row) in nestedRows.enumerated() {
            guard row.count == width else {
                throw AnnealError.shapeMismatch("row \(index) has \(row.count) values, expected \(width) like row 0")
            }
            flat.append(contentsOf: row)
        }
        try self.init(rows: nestedRows.count, columns: width, values: flat)
    }

    /// A one-column matrix: the usual shape of binary labels and single outputs.
    public init(column: [Float]) {
        self.rows = column.count
        self.columns = 1
        self.values = column
    }

    /// A matrix of zeros.
    public init(zeros rows: Int, _ columns: Int) {
        self.rows = max(rows, 0)
        self.columns = max(columns, 0)
        self.values = [Float](repeating: 0, count: self.rows * self.columns)
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The rows `range`, copied into a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        let slice = Array(values[(range.lowerBound * columns)..<(range.upperBound * columns)])
        return Matrix(uncheckedRows: range.count, columns: columns, values: slice)
    }

    /// The given rows, in the given order, copied into a new matrix.
    public func rows(at indices: [Int]) -> Matrix {
        var gathered = [Float]()
        gathered.reserveCapacity(indices.count * columns)
        for row in indices {
            gathered.append(contentsOf: values[(row * columns)..<((row + 1) * columns)])
        }
        return Matrix(uncheckedRows: indices.count, columns: columns, values: gathered)
    }

    /// The position and value of the first element that is NaN or infinite, if any.
    package func firstNonFinite() -> (row: Int, column: Int, value: Float)? {
        guard let index = indexOfFirstNonFinite(values) else { return nil }
        return (index / max(columns, 1), index % max(columns, 1), values[index])
    }

    init(uncheckedRows rows: Int, columns: Int, values: [Float]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// The index of the first value that is NaN or infinite, if any: the one check of every array of data Anneal
/// takes in (features, labels, weights, sample weights).
///
/// Every fit and prediction checks its data, so the common case (all finite) is one branch-free pass that
/// the compiler vectorizes: NaN and the infinities are the values whose exponent bits are all set. Only when
/// it finds one does the search for the first run, element by element.
package func indexOfFirstNonFinite(_ values: [Float]) -> Int? {
    let exponent: UInt32 = 0x7F80_0000
    let allFinite = values.withUnsafeBufferPointer { buffer in
        var widest: UInt32 = 0
        for value in buffer { widest = max(widest, value.bitPattern & exponent) }
        return widest != exponent
    }
    return allFinite ? nil : values.firstIndex { !$0.isFinite }
}
