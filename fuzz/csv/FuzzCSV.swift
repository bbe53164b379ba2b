import Anneal
import AnnealFuzzDriver

/// libFuzzer target for the CSV loader, `Dataset(csvBytes:sourceName:labelColumn:header:delimiter:)`.
///
/// The first byte of an input picks the options, the rest is the file:
/// bits 0-1 the header mode (auto, present, absent, auto), bits 2-3 the delimiter (`,` `;` tab `|`),
/// bits 4-7 the label column (`-3...12`, so out-of-range columns are tried too). An empty input is skipped.
///
/// The loader must either throw an `AnnealError` or return a dataset that keeps its promises (sizes agree,
/// every feature and label finite, class labels in range); anything else, or a trap, is a finding.
///
/// Built normally (`swift build`), this is a replay tool: `anneal-fuzz-csv FILE...` runs each file once and
/// prints what the loader said. Built with `-DANNEAL_LIBFUZZER -sanitize=fuzzer`, it runs libFuzzer's driver
/// (see `fuzz/run.sh`). Both modes are `FuzzDriver` in `fuzz/driver/FuzzDriver.swift`.
func fuzzCSV(_ input: UnsafeRawBufferPointer) -> String {
    guard let options = input.first else { return "skipped: empty input" }
    let header: Dataset.Header = [.auto, .present, .absent, .auto][Int(options & 3)]
    let delimiter: Character = [",", ";", "\t", "|"][Int((options >> 2) & 3)]
    let labelColumn = Int(options >> 4) - 3
    let bytes = Array(input.dropFirst())
    do {
        let data = try Dataset(
            csvBytes: bytes, sourceName: "fuzz.csv", labelColumn: labelColumn, header: header, delimiter: delimiter)
        check(data.rowCount > 0 && data.featureCount > 0, "empty dataset accepted")
        check(data.features.count == data.rowCount * data.featureCount, "features.count != rows * features")
        check(data.labels.count == data.rowCount, "labels.count != rows")
        check(data.features.allSatisfy(\.isFinite), "a non-finite feature was accepted")
        check(data.labels.allSatisfy(\.isFinite), "a non-finite label was accepted")
        if let names = data.featureNames { check(names.count == data.featureCount, "featureNames.count != features") }
        if let classes = data.classNames {
            check(!classes.isEmpty, "empty classNames")
            check(classes == classes.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) },
                  "classNames not in code point order")
            check(Set(classes).count == classes.count, "duplicate class names")
            check(data.labels.allSatisfy { $0 >= 0 && Int($0) < classes.count && $0 == $0.rounded() },
                  "a class label out of range")
        }
        return "loaded \(data.rowCount) rows x \(data.featureCount) features"
    } catch let error as AnnealError {
        check(!error.message.isEmpty, "an error without a message")
        return "\(error.kind): \(error.message)"
    } catch {
        check(false, "threw a non-AnnealError: \(error)")
        return "\(error)"
    }
}

@main
enum Main {
    static func main() { FuzzDriver.run(name: "anneal-fuzz-csv", fuzzCSV) }
}
