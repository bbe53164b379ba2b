import Anneal
import CAnneal
import Foundation
import Testing

/// Keras's built-in callbacks through C (`anneal_callback_*`): the same decisions and logs whether the core's
/// fit loop runs them (`anneal_session_fit_callbacks`) or a caller's own loop drives them one event at a time,
/// and the same epochs as the older schedule argument.
@Suite("C callbacks")
struct CallbackCAPITests {
    /// The text a callback writes through `anneal_callback_set_output`.
    final class Sink {
        var text = ""
    }

    static let collect: anneal_write_callback = { userData, text in
        guard let userData, let text else { return }
        Unmanaged<Sink>.fromOpaque(userData).takeUnretainedValue().text += String(cString: text)
    }

    static let keys = ["loss", "accuracy", "val_loss", "val_accuracy"]

    /// A tutorial model and a session over the ionosphere data (a third held out, seed 5).
    static func session(_ data: CData) -> (model: OpaquePointer?, session: OpaquePointer?) {
        let model = tutorialModel(seed: 21, learningRate: 0.1, momentum: 0.9)
        var session: OpaquePointer?
        var seed: UInt64 = 5
        ok(anneal_session_create(model, data.x, data.rows, data.columns, data.y, 1, 32, 0.33, true, &seed, &session))
        return (model, session)
    }

    /// ReduceLROnPlateau and EarlyStopping watching val_loss closely enough to act within a few epochs.
    static func watchers() -> [OpaquePointer?] {
        var plateau: OpaquePointer?
        var early: OpaquePointer?
        ok(anneal_callback_reduce_lr_on_plateau("val_loss", 0.5, 1, 0, ANNEAL_MODE_AUTO, 0.05, 1, 0.001, &plateau))
        ok(anneal_callback_early_stopping("val_loss", 0.02, 2, 0, ANNEAL_MODE_AUTO, nil, true, 0, &early))
        return [plateau, early]
    }

    /// The logs a callback's last event left.
    static func logs(of callback: OpaquePointer?) -> (keys: [String], values: [Double]) {
        var count: Int32 = 0
        ok(anneal_callback_log_count(callback, &count))
        var keys: [String] = []
        for index in 0..<count {
            var buffer = [CChar](repeating: 0, count: 64)
            ok(anneal_callback_log_key(callback, index, &buffer, 64, nil))
            keys.append(text(buffer))
        }
        var values = [Double](repeating: .nan, count: Int(count))
        ok(anneal_callback_log_values(callback, &values, count, nil))
        return (keys, values)
    }

    /// Calls `body` with the logs as C arrays.
    static func withC<R>(_ keys: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = keys.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }

    @Test("the core's fit loop and a caller's loop driving the same callbacks agree bit for bit")
    func drivenLikeTheCore() throws {
        let data = try CData.ionosphere()
        let epochs: Int32 = 30

        let (fitted, fitSession) = Self.session(data)
        let fitCallbacks = Self.watchers()
        var history: OpaquePointer?
        ok(anneal_session_fit_callbacks(fitSession, epochs, 0, fitCallbacks, 2, nil, nil, &history))
        let expected = historyValues(history)
        anneal_history_free(history)

        let (driven, drivenSession) = Self.session(data)
        let callbacks = Self.watchers()
        var recorded: [String: [Double]] = [:]
        for callback in callbacks { ok(anneal_callback_train_begin(callback, driven)) }
        var last: (keys: [String], values: [Double]) = ([], [])
        for epoch in 0..<epochs {
            var stop = false
            for callback in callbacks {
                var asked = false
                ok(anneal_callback_epoch_begin(callback, driven, epoch, &asked))
                stop = stop || asked
            }
            var values = [Double](repeating: 0, count: 8)
            var count: Int32 = 0
            ok(anneal_session_run_epoch(drivenSession, &values, 8, &count))
            last = (Self.keys, Array(values.prefix(Int(count))))
            for callback in callbacks {
                var asked = false
                Self.withC(last.keys) { keys in
                    ok(anneal_callback_epoch_end(callback, driven, epoch, keys, last.values, Int32(last.keys.count), &asked))
                }
                stop = stop || asked
                last = Self.logs(of: callback)
            }
            for (key, value) in zip(last.keys, last.values) { recorded[key, default: []].append(value) }
            if stop { break }
        }
        for callback in callbacks {
            Self.withC(last.keys) { keys in
                ok(anneal_callback_train_end(callback, driven, keys, last.values, Int32(last.keys.count)))
            }
        }

        #expect(Set(expected.keys) == Set(Self.keys + ["lr"]))
        #expect(expected["loss"]!.count < Int(epochs), "EarlyStopping should have stopped the fit")
        #expect(Set(expected["lr"]!).count > 1, "ReduceLROnPlateau should have cut the rate")
        for key in expected.keys { expectSameBits(recorded[key], expected[key], key) }
        #expect(weightBits(driven) == weightBits(fitted), "restored best weights")

        for callback in fitCallbacks + callbacks { anneal_callback_free(callback) }
        anneal_session_free(fitSession)
        anneal_session_free(drivenSession)
        anneal_model_free(fitted)
        anneal_model_free(driven)
    }

    @Test("a LearningRateScheduler handle fits as anneal_session_fit's schedule argument does")
    func schedulerAsTheScheduleArgument() throws {
        let data = try CData.ionosphere()
        var schedule: OpaquePointer?
        ok(anneal_schedule_step_decay(0.1, 0.5, 3, ANNEAL_UNIT_DEFAULT, &schedule))
        defer { anneal_schedule_free(schedule) }

        let (first, firstSession) = Self.session(data)
        var history: OpaquePointer?
        ok(anneal_session_fit(firstSession, 8, 0, schedule, nil, nil, &history))
        let expected = historyValues(history)
        anneal_history_free(history)

        let (second, secondSession) = Self.session(data)
        var scheduler: OpaquePointer?
        ok(anneal_callback_learning_rate_scheduler(schedule, 0, &scheduler))
        var list: [OpaquePointer?] = [scheduler]
        ok(anneal_session_fit_callbacks(secondSession, 8, 0, &list, 1, nil, nil, &history))
        let actual = historyValues(history)
        anneal_history_free(history)

        #expect(Set(actual.keys) == Set(expected.keys))
        for key in expected.keys { expectSameBits(actual[key], expected[key], key) }
        #expect(weightBits(first) == weightBits(second))
        anneal_callback_free(scheduler)
        for handle in [firstSession, secondSession] { anneal_session_free(handle) }
        for handle in [first, second] { anneal_model_free(handle) }
    }

    @Test("the progress logger prints Keras's lines with the epochs' values, through the chosen output")
    func progressText() throws {
        let data = try CData.ionosphere()
        let (model, session) = Self.session(data)
        var steps: Int32 = 0
        ok(anneal_session_batch_count(session, &steps))
        var progress: OpaquePointer?
        ok(anneal_callback_progress_logger(2, 3, steps, &progress))
        let sink = Sink()
        ok(anneal_callback_set_output(progress, Self.collect, Unmanaged.passUnretained(sink).toOpaque()))
        var list: [OpaquePointer?] = [progress]
        var history: OpaquePointer?
        ok(anneal_session_fit_callbacks(session, 3, 0, &list, 1, nil, nil, &history))
        let values = historyValues(history)
        anneal_history_free(history)

        var expected = ""
        for epoch in 0..<3 {
            expected += "Epoch \(epoch + 1)/3\n\(steps)/\(steps) - Ts"
            for key in Self.keys { expected += " - \(key):" + String(format: " %.4f", values[key]![epoch]) }
            expected += " - T/epoch - T/step\n"
        }
        let masked = sink.text.replacing(try Regex(#" \d+(s|ms|us)/(epoch|step)"#)) { " T/" + $0.output[2].substring! }
            .replacing(try Regex(#"/(\d+) - \d+s"#)) { "/" + $0.output[1].substring! + " - Ts" }
        #expect(masked == expected)
        anneal_callback_free(progress)
        anneal_session_free(session)
        anneal_model_free(model)
    }
}
