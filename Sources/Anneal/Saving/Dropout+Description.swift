/// A Dropout layer as a model file's `dropout` record, and back:
///
/// ```
/// dropout rate=0.25 seed=none name=dropout state=1234,5678,91011,121314
/// ```
/// `rate` in shortest round-trip form; `seed` the layer's own seed, or `none` when it derives its stream from
/// the model's; `state` the mask generator's 256-bit state at the moment of saving (present when `rate > 0`,
/// the only Dropout layers that draw masks), so that a loaded model draws the masks the saved one would have
/// drawn next. Without `state` the stream starts from `seed` (or, for `none`, the loading model's seed).
extension Dropout {
    /// The record of this layer, named `name`, with its mask stream's current state when it has one.
    func descriptionRecord(name: String, generator: SeededGenerator?) -> ModelDescription.Record {
        var fields: [(String, String)] = [("rate", "\(rate)"), ("seed", seed.map { "\($0)" } ?? "none"), ("name", name)]
        if let generator { fields.append(("state", generator.words.map(String.init).joined(separator: ","))) }
        return ModelDescription.Record("dropout", fields)
    }

    /// The layer a `dropout` record describes, and the mask stream's saved state when the record has one.
    static func make(from record: ModelDescription.Record, _ read: DescriptionReader) throws -> (Dropout, SeededGenerator?) {
        let rate = try read.double(record, "rate")
        var seed: UInt64?
        switch try read.string(record, "seed") {
        case "none": seed = nil
        case let text:
            guard let value = UInt64(text) else { throw read.fail(record, "seed=\(text) is not none or an integer in [0, 2^64)") }
            seed = value
        }
        let layer = Dropout(rate: rate, seed: seed)
        do {
            try layer.validate()
        } catch let error as AnnealError {
            throw read.fail(record, error.message)
        }
        guard record["state"] != nil else { return (layer, nil) }
        let words = try read.list(record, "state").map { word -> UInt64 in
            guard let value = UInt64(word) else { throw read.fail(record, "state holds \(word), not an unsigned 64-bit integer") }
            return value
        }
        guard let generator = SeededGenerator(words: words) else {
            throw read.fail(record, "state is not a generator state (four words, not all zero)")
        }
        return (layer, generator)
    }
}
