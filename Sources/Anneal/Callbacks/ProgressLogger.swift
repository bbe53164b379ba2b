#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Prints training progress exactly as Keras 2's `ProgbarLogger` and `Progbar` do.
///
/// ```
/// verbose=2:  Epoch 1/50
///             9/9 - 0s - loss: 0.6740 - accuracy: 0.7234 - val_loss: 0.6051 - val_accuracy: 0.8448 - 31ms/epoch - 3ms/step
/// verbose=1:  9/9 [==============================] - 0s 2ms/step - loss: 0.6740 - accuracy: 0.7234 - ...
/// ```
/// Values print as `%.4f` when above 1e-3, otherwise `%.4e`. `Epoch i/N` is printed only when N > 1.
/// The fit loop adds it after the user's callbacks and History, as Keras does. `effective_lr` is not printed.
public final class ProgressLogger: Callback {
    public let verbose: Int
    public let epochs: Int
    public let steps: Int
    static let width = 30
    /// Anneal's extra log key stays in History and CSV logs but off the console, so the lines are Keras's own.
    static let unprintedKey = "effective_lr"
    static let interval = 0.05

    private var start = 0.0
    private var lastUpdate = 0.0
    private var totalWidth = 0
    private var timeAfterFirstStep: Double?

    /// Prints `epochs` epochs of `steps` batches to the model's `output`; `verbose` is 1 (a bar) or 2 (a line).
    public init(verbose: Int, epochs: Int, steps: Int) throws {
        guard verbose == 1 || verbose == 2 else {
            throw AnnealError.invalidArgument(
                "the progress logger prints with verbose 1 (a bar) or 2 (one line per epoch). Received: verbose=\(verbose)")
        }
        guard epochs >= 0, steps >= 0 else {
            throw AnnealError.invalidArgument(
                "the progress logger needs non-negative epochs and steps. Received: epochs=\(epochs), steps=\(steps)")
        }
        self.verbose = verbose
        self.epochs = epochs
        self.steps = steps
    }

    public func onEpochBegin(_ epoch: Int, model: Sequential) throws {
        if epochs > 1 { model.output("Epoch \(epoch + 1)/\(epochs)\n") }
        start = monotonicSeconds()
        lastUpdate = 0
        totalWidth = 0
        timeAfterFirstStep = nil
    }

    public func onTrainBatchEnd(_ batch: Int, logs: Logs, model: Sequential) throws {
        guard verbose == 1, batch + 1 < steps else { return }
        update(current: batch + 1, logs: logs, finalize: false, write: model.output)
    }

    public func onEpochEnd(_ epoch: Int, logs: inout Logs, model: Sequential) throws {
        update(current: steps, logs: logs, finalize: true, write: model.output)
    }

    private func update(current: Int, logs: Logs, finalize: Bool, write: (String) -> Void) {
        let now = monotonicSeconds()
        let elapsed = cFormat(" - %.0fs", now - start)
        let timePerStep = estimateStepDuration(current: current, now: now)
        if verbose == 1 {
            if now - lastUpdate < Self.interval && !finalize { return }
            var message = String(repeating: "\u{8}", count: totalWidth) + "\r"
            let numberWidth = String(steps).count
            var bar = cFormat("%\(numberWidth)ld/%ld [", current, steps)
            let progressWidth = Int(Double(Self.width) * Double(current) / Double(max(steps, 1)))
            if progressWidth > 0 {
                bar += String(repeating: "=", count: progressWidth - 1) + (current < steps ? ">" : "=")
            }
            bar += String(repeating: ".", count: Self.width - progressWidth) + "]"
            let previousWidth = totalWidth
            totalWidth = bar.count
            message += bar
            var info: String
            if finalize {
                info = elapsed + Self.formatTime(timePerStep, unit: "step")
            } else {
                let eta = timePerStep * Double(steps - current)
                let etaText: String
                if eta > 3600 {
                    etaText = cFormat("%ld:%02ld:%02ld", Int(eta) / 3600, (Int(eta) % 3600) / 60, Int(eta) % 60)
                } else if eta > 60 {
                    etaText = cFormat("%ld:%02ld", Int(eta) / 60, Int(eta) % 60)
                } else {
                    etaText = "\(Int(eta))s"
                }
                info = " - ETA: " + etaText
            }
            for entry in logs.entries where entry.key != Self.unprintedKey {
                let value = Self.printed(entry)
                info += " - \(entry.key):" + (abs(value) > 1e-3 ? cFormat(" %.4f", value) : cFormat(" %.4e", value))
            }
            totalWidth += info.count
            if previousWidth > totalWidth { info += String(repeating: " ", count: previousWidth - totalWidth) }
            if finalize { info += "\n" }
            write(message + info)
        } else if finalize {
            let numberWidth = String(steps).count
            var info = cFormat("%\(numberWidth)ld/%ld", current, steps) + elapsed
            for entry in logs.entries where entry.key != Self.unprintedKey {
                let value = Self.printed(entry)
                info += " - \(entry.key):" + (value > 1e-3 ? cFormat(" %.4f", value) : cFormat(" %.4e", value))
            }
            let epochTime = now - start
            info += " -" + Self.formatTime(epochTime, unit: "epoch")
            info += " -" + Self.formatTime(epochTime / Double(max(steps, 1)), unit: "step")
            write(info + "\n")
        }
        lastUpdate = now
    }

    /// The number Keras's `Progbar` prints for a log entry: the value, or for a metric of several thresholds
    /// `np.mean` of its float32 array: numpy's pairwise float32 sum divided by the count in float32.
    static func printed(_ entry: Logs.Entry) -> Double {
        guard entry.isVector else { return entry.values[0] }
        let values = entry.values.map(Float.init)
        return Double(pairwiseSum(values[...]) / Float(values.count))
    }

    /// numpy's `pairwise_sum` for float32: in order below 8 values; up to 128, eight running sums combined as
    /// ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) and then the rest added in order; above, the two
    /// halves (the first a multiple of 8 long) summed apart.
    static func pairwiseSum(_ values: ArraySlice<Float>) -> Float {
        let n = values.count, start = values.startIndex
        if n < 8 {
            var sum: Float = 0
            for value in values { sum += value }
            return sum
        }
        if n <= 128 {
            var r = Array(values[start..<(start + 8)])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += values[start + i + j] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += values[start + i]
                i += 1
            }
            return sum
        }
        let half = n / 2 - (n / 2) % 8
        return pairwiseSum(values[start..<(start + half)]) + pairwiseSum(values[(start + half)...])
    }

    private func estimateStepDuration(current: Int, now: Double) -> Double {
        guard current > 0 else { return 0 }
        let perStep: Double
        if let timeAfterFirstStep, current > 1 {
            perStep = (now - timeAfterFirstStep) / Double(current - 1)
        } else {
            perStep = (now - start) / Double(current)
        }
        if current == 1 { timeAfterFirstStep = now }
        return perStep
    }

    /// Keras's `_format_time`: whole seconds, milliseconds or microseconds per unit.
    static func formatTime(_ seconds: Double, unit: String) -> String {
        if seconds >= 1 || seconds == 0 { return cFormat(" %.0fs/", seconds) + unit }
        if seconds >= 1e-3 { return cFormat(" %.0fms/", seconds * 1000) + unit }
        return cFormat(" %.0fus/", seconds * 1_000_000) + unit
    }
}

/// Seconds on the monotonic clock: progress timings and `TrainingSession.runEpochs`' time limit.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
