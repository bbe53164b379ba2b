extension Dataset {
    /// The features as a `rowCount x featureCount` matrix, ready for `fit`.
    public var featureMatrix: Matrix {
        Matrix(uncheckedRows: rowCount, columns: featureCount, values: features)
    }

    /// The labels as a one-column matrix (encoded class indices, or the numbers of a numeric label column).
    public var labelMatrix: Matrix {
        Matrix(column: labels)
    }
}
