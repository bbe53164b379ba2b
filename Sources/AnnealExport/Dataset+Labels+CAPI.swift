import Anneal
import CAnneal

// Datasets whose labels are a matrix of several columns (one-hot rows), for categorical_crossentropy and
// for any loss with one label column per output.

/// `ANNEAL_E_NON_FINITE` naming the C array (`features`, `labels`), row and column of the first value that is
/// not finite.
func checkFinite(features x: Matrix, labels y: Matrix) throws {
    if let at = x.firstNonFinite() {
        throw CAPIError(ANNEAL_E_NON_FINITE, "features: feature \(at.column) of row \(at.row) is \(at.value)")
    }
    if let at = y.firstNonFinite() {
        throw CAPIError(ANNEAL_E_NON_FINITE, "labels: label \(at.column) of row \(at.row) is \(at.value)")
    }
}

@c @implementation
public func anneal_dataset_create_labels(
    _ features: UnsafePointer<Float>?, _ labels: UnsafePointer<Float>?, _ rows: Int64, _ features_per_row: Int32,
    _ label_columns: Int32, _ out_dataset: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(function: "anneal_dataset_create_labels", out_dataset, "out_dataset") {
        _ = try elementCount(rows: rows, columns: features_per_row, "features", columnsName: "features_per_row")
        _ = try elementCount(rows: rows, columns: label_columns, "labels", columnsName: "label_columns")
        let x = try matrix(features, rows: rows, columns: features_per_row, "features", columnsName: "features_per_row")
        let y = try matrix(labels, rows: rows, columns: label_columns, "labels", columnsName: "label_columns")
        try checkFinite(features: x, labels: y)
        return try Handles.register(DatasetBox(features: x, labels: y), .dataset)
    }
}

/// Keras's `to_categorical`: row r of the result is 1 in column `labels[r]`, 0 elsewhere.
@c @implementation
public func anneal_dataset_one_hot(
    _ dataset: OpaquePointer?, _ class_count: Int32, _ out_dataset: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(function: "anneal_dataset_one_hot", out_dataset, "out_dataset") {
        let source = try AnnealExport.dataset(dataset)
        guard source.labels.columns == 1 else {
            throw CAPIError(ANNEAL_E_SHAPE_MISMATCH,
                            "dataset has \(source.labels.columns) label columns; one column of class indices is needed")
        }
        try check(class_count >= 0, "class_count must be non-negative (0: the dataset's class count). Received: class_count=\(class_count)")
        let classes = class_count == 0 ? source.classNames?.count ?? 0 : Int(class_count)
        try check(classes >= 1,
                  "class_count is 0 but the dataset has no class names (its labels are numbers): give class_count")
        let rows = source.labels.rows
        let (count, overflow) = rows.multipliedReportingOverflow(by: classes)
        guard !overflow else {
            throw CAPIError(ANNEAL_E_OUT_OF_MEMORY, "\(rows) rows x \(classes) classes of labels: more elements than an address can count")
        }
        for (row, label) in source.labels.values.enumerated() where !(label >= 0 && label < Float(classes) && label == label.rounded(.towardZero)) {
            throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "the label of row \(row) is \(label), not a class index in 0..<\(classes)")
        }
        try reserve(count, of: MemoryLayout<Float>.stride, "the one-hot labels")
        var values = [Float](repeating: 0, count: count)
        for (row, label) in source.labels.values.enumerated() { values[row * classes + Int(label)] = 1 }
        let labels = try Matrix(rows: rows, columns: classes, values: values)
        let names = source.classNames?.count == classes ? source.classNames : nil
        return try Handles.register(
            DatasetBox(features: source.features, labels: labels, classNames: names, featureNames: source.featureNames), .dataset)
    }
}

@c @implementation
public func anneal_dataset_label_columns(_ dataset: OpaquePointer?, _ out_columns: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        try required(out_columns, "out_columns").pointee = Int32(clamping: try AnnealExport.dataset(dataset).labels.columns)
    }
}
