/// A table of examples for training: one row of features and one label per example.
///
/// Features are stored row-major in one contiguous buffer, so row `r`, feature `j` is
/// `features[r * featureCount + j]`:
///
/// ```
/// features = [x(0,0), x(0,1), ..., x(0,featureCount-1), x(1,0), ..., x(rowCount-1,featureCount-1)]
/// labels   = [y(0), y(1), ..., y(rowCount-1)]
/// ```
///
/// When the labels were class names, `labels` holds their encoded values (the index in `classNames`, which is
/// sorted like scikit-learn's `LabelEncoder` sorts them); when they were numbers, `classNames` is `nil` and the
/// labels are those numbers.
public struct Dataset: Sendable, Equatable {
    /// Whether the first non-blank row of a CSV file holds column names.
    public enum Header: Sendable, Equatable {
        /// The first non-blank row is a header when one of its feature cells is not a number while every feature
        /// cell of the next row is (a number here includes `nan` and `inf`, which are then rejected as data).
        case auto
        /// The first non-blank row is a header, whatever it holds.
        case present
        /// Every row is data.
        case absent
    }

    /// Feature values, row-major: `rowCount * featureCount` values.
    public let features: [Float]
    /// One label per row: a class index into `classNames`, or the number read from the file.
    public let labels: [Float]
    /// The number of examples.
    public let rowCount: Int
    /// The number of features per example.
    public let featureCount: Int
    /// The class names in encoded order (index = encoded label), or `nil` when the labels are numbers.
    public let classNames: [String]?
    /// The feature column names from the file's header row, or `nil` when there was no header.
    public let featureNames: [String]?
    /// Where the data came from (a file path or a name given by the caller), for messages.
    public let source: String

    /// Wraps arrays that are already in memory.
    ///
    /// - Throws: `AnnealError` of kind `.invalidArgument` when `featureCount` is below 1 or `classNames` is given
    ///   and a label is not one of its indices, `.shapeMismatch` when `features.count` is not
    ///   `labels.count * featureCount` or `featureNames` does not have `featureCount` names, and `.nonFinite`
    ///   when a value is NaN or infinite.
    public init(
        features: [Float], labels: [Float], featureCount: Int,
        classNames: [String]? = nil, featureNames: [String]? = nil, source: String = "<memory>"
    ) throws {
        guard featureCount >= 1 else {
            throw AnnealError.invalidArgument("\(source): featureCount must be at least 1. Received: featureCount=\(featureCount)")
        }
        guard features.count == labels.count * featureCount else {
            throw AnnealError.shapeMismatch(
                "\(source): \(labels.count) labels of \(featureCount) features need \(labels.count * featureCount) feature values, found \(features.count)")
        }
        if let featureNames, featureNames.count != featureCount {
            throw AnnealError.shapeMismatch("\(source): \(featureNames.count) feature names for \(featureCount) features")
        }
        if let index = indexOfFirstNonFinite(features) {
            throw AnnealError.nonFinite("\(source): feature \(index % featureCount) of row \(index / featureCount) is \(features[index])")
        }
        if let index = indexOfFirstNonFinite(labels) {
            throw AnnealError.nonFinite("\(source): label of row \(index) is \(labels[index])")
        }
        if let classNames,
           let index = labels.firstIndex(where: { $0 < 0 || $0 >= Float(classNames.count) || $0 != $0.rounded(.towardZero) }) {
            throw AnnealError.invalidArgument(
                "\(source): label of row \(index) is \(labels[index]), not a class index in 0..<\(classNames.count)")
        }
        self.init(
            validFeatures: features, labels: labels, featureCount: featureCount,
            classNames: classNames, featureNames: featureNames, source: source)
    }

    /// The loader's initializer: the caller has already checked every invariant.
    init(
        validFeatures features: [Float], labels: [Float], featureCount: Int,
        classNames: [String]?, featureNames: [String]?, source: String
    ) {
        self.features = features
        self.labels = labels
        self.rowCount = labels.count
        self.featureCount = featureCount
        self.classNames = classNames
        self.featureNames = featureNames
        self.source = source
    }
}
