// anneal-save-loop PATH: saves weights to PATH over and over until it is killed; a helper of
// Tests/AnnealTests/KillDuringSaveTests.swift, which SIGKILLs it at random moments.
//
// Save number k holds two tensors: shape [256, 1024] filled with Float(k) (1 MiB, so a save takes a while) and
// shape [1] holding k. The loop starts after the k found in PATH (0 when there is none), prints "ready" once
// its first save is done, exits 1 with a message on any error, and stops when its parent is gone.
import Anneal

#if canImport(Glibc)
import Glibc
#endif

// Ends with the test process: a test run that is itself killed must not leave this loop writing forever.
let parent = getppid()

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    print("usage: anneal-save-loop PATH")
    exit(2)
}
let path = arguments[1]
var k: Float = 0
if access(path, F_OK) == 0 {
    do {
        k = try WeightsFile.read(from: path)[1].values[0]
    } catch {
        print("cannot read \(path): \(error)")
        exit(1)
    }
}
var first = true
while getppid() == parent {
    k += 1
    let tensors = [
        WeightTensor(shape: [256, 1024], values: [Float](repeating: k, count: 256 * 1024)),
        WeightTensor(shape: [1], values: [k]),
    ]
    do {
        try WeightsFile.write(tensors, to: path)
    } catch {
        print("cannot save \(path): \(error)")
        exit(1)
    }
    if first {
        print("ready")
        fflush(nil)
        first = false
    }
}
