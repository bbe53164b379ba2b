import Foundation
import Testing

@testable import Anneal

/// `WeightsFile.write` saves through a temporary file renamed over the destination, so a process killed
/// (SIGKILL: no handler, no cleanup) in the middle of a save leaves the previous file intact and loadable.
///
/// The helper `anneal-save-loop PATH` (Tests/Helpers/SaveLoop) saves 1 MiB weights files to PATH in a loop,
/// each save numbered one more than the last; this test kills it many times over, at random moments and as soon
/// as a save's temporary file appears (so that kills do land inside saves), and after each kill loads PATH: it must decode, be one whole save (every value equal to its number), and never be
/// older than the save that was there before the helper started.
@Suite("Kill during save", .serialized)
struct KillDuringSaveTests {
    static let helper = Support.builtExecutable("anneal-save-loop")

    /// The save number held by the file at `path`, after checking that it is one whole save.
    static func saveNumber(at path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Float {
        let tensors = try WeightsFile.read(from: path)
        try #require(tensors.count == 2 && tensors[0].shape == [256, 1024] && tensors[1].shape == [1],
                     "unexpected tensors \(tensors.map(\.shape))", sourceLocation: sourceLocation)
        let number = tensors[1].values[0]
        #expect(tensors[0].values.allSatisfy { $0 == number }, "a mix of saves in one file",
                sourceLocation: sourceLocation)
        return number
    }

    @Test("SIGKILL at random moments during saves: the file is always a whole, loadable, newer save")
    func killDuringSave() throws {
        let helper = try #require(Self.helper, "anneal-save-loop not built: run `swift build` before `swift test`")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("weights.bin").path

        var generator = SystemRandomNumberGenerator()
        var previous: Float = 0
        var interruptedSaves = 0
        let rounds = 40
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = helper
            process.arguments = [path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            // Wait for the first save (the helper has then read the previous file and written a newer one).
            let ready = output.fileHandleForReading.readData(ofLength: 6)
            try #require(String(decoding: ready, as: UTF8.self) == "ready\n",
                         "round \(round): the helper said \(String(decoding: ready, as: UTF8.self))")
            if round.isMultiple(of: 2) {
                // At a random moment.
                usleep(UInt32.random(in: 0...40_000, using: &generator))
            } else {
                // As soon as a temporary file shows up: between its creation and its rename, if we are quick.
                let deadline = Date().addingTimeInterval(5)
                while Date() < deadline,
                      !((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                          .contains(where: { $0.hasPrefix(".weights.bin.tmp-") }) {}
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                     "round \(round): the helper ended by itself (status \(process.terminationStatus))")

            let number = try Self.saveNumber(at: path)
            #expect(number > previous, "round \(round): save \(number) after save \(previous)")
            previous = number

            // A temporary file left behind means the kill landed inside a save, between create and rename.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasPrefix(".weights.bin.tmp-") }
            interruptedSaves += leftovers.count
            for name in leftovers { try FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        }
        // Kills on sight of a temporary file must sometimes land before its rename.
        #expect(interruptedSaves > 0, "no kill interrupted a save in \(rounds) rounds: the test proves nothing")
    }
}
