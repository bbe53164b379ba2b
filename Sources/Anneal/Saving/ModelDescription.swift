/// The text part of a model file: one record per line, a record kind then `key=value` fields separated by
/// single spaces; no value holds a space, `=` or newline.
///
/// ```
/// anneal-model version=1
/// generator state=1234,5678,91011,121314
/// layer units=34 activation=relu use_bias=true kernel_initializer=normal(0.0,0.05) bias_initializer=zeros input_dim=34
/// dropout rate=0.25 seed=none name=dropout state=1516,1718,1920,2122
/// layer units=1 activation=sigmoid use_bias=true kernel_initializer=normal(0.0,0.05) bias_initializer=zeros
/// built input_dim=34
/// compile loss=binary_crossentropy from_logits=false label_smoothing=0.0 delta=1.0 metrics=accuracy
/// metric name=accuracy kind=binary_accuracy threshold=0.5
/// optimizer class=SGD learning_rate=0.1 decay=0.002 momentum=0.8 nesterov=false
/// schedule class=ExponentialDecay initial_rate=0.1 decay_steps=100 decay_rate=0.96 staircase=false unit=update
/// state iterations=65 slots=momentum
/// ```
/// Numbers are written in Swift's shortest round-trip form, so a `Float` or `Double` reads back bit for bit.
/// `built` is there once the model has weights; `compile`, `optimizer` (and `schedule`, when the optimizer
/// follows one) once it is compiled; `state` lists the optimizer's state buffers, stored after the weights in
/// that order (none before training has started), and `Nadam`'s `momentum_cache`. A `leaky_relu` layer also
/// has its `alpha`. `compile` lists the metrics' log names (percent-encoded), and a `metric` record after it
/// holds each one's kind and parameters (see `CompiledMetric.descriptionRecord`); a file without them (written
/// before they were kept) compiles the names at Keras's defaults.
/// `layer` (Dense) and `dropout` records list the layers in the order they were added; a `dropout` record
/// holds the layer's rate, seed and mask generator's state (see `Dropout.descriptionRecord`). A `name` is
/// Keras's automatic name here; the Python package writes its layers' own names there (percent-encoded) and,
/// after the `layer` record of a Dense that an Activation or LeakyReLU layer is folded into, an `activation`
/// record (`activation class=LeakyReLU name=leaky_re_lu alpha=0.1`), so that it lists that layer again; the
/// loader reads neither.
public struct ModelDescription: Equatable, Sendable {
    /// One line: its kind and its fields in order.
    public struct Record: Equatable, Sendable {
        public var kind: String
        public var fields: [(key: String, value: String)]

        public init(_ kind: String, _ fields: [(String, String)] = []) {
            self.kind = kind
            self.fields = fields.map { (key: $0.0, value: $0.1) }
        }

        public static func == (lhs: Record, rhs: Record) -> Bool {
            lhs.kind == rhs.kind && lhs.fields.elementsEqual(rhs.fields) { $0.key == $1.key && $0.value == $1.value }
        }

        /// The value of `key`, if present.
        public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }
    }

    public var records: [Record]

    public init(records: [Record]) { self.records = records }

    /// The records of kind `kind`, in order.
    public func all(_ kind: String) -> [Record] { records.filter { $0.kind == kind } }

    /// The one record of kind `kind`, if present.
    public func first(_ kind: String) -> Record? { records.first { $0.kind == kind } }

    /// The description as text, one record per line.
    public var text: String {
        records.map { record in
            ([record.kind] + record.fields.map { "\($0.key)=\($0.value)" }).joined(separator: " ") + "\n"
        }.joined()
    }

    /// Parses `text`; `source` names it in messages.
    /// - Throws: ``AnnealError/Kind/corruptFile`` for a line that is not `kind key=value ...`.
    public init(parsing text: String, source: String) throws {
        var records: [Record] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let words = line.split(separator: " ")
            guard let kind = words.first else { continue }
            var fields: [(String, String)] = []
            for word in words.dropFirst() {
                guard let equals = word.firstIndex(of: "=") else {
                    throw AnnealError(.corruptFile, "\(source): description line \(number + 1): expected key=value, found '\(word)'")
                }
                fields.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
            }
            records.append(Record(String(kind), fields))
        }
        self.records = records
    }
}

/// Typed reads of a record's fields, each failure a ``AnnealError/Kind/corruptFile`` naming the file, the
/// record and the field.
struct DescriptionReader {
    let source: String

    func fail(_ record: ModelDescription.Record, _ message: String) -> AnnealError {
        AnnealError(.corruptFile, "\(source): '\(record.kind)' record: \(message)")
    }

    func string(_ record: ModelDescription.Record, _ key: String) throws -> String {
        guard let value = record[key] else { throw fail(record, "missing field '\(key)'") }
        return value
    }

    func float(_ record: ModelDescription.Record, _ key: String) throws -> Float {
        try parsed(record, key, "a number")
    }

    func double(_ record: ModelDescription.Record, _ key: String) throws -> Double {
        try parsed(record, key, "a number")
    }

    func int(_ record: ModelDescription.Record, _ key: String) throws -> Int {
        try parsed(record, key, "an integer")
    }

    /// Field `key` read as a `T`, or the error naming the record, the field and `what` it should be.
    private func parsed<T: LosslessStringConvertible>(
        _ record: ModelDescription.Record, _ key: String, _ what: String
    ) throws -> T {
        let text = try string(record, key)
        guard let value = T(text) else { throw fail(record, "\(key)=\(text) is not \(what)") }
        return value
    }

    func bool(_ record: ModelDescription.Record, _ key: String) throws -> Bool {
        switch try string(record, key) {
        case "true": return true
        case "false": return false
        case let text: throw fail(record, "\(key)=\(text) is not true or false")
        }
    }

    /// A comma-separated list (empty for an empty value).
    func list(_ record: ModelDescription.Record, _ key: String) throws -> [String] {
        try string(record, key).split(separator: ",").map(String.init)
    }
}
