import Anneal
import CAnneal

/// The object behind an `anneal_dataset` handle (immutable): the features and a label matrix of one column
/// (a loaded or created `Dataset`) or of several (one-hot rows, `anneal_dataset_create_labels`), kept as the
/// matrices a fit reads, so that training on a handle copies nothing.
final class DatasetBox {
    let features: Matrix
    let labels: Matrix
    let classNames: [String]?
    let featureNames: [String]?

    init(_ dataset: Dataset) {
        features = dataset.featureMatrix
        labels = dataset.labelMatrix
        classNames = dataset.classNames
        featureNames = dataset.featureNames
    }

    init(features: Matrix, labels: Matrix, classNames: [String]? = nil, featureNames: [String]? = nil) {
        self.features = features
        self.labels = labels
        self.classNames = classNames
        self.featureNames = featureNames
    }
}

/// The dataset behind `handle`; `argument` is the C argument's name.
func dataset(_ handle: OpaquePointer?, argument: String = "dataset") throws -> DatasetBox {
    try Handles.object(handle, .dataset, as: DatasetBox.self, argument: argument)
}

@c @implementation
public func anneal_dataset_load_csv(
    _ path: UnsafePointer<CChar>?, _ label_column: Int32, _ header_mode: Int32,
    _ out_dataset: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_dataset, "out_dataset") {
        let path = try string(path, "path")
        let header: Dataset.Header
        switch header_mode {
        case ANNEAL_CSV_HEADER_AUTO: header = .auto
        case ANNEAL_CSV_HEADER_PRESENT: header = .present
        case ANNEAL_CSV_HEADER_ABSENT: header = .absent
        default: throw CAPIError(ANNEAL_E_INVALID_ARGUMENT, "header_mode must be ANNEAL_CSV_HEADER_AUTO (0), _PRESENT (1) or _ABSENT (2). Received: header_mode=\(header_mode)")
        }
        let loaded = try Dataset(csvFile: path, labelColumn: Int(label_column), header: header)
        return try Handles.register(DatasetBox(loaded), .dataset)
    }
}

@c @implementation
public func anneal_dataset_create(
    _ features: UnsafePointer<Float>?, _ labels: UnsafePointer<Float>?, _ rows: Int64, _ features_per_row: Int32,
    _ out_dataset: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    capiCreate(out_dataset, "out_dataset") {
        let x = try matrix(features, rows: rows, columns: features_per_row, "features", columnsName: "features_per_row")
        let y = try matrix(labels, rows: rows, columns: 1, "labels")
        try checkFinite(features: x, labels: y)
        let made = try Dataset(features: x.values, labels: y.values, featureCount: Int(features_per_row), source: "<C arrays>")
        return try Handles.register(DatasetBox(made), .dataset)
    }
}

@c @implementation
public func anneal_dataset_free(_ dataset: OpaquePointer?) {
    Handles.remove(dataset, .dataset)
}

@c @implementation
public func anneal_dataset_rows(_ dataset: OpaquePointer?, _ out_rows: UnsafeMutablePointer<Int64>?) -> Int32 {
    capiCall { try required(out_rows, "out_rows").pointee = Int64(try AnnealExport.dataset(dataset).features.rows) }
}

@c @implementation
public func anneal_dataset_features(_ dataset: OpaquePointer?, _ out_features: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        try required(out_features, "out_features").pointee = Int32(clamping: try AnnealExport.dataset(dataset).features.columns)
    }
}

@c @implementation
public func anneal_dataset_class_count(_ dataset: OpaquePointer?, _ out_count: UnsafeMutablePointer<Int32>?) -> Int32 {
    capiCall {
        try required(out_count, "out_count").pointee = Int32(clamping: try AnnealExport.dataset(dataset).classNames?.count ?? 0)
    }
}

@c @implementation
public func anneal_dataset_class_name(
    _ dataset: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        let names = try AnnealExport.dataset(dataset).classNames ?? []
        try copyOut(names, at: index, "class name", to: buffer, capacity: capacity, length: out_length)
    }
}

@c @implementation
public func anneal_dataset_feature_name(
    _ dataset: OpaquePointer?, _ index: Int32, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ out_length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    capiCall {
        guard let names = try AnnealExport.dataset(dataset).featureNames else {
            throw CAPIError(ANNEAL_E_INVALID_STATE, "the dataset has no feature names (its file had no header row)")
        }
        try copyOut(names, at: index, "feature name", to: buffer, capacity: capacity, length: out_length)
    }
}

@c @implementation
public func anneal_dataset_copy_features(
    _ dataset: OpaquePointer?, _ buffer: UnsafeMutablePointer<Float>?, _ capacity: Int64
) -> Int32 {
    capiCall { try copyOut(try AnnealExport.dataset(dataset).features.values, to: buffer, capacity: capacity, "buffer") }
}

@c @implementation
public func anneal_dataset_copy_labels(
    _ dataset: OpaquePointer?, _ buffer: UnsafeMutablePointer<Float>?, _ capacity: Int64
) -> Int32 {
    capiCall { try copyOut(try AnnealExport.dataset(dataset).labels.values, to: buffer, capacity: capacity, "buffer") }
}
