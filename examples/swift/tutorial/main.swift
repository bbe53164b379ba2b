// The Keras learning-rate tutorial, end to end on the shipped ionosphere data, through Anneal's Swift API.
//
//   swift run -c release anneal-tutorial [path/to/ionosphere.csv]
//
// Runs the time-based, step-decay and baseline experiments once with seed 7 (Keras-style verbose=2 logs),
// then each over seeds 1...20, and compares the validation accuracies with the tutorial's.
import Anneal
import AnnealTutorial
import Foundation

let path = CommandLine.arguments.dropFirst().first
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../data/ionosphere.csv").standardized.path

func padded(_ name: String) -> String { name.padding(toLength: 17, withPad: " ", startingAt: 0) }

do {
    let data = try Dataset(csvFile: path)
    print("ionosphere: \(data.rowCount) rows x \(data.featureCount) features, classes \(data.classNames ?? [])")
    var finals: [(TutorialExperiment, Double)] = []
    for experiment in TutorialExperiment.allCases {
        print("\n=== \(experiment.rawValue) (seed 7) ===")
        let (_, history) = try experiment.run(on: data, seed: 7, verbose: 2)
        finals.append((experiment, (history["val_accuracy"]?.last ?? .nan) * 100))
    }

    print("\n=== over seeds 1...20 (validation rows correct of 116) ===")
    var summary: [String] = []
    for experiment in TutorialExperiment.allCases {
        let correct = try (1...20).map { seed -> Int in
            let (_, history) = try experiment.run(on: data, seed: UInt64(seed))
            return Int(((history["val_accuracy"]?.last ?? 0) * 116).rounded())
        }.sorted()
        let median = Double(correct[9] + correct[10]) / 2
        let mean = Double(correct.reduce(0, +)) / Double(correct.count) / 116 * 100
        summary.append(padded(experiment.rawValue)
            + String(format: " median %5.1f  mean %6.2f %%  range %d-%d", median, mean, correct.first ?? 0, correct.last ?? 0))
    }
    summary.forEach { print($0) }

    print("\n=== summary: final validation accuracy, seed 7 vs the tutorial ===")
    for (experiment, accuracy) in finals {
        print(padded(experiment.rawValue)
            + String(format: " Anneal %6.2f %%   tutorial %6.2f %%", accuracy, experiment.tutorialAccuracy))
    }
} catch {
    FileHandle.standardError.write(Data("anneal-tutorial: \(error)\n".utf8))
    exit(1)
}
