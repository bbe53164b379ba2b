// Times the tutorial's time-based run (50 epochs, batch 28, validation split 0.33) in-process through the
// Swift API and prints the median wall time per run.
//
//   swift run -c release anneal-bench [runs]
import Anneal
import AnnealTutorial
import Foundation

let runs = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 200
let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../examples/data/ionosphere.csv").standardized.path

func seconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

do {
    let data = try Dataset(csvFile: path)
    var times: [Double] = []
    var accuracy = 0.0
    for run in 0..<(runs + 5) {
        let model = try TutorialExperiment.timeBased.makeModel(seed: UInt64(run))
        let start = seconds()
        let history = try model.fit(
            data.featureMatrix, data.labelMatrix, epochs: TutorialExperiment.epochs,
            batchSize: TutorialExperiment.batchSize, verbose: 0, validationSplit: TutorialExperiment.validationSplit)
        let elapsed = seconds() - start
        if run >= 5 { times.append(elapsed) }  // the first runs warm caches and are not counted
        accuracy += history["val_accuracy"]?.last ?? 0
    }
    times.sort()
    let median = times[times.count / 2]
    print(String(format: "tutorial time-based run, 50 epochs, Swift API: median %.3f ms over %d runs (min %.3f, max %.3f); mean val_accuracy %.4f",
                 median * 1000, runs, times[0] * 1000, times[times.count - 1] * 1000, accuracy / Double(runs + 5)))
} catch {
    FileHandle.standardError.write(Data("anneal-bench: \(error)\n".utf8))
    exit(1)
}
