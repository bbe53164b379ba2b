import Anneal
import Foundation
import Testing

// Expected values were computed independently with python3 (CPython floats, i.e. Double; numpy.float32 where
// noted), by transcribing the formulas from the reference sources, not by running Anneal:
// - the tutorial's `step_decay` and its printed time-based-decay table;
// - keras-team/keras `keras/src/optimizers/schedules/learning_rate_schedule.py` (Keras 3) and the legacy SGD
//   `lr / (1 + decay * iterations)` of tf_keras;
// - pytorch/pytorch `torch/optim/lr_scheduler.py` (the `_get_closed_form_lr` / `get_lr` expressions).
// Each test quotes the Python expression it was checked against. Numbers are `repr(float(x))`.

/// Checks `schedule` at each `(step, rate)` pair.
private func expectRates(
    _ schedule: some LearningRateSchedule, _ expected: KeyValuePairs<Int, Double>,
    tolerance: Double = Tolerance.schedule, sourceLocation: SourceLocation = #_sourceLocation
) {
    for (step, rate) in expected {
        let actual = schedule.learningRate(at: step)
        #expect(
            isClose(actual, rate, tolerance: tolerance),
            "step \(step): got \(actual), expected \(rate)", sourceLocation: sourceLocation)
    }
}

/// Checks that `body` throws `AnnealError.invalidArgument` with exactly `message`.
private func expectInvalidArgument(
    _ message: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any
) {
    #expect(throws: AnnealError(.invalidArgument, message), sourceLocation: sourceLocation) { _ = try body() }
}

/// A golden Keras run from the test fixtures, as JSON.
private func fixture(_ name: String) throws -> [String: Any] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

struct ScheduleTests {
    // MARK: - The tutorial's schedules

    @Test func stepDecayMatchesTheTutorial() throws {
        let schedule = try StepDecay()
        #expect(schedule.unit == .epoch)
        // initial * math.pow(drop, math.floor((1 + epoch) / epochs_drop)), 0.1, 0.5, 10.0
        expectRates(schedule, [0: 0.1, 8: 0.1, 9: 0.05, 18: 0.05, 19: 0.025, 28: 0.025, 29: 0.0125, 99: 9.765625e-05])
        // Every epoch 0...99 sits in the block floor((1 + e) / 10): 0.1 * 0.5 ** block, exact in binary.
        let blocks = [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.0015625, 0.00078125, 0.000390625,
                      0.0001953125, 9.765625e-05]
        for epoch in 0..<100 {
            #expect(schedule.learningRate(at: epoch) == blocks[(1 + epoch) / 10], "epoch \(epoch)")
        }
        // step_decay with initial 0.2, drop 0.1, epochs_drop 3.0
        expectRates(try StepDecay(initialRate: 0.2, drop: 0.1, epochsDrop: 3),
                    [0: 0.2, 1: 0.2, 2: 0.020000000000000004, 5: 0.0020000000000000005, 6: 0.0020000000000000005])
    }

    @Test func stepDecayReproducesTheKerasSchedulerRun() throws {
        // step.json: the `lr` Keras's LearningRateScheduler(step_decay) recorded for each of 50 epochs (float32).
        let history = try #require(try fixture("step")["history"] as? [String: Any])
        let recorded = try #require(history["lr"] as? [Double])
        #expect(recorded.count == 50)
        let schedule = try StepDecay()
        for (epoch, rate) in recorded.enumerated() {
            #expect(Float(schedule.learningRate(at: epoch)) == Float(rate), "epoch \(epoch)")
        }
    }

    @Test func timeDecayIsKerasLegacyDecayInFloat32() throws {
        let schedule = try TimeDecay(initialRate: 0.1, decay: 0.001)
        #expect(schedule.unit == .update)
        // np.float32(0.1) / (np.float32(1) + np.float32(0.001) * np.float32(step))
        expectRates(schedule, [0: 0.10000000149011612, 1: 0.09990009665489197, 2: 0.09980040043592453,
                               3: 0.09970089793205261, 4: 0.09960159659385681, 1000: 0.05000000074505806,
                               123456: 0.0008034967468120158])
        // The same in Double: 0.1 / (1 + 0.001 * step); float32 rounding is the only difference.
        expectRates(schedule, [1: 0.09990009990009992, 2: 0.0998003992015968, 3: 0.09970089730807578,
                               4: 0.09960159362549802], tolerance: Tolerance.float32)
    }

    @Test func timeDecayReproducesTheKerasDecayRun() throws {
        // time.json: SGD(learning_rate=0.1, decay=0.002), 235 training rows in batches of 28, so 9 updates an
        // epoch; `lr_after_epoch[k]` is the rate Keras uses after 9 * (k + 1) updates, recorded in float32.
        let run = try fixture("time")
        let recorded = try #require(run["lr_after_epoch"] as? [Double])
        #expect(recorded.count == 50)
        let schedule = try TimeDecay(initialRate: 0.1, decay: 0.002)
        for (epoch, rate) in recorded.enumerated() {
            #expect(Float(schedule.learningRate(at: 9 * (epoch + 1))) == Float(rate), "epoch \(epoch)")
        }
    }

    @Test func tutorialCompoundingDecayIsTheTutorialsTable() throws {
        let schedule = try TutorialCompoundingDecay(initialRate: 0.1, decay: 0.001)
        #expect(schedule.unit == .epoch)
        // x = 0.1; for i in range(1, k + 1): x = x / (1 + 0.001 * i)
        expectRates(schedule, [0: 0.1, 1: 0.09990009990009992, 2: 0.09970069850309372, 3: 0.09940249103000372,
                               4: 0.09900646516932642, 10: 0.09466664152803839, 50: 0.028534294916414255])
        // It is not Keras's decay: from step 2 on it is below TimeDecay's 0.0998003992.
        #expect(schedule.learningRate(at: 2) < (try TimeDecay(initialRate: 0.1, decay: 0.001)).learningRate(at: 2))
    }

    // MARK: - Keras schedules

    @Test func exponentialDecay() throws {
        let smooth = try ExponentialDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.96)
        #expect(smooth.unit == .update)
        // 0.1 * math.pow(0.96, step / 10)
        expectRates(smooth, [0: 0.1, 1: 0.09959261213978507, 5: 0.09797958971132713, 10: 0.096,
                             15: 0.09406040612287403, 100: 0.06648326359915008])
        // 0.1 * math.pow(0.96, math.floor(step / 10))
        let stairs = try ExponentialDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.96, staircase: true)
        expectRates(stairs, [0: 0.1, 9: 0.1, 10: 0.096, 15: 0.096, 20: 0.09216, 100: 0.06648326359915008])
    }

    @Test func inverseTimeDecay() throws {
        // 0.1 / (1 + 0.5 * step / 1)
        expectRates(try InverseTimeDecay(initialRate: 0.1, decaySteps: 1, decayRate: 0.5),
                    [0: 0.1, 1: 0.06666666666666667, 2: 0.05, 10: 0.016666666666666666])
        // 0.1 / (1 + 0.5 * step / 10), and with math.floor(step / 10)
        expectRates(try InverseTimeDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.5),
                    [0: 0.1, 5: 0.08, 10: 0.06666666666666667, 25: 0.044444444444444446])
        expectRates(try InverseTimeDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true),
                    [0: 0.1, 5: 0.1, 10: 0.06666666666666667, 25: 0.05])
        // decay_steps=1 is the legacy decay, in Double: 0.1 / (1 + 0.001 * step)
        let legacy = try InverseTimeDecay(initialRate: 0.1, decaySteps: 1, decayRate: 0.001)
        expectRates(legacy, [0: 0.1, 1: 0.09990009990009992, 2: 0.0998003992015968, 3: 0.09970089730807578,
                             4: 0.09960159362549802])
        // and agrees with TimeDecay's float32 computation up to float32 rounding.
        let timeDecay = try TimeDecay(initialRate: 0.1, decay: 0.001)
        for step in [0, 1, 10, 1000, 100_000] {
            #expect(isClose(legacy.learningRate(at: step), timeDecay.learningRate(at: step),
                            tolerance: Tolerance.float32), "step \(step)")
        }
    }

    @Test func piecewiseConstantDecay() throws {
        // Keras's docstring example: values[0] while step <= 100000, values[1] while <= 110000, then values[2].
        let schedule = try PiecewiseConstantDecay(boundaries: [100_000, 110_000], values: [1.0, 0.5, 0.1])
        #expect(schedule.unit == .update)
        expectRates(schedule, [0: 1.0, 100_000: 1.0, 100_001: 0.5, 110_000: 0.5, 110_001: 0.1, 1_000_000: 0.1])
        expectRates(try PiecewiseConstantDecay(boundaries: [0], values: [0.3, 0.2]), [0: 0.3, 1: 0.2])
    }

    @Test func polynomialDecay() throws {
        // (0.1 - 1e-4) * (1 - min(step, 100) / 100) ** 1 + 1e-4
        let linear = try PolynomialDecay(initialRate: 0.1, decaySteps: 100)
        #expect(linear.unit == .update)
        expectRates(linear, [0: 0.1, 25: 0.07502500000000001, 50: 0.050050000000000004, 100: 0.0001, 150: 0.0001])
        // end 0.01, power 0.5
        expectRates(try PolynomialDecay(initialRate: 0.1, decaySteps: 10, endRate: 0.01, power: 0.5),
                    [0: 0.1, 3: 0.08529940238806681, 9: 0.03846049894151541, 10: 0.01, 20: 0.01])
        // cycle: decay_steps * (1.0 if step == 0 else math.ceil(step / decay_steps)); end 0.01, power 2
        let cycling = try PolynomialDecay(initialRate: 0.1, decaySteps: 10, endRate: 0.01, power: 2, cycle: true)
        expectRates(cycling, [0: 0.1, 5: 0.0325, 10: 0.01, 11: 0.028225, 15: 0.015625, 20: 0.01,
                              21: 0.018100000000000005, 30: 0.01])
    }

    @Test func cosineDecay() throws {
        // 0.1 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * min(step, 100) / 100)) + alpha)
        let plain = try CosineDecay(initialRate: 0.1, decaySteps: 100)
        #expect(plain.unit == .update)
        expectRates(plain, [0: 0.1, 25: 0.08535533905932738, 50: 0.05, 75: 0.014644660940672627, 100: 0, 200: 0])
        expectRates(try CosineDecay(initialRate: 0.1, decaySteps: 100, alpha: 0.1),
                    [0: 0.1, 30: 0.08145033635316129, 100: 0.010000000000000002, 150: 0.010000000000000002])
        // Keras 3 warmup: (target - initial) * (s / warmup_steps) + initial while s < warmup_steps, then the
        // decay from the target over s - warmup_steps, with s = min(step, decay_steps + warmup_steps).
        let warm = try CosineDecay(initialRate: 0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10)
        expectRates(warm, [0: 0, 1: 0.010000000000000002, 5: 0.05, 9: 0.09000000000000001, 10: 0.1,
                           11: 0.09997532801828658, 60: 0.05, 110: 0, 500: 0])
        let warmAlpha = try CosineDecay(initialRate: 0.01, decaySteps: 20, alpha: 0.2, warmupTarget: 0.1,
                                        warmupSteps: 4)
        expectRates(warmAlpha, [0: 0.01, 2: 0.05500000000000001, 4: 0.1, 9: 0.08828427124746191,
                                24: 0.020000000000000004, 30: 0.020000000000000004])
        // A target with no warmup steps decays from the target at once; warmup steps without a target are ignored.
        expectRates(try CosineDecay(initialRate: 0.01, decaySteps: 20, warmupTarget: 0.1),
                    [0: 0.1, 5: 0.08535533905932738, 20: 0])
        expectRates(try CosineDecay(initialRate: 0.1, decaySteps: 100, warmupSteps: 50),
                    [0: 0.1, 25: 0.08535533905932738, 50: 0.05])
    }

    @Test func cosineDecayRestarts() throws {
        // Period i lasts 10 * 2**i steps (restarts at 10, 30, 70, 150); within it
        // 0.1 * ((1 - alpha) * 0.5 * m_mul**i * (1 + math.cos(math.pi * fraction)) + alpha)
        let doubling = try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10)
        #expect(doubling.unit == .update)
        expectRates(doubling, [0: 0.1, 5: 0.05, 9: 0.0024471741852423235, 10: 0.1, 20: 0.05,
                               29: 0.0006155829702431171, 30: 0.1, 50: 0.05, 69: 0.0001541333133436018, 70: 0.1,
                               150: 0.1])
        // t_mul 1, m_mul 0.5, alpha 0.1
        expectRates(try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10, tMul: 1, mMul: 0.5, alpha: 0.1),
                    [0: 0.1, 5: 0.05500000000000001, 10: 0.05500000000000001, 15: 0.0325, 25: 0.021250000000000005])
        // t_mul 3 from 1 step: restarts at 1, 4, 13, 40, 121. At 121, log(243) / log(3) in Double is
        // 4.999..., Keras's float32 gives 5: the step must restart, not end the previous period.
        expectRates(try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 1, tMul: 3),
                    [0: 0.1, 1: 0.1, 2: 0.07500000000000001, 3: 0.025000000000000012, 4: 0.1, 13: 0.1, 40: 0.1,
                     121: 0.1, 122: 0.09999582149277186])
        // t_mul 1.5, m_mul 0.9, alpha 0.05: periods of 4, 6, 9 steps (restarts at 4, 10, 19)
        expectRates(try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 4, tMul: 1.5, mMul: 0.9, alpha: 0.05),
                    [0: 0.1, 3: 0.018912427893638995, 4: 0.09050000000000001, 7: 0.04775, 10: 0.08195000000000001,
                     19: 0.07425500000000002])
    }

    // MARK: - PyTorch schedules

    @Test func stepLR() throws {
        // base_lr * gamma ** (last_epoch // step_size)
        let schedule = try StepLR(initialRate: 0.1, stepSize: 10)
        #expect(schedule.unit == .epoch)
        expectRates(schedule, [0: 0.1, 9: 0.1, 10: 0.010000000000000002, 19: 0.010000000000000002,
                               20: 0.0010000000000000002, 35: 0.00010000000000000003])
        // PyTorch's docstring: 0.05 for epochs < 30, 0.005 for 30...59, 0.0005 for 60...89
        expectRates(try StepLR(initialRate: 0.05, stepSize: 30),
                    [0: 0.05, 29: 0.05, 30: 0.005000000000000001, 60: 0.0005000000000000001,
                     90: 5.0000000000000016e-05])
        // It drops one epoch after the tutorial's StepDecay with the same period.
        let tutorial = try StepDecay(initialRate: 0.1, drop: 0.1, epochsDrop: 10)
        #expect(tutorial.learningRate(at: 9) < schedule.learningRate(at: 9))
    }

    @Test func multiStepLR() throws {
        // base_lr * gamma ** bisect_right(sorted(milestones), last_epoch)
        let schedule = try MultiStepLR(initialRate: 0.05, milestones: [30, 80])
        #expect(schedule.unit == .epoch)
        expectRates(schedule, [0: 0.05, 29: 0.05, 30: 0.005000000000000001, 79: 0.005000000000000001,
                               80: 0.0005000000000000001, 100: 0.0005000000000000001])
        // Unsorted, with a repeated milestone (counted twice, as PyTorch's Counter does), gamma 0.5
        let repeated = try MultiStepLR(initialRate: 1, milestones: [5, 5, 2], gamma: 0.5)
        #expect(repeated.milestones == [2, 5, 5])
        expectRates(repeated, [0: 1, 1: 1, 2: 0.5, 4: 0.5, 5: 0.125, 9: 0.125])
    }

    @Test func exponentialLR() throws {
        // 0.1 * 0.95 ** last_epoch
        let schedule = try ExponentialLR(initialRate: 0.1, gamma: 0.95)
        #expect(schedule.unit == .epoch)
        expectRates(schedule, [0: 0.1, 1: 0.095, 2: 0.09025, 10: 0.05987369392383787, 100: 0.0005920529220333997])
    }

    @Test func cosineAnnealingLR() throws {
        // eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * last_epoch / T_max)) / 2
        let schedule = try CosineAnnealingLR(initialRate: 0.1, tMax: 10)
        #expect(schedule.unit == .epoch)
        expectRates(schedule, [0: 0.1, 1: 0.09755282581475769, 5: 0.05, 9: 0.0024471741852423235, 10: 0,
                               15: 0.04999999999999999, 20: 0.1])
        expectRates(try CosineAnnealingLR(initialRate: 0.1, tMax: 50, etaMin: 0.001),
                    [0: 0.1, 10: 0.0905463412215599, 25: 0.0505, 50: 0.001])
    }

    @Test func cosineAnnealingWarmRestarts() throws {
        // PyTorch's step() from the start: T_cur += 1; if T_cur >= T_i: T_cur %= T_i; T_i *= T_mult; then
        // eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2
        let fixed = try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 10)
        #expect(fixed.unit == .epoch)
        expectRates(fixed, [0: 0.1, 3: 0.07938926261462366, 9: 0.0024471741852423235, 10: 0.1,
                            13: 0.07938926261462366, 25: 0.05])
        // T_0 5, T_mult 2, eta_min 0.01: restarts at 5, 15, 35
        expectRates(try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 5, tMult: 2, etaMin: 0.01),
                    [0: 0.1, 4: 0.01859423525312737, 5: 0.1, 10: 0.05500000000000001, 14: 0.012202456766718092,
                     15: 0.1, 34: 0.010554024673218806, 35: 0.1, 40: 0.0965745789630079])
        // T_0 1, T_mult 10: restarts at 1, 11, 111 (where a float logarithm would misplace the restart)
        expectRates(try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 1, tMult: 10),
                    [0: 0.1, 1: 0.1, 5: 0.06545084971874737, 10: 0.0024471741852423235, 11: 0.1, 111: 0.1,
                     500: 0.06708460539457416])
    }

    @Test func oneCycleLR() throws {
        // OneCycleLR.get_lr: phases ending at float(pct_start * total) - 1 and total - 1;
        // cos: end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1); linear: (end - start) * pct + start
        let cosine = try OneCycleLR(maxRate: 0.1, totalSteps: 100)
        #expect(cosine.unit == .update)
        expectRates(cosine, [0: 0.0040000000000000036, 10: 0.029516394846410082, 29: 0.1, 30: 0.09994965352845243,
                             50: 0.0793893450575732, 99: 4e-07])
        let linear = try OneCycleLR(maxRate: 0.1, totalSteps: 100, annealStrategy: .linear)
        expectRates(linear, [0: 0.004, 10: 0.037103448275862067, 29: 0.1, 30: 0.09857143428571429,
                             50: 0.07000012, 99: 3.999999999976245e-07])
        // three_phase=True, pct_start 0.25 over 20 steps: up to 4, down to 8, then to max_lr / 25 / 1e4
        let threePhase = try OneCycleLR(maxRate: 1, totalSteps: 20, pctStart: 0.25, threePhase: true)
        expectRates(threePhase, [0: 0.040000000000000036, 2: 0.52, 4: 1, 6: 0.52, 8: 0.04,
                                 10: 0.036825388149557964, 19: 4e-06])
        // A fractional first phase end: pct_start 0.3 of 10 steps ends the climb at step 2.
        expectRates(try OneCycleLR(maxRate: 0.1, totalSteps: 10),
                    [0: 0.0040000000000000036, 1: 0.052000000000000005, 2: 0.1, 3: 0.09504846320134738, 9: 4e-07])
        // Past the cycle (PyTorch raises beyond total_steps) the rate stays at the final max_lr / 25 / 1e4.
        #expect(cosine.initialRate == 0.1 / 25)
        #expect(cosine.minimumRate == 0.1 / 25 / 1e4)
        expectRates(cosine, [100: 4e-07, 101: 4e-07, 1_000_000: 4e-07])
        expectRates(linear, [100: 4e-07])
    }

    @Test func cyclicLR() throws {
        // cycle = math.floor(1 + i / total); x = 1.0 + i / total - cycle;
        // factor = x / ratio if x <= ratio else (x - 1) / (ratio - 1);
        // base + (max - base) * factor * scale, scale 1, 1 / 2.0 ** (cycle - 1) or gamma ** i
        let triangular = try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 10)
        #expect(triangular.unit == .update)
        #expect(triangular.stepSizeDown == 10)
        expectRates(triangular, [0: 0.01, 1: 0.01900000000000001, 5: 0.05500000000000001, 10: 0.1,
                                 15: 0.05500000000000001, 20: 0.01, 21: 0.01899999999999997, 25: 0.05500000000000001])
        expectRates(try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 4, stepSizeDown: 6),
                    [0: 0.01, 2: 0.055, 4: 0.09999999999999999, 7: 0.055000000000000014, 10: 0.01,
                     12: 0.05500000000000005])
        expectRates(try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 5, mode: .triangular2),
                    [0: 0.01, 5: 0.1, 10: 0.01, 15: 0.05500000000000001, 25: 0.0325, 35: 0.02125])
        expectRates(try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 5, mode: .exponentialRange, gamma: 0.99),
                    [0: 0.01, 3: 0.06239614600000001, 5: 0.095589104491, 15: 0.08740525191771596, 100: 0.01])
        // The defaults: 2000 steps up, 2000 down
        expectRates(try CyclicLR(baseRate: 0.001, maxRate: 0.006),
                    [0: 0.001, 500: 0.0022500000000000003, 2000: 0.006, 3000: 0.0035, 4000: 0.001])
    }

    @Test func linearLR() throws {
        // base_lr * (start_factor + (end_factor - start_factor) * min(total_iters, last_epoch) / total_iters)
        let warmup = try LinearLR(initialRate: 0.05)
        #expect(warmup.unit == .epoch)
        expectRates(warmup, [0: 0.016666666666666666, 1: 0.023333333333333334, 2: 0.030000000000000006,
                             4: 0.043333333333333335, 5: 0.05, 10: 0.05])
        expectRates(try LinearLR(initialRate: 0.05, startFactor: 0.05, totalIters: 40),
                    [0: 0.0025000000000000005, 1: 0.0036875000000000007, 2: 0.004875000000000001, 3: 0.0060625,
                     40: 0.05, 50: 0.05])
        // A linear decay: factor 1 down to 0.1 over 4 epochs
        expectRates(try LinearLR(initialRate: 0.1, startFactor: 1, endFactor: 0.1, totalIters: 4),
                    [0: 0.1, 2: 0.05500000000000001, 4: 0.009999999999999998, 9: 0.009999999999999998])
    }

    // MARK: - Combinators

    @Test func sequentialScheduleHandsOverAtMilestones() throws {
        // SequentialLR: LinearLR(0.1) until 5, CosineAnnealingLR(0.1, T_max 10) from 5, ExponentialLR(0.02,
        // gamma 0.5) from 15; each later schedule sees last_epoch - milestone.
        let schedule = try SequentialSchedule(
            [LinearLR(initialRate: 0.1), CosineAnnealingLR(initialRate: 0.1, tMax: 10),
             ExponentialLR(initialRate: 0.02, gamma: 0.5)],
            milestones: [5, 15])
        #expect(schedule.unit == .epoch)
        expectRates(schedule, [0: 0.03333333333333333, 4: 0.08666666666666667, 5: 0.1, 6: 0.09755282581475769,
                               10: 0.05, 14: 0.0024471741852423235, 15: 0.02, 16: 0.01, 20: 0.000625])
        let single = try SequentialSchedule([ConstantSchedule(0.3, unit: .epoch)], milestones: [])
        expectRates(single, [0: 0.3, 1000: 0.3])
    }

    @Test func closureAndConstantSchedules() throws {
        let closure = ClosureSchedule(unit: .epoch) { epoch in epoch < 3 ? 0.1 : 0.01 }
        #expect(closure.unit == .epoch)
        expectRates(closure, [0: 0.1, 2: 0.1, 3: 0.01])
        let constant = try ConstantSchedule(0.25)
        #expect(constant.unit == .update)
        expectRates(constant, [0: 0.25, 7: 0.25, 1_000_000: 0.25])
    }

    @Test func unitsCanBeOverridden() throws {
        #expect(try StepDecay(unit: .update).unit == .update)
        #expect(try TimeDecay(initialRate: 0.1, decay: 0, unit: .epoch).unit == .epoch)
        #expect(try CosineDecay(initialRate: 0.1, decaySteps: 5, unit: .epoch).unit == .epoch)
        #expect(try OneCycleLR(maxRate: 0.1, totalSteps: 5, unit: .epoch).unit == .epoch)
        #expect(try StepLR(initialRate: 0.1, stepSize: 5, unit: .update).unit == .update)
    }

    // MARK: - Argument checks

    @Test func ratesMustBeFiniteAndNonNegative() {
        expectInvalidArgument("initial_rate must be a finite, non-negative learning rate. Received: initial_rate=-0.1") {
            try StepDecay(initialRate: -0.1)
        }
        expectInvalidArgument("initial_rate must be a finite, non-negative learning rate. Received: initial_rate=nan") {
            try ExponentialDecay(initialRate: .nan, decaySteps: 1, decayRate: 0.5)
        }
        expectInvalidArgument("initial_rate must be a finite, non-negative learning rate. Received: initial_rate=inf") {
            try StepLR(initialRate: .infinity, stepSize: 1)
        }
        expectInvalidArgument("end_rate must be a finite, non-negative learning rate. Received: end_rate=-1.0") {
            try PolynomialDecay(initialRate: 0.1, decaySteps: 10, endRate: -1)
        }
        expectInvalidArgument("warmup_target must be a finite, non-negative learning rate. Received: warmup_target=-0.5") {
            try CosineDecay(initialRate: 0, decaySteps: 10, warmupTarget: -0.5, warmupSteps: 2)
        }
        expectInvalidArgument("eta_min must be a finite, non-negative learning rate. Received: eta_min=-0.001") {
            try CosineAnnealingLR(initialRate: 0.1, tMax: 10, etaMin: -0.001)
        }
        expectInvalidArgument("max_rate must be a finite, non-negative learning rate. Received: max_rate=inf") {
            try CyclicLR(baseRate: 0.01, maxRate: .infinity)
        }
        expectInvalidArgument("rate must be a finite, non-negative learning rate. Received: rate=-1.0") {
            try ConstantSchedule(-1)
        }
        expectInvalidArgument("values must be finite, non-negative learning rates. Received: values=[0.1, -0.1]") {
            try PiecewiseConstantDecay(boundaries: [5], values: [0.1, -0.1])
        }
    }

    @Test func stepCountsMustBePositive() {
        expectInvalidArgument("decay_steps must be positive. Received: decay_steps=0") {
            try ExponentialDecay(initialRate: 0.1, decaySteps: 0, decayRate: 0.96)
        }
        expectInvalidArgument("decay_steps must be positive. Received: decay_steps=-5") {
            try InverseTimeDecay(initialRate: 0.1, decaySteps: -5, decayRate: 0.5)
        }
        expectInvalidArgument("decay_steps must be positive. Received: decay_steps=0") {
            try PolynomialDecay(initialRate: 0.1, decaySteps: 0)
        }
        expectInvalidArgument("decay_steps must be positive. Received: decay_steps=0") {
            try CosineDecay(initialRate: 0.1, decaySteps: 0)
        }
        expectInvalidArgument("warmup_steps must be non-negative. Received: warmup_steps=-1") {
            try CosineDecay(initialRate: 0.1, decaySteps: 10, warmupTarget: 0.2, warmupSteps: -1)
        }
        expectInvalidArgument("first_decay_steps must be positive. Received: first_decay_steps=0") {
            try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 0)
        }
        expectInvalidArgument("epochs_drop must be positive. Received: epochs_drop=0.0") {
            try StepDecay(epochsDrop: 0)
        }
        expectInvalidArgument("step_size must be positive. Received: step_size=0") {
            try StepLR(initialRate: 0.1, stepSize: 0)
        }
        expectInvalidArgument("t_max must be positive. Received: t_max=0") {
            try CosineAnnealingLR(initialRate: 0.1, tMax: 0)
        }
        expectInvalidArgument("t_0 must be positive. Received: t_0=0") {
            try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 0)
        }
        expectInvalidArgument("total_steps must be positive. Received: total_steps=0") {
            try OneCycleLR(maxRate: 0.1, totalSteps: 0)
        }
        expectInvalidArgument("step_size_up must be positive. Received: step_size_up=0") {
            try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 0)
        }
        expectInvalidArgument("step_size_down must be non-negative. Received: step_size_down=-1") {
            try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeDown: -1)
        }
        expectInvalidArgument("total_iters must be positive. Received: total_iters=0") {
            try LinearLR(initialRate: 0.1, totalIters: 0)
        }
    }

    @Test func factorsMustBeInRange() {
        expectInvalidArgument("decay must be a finite, non-negative number. Received: decay=-0.001") {
            try TimeDecay(initialRate: 0.1, decay: -0.001)
        }
        expectInvalidArgument("decay must be a finite, non-negative number. Received: decay=nan") {
            try TutorialCompoundingDecay(initialRate: 0.1, decay: .nan)
        }
        expectInvalidArgument("drop must be a finite, non-negative number. Received: drop=-0.5") {
            try StepDecay(drop: -0.5)
        }
        expectInvalidArgument("decay_rate must be a finite, non-negative number. Received: decay_rate=-0.96") {
            try ExponentialDecay(initialRate: 0.1, decaySteps: 10, decayRate: -0.96)
        }
        expectInvalidArgument("power must be a finite, non-negative number. Received: power=-1.0") {
            try PolynomialDecay(initialRate: 0.1, decaySteps: 10, power: -1)
        }
        expectInvalidArgument("alpha must be between [0, 1]. Received: alpha=1.5") {
            try CosineDecay(initialRate: 0.1, decaySteps: 10, alpha: 1.5)
        }
        expectInvalidArgument("alpha must be between [0, 1]. Received: alpha=-0.1") {
            try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10, alpha: -0.1)
        }
        expectInvalidArgument("t_mul must be at least 1. Received: t_mul=0.5") {
            try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10, tMul: 0.5)
        }
        expectInvalidArgument("m_mul must be a finite, non-negative number. Received: m_mul=-1.0") {
            try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10, mMul: -1)
        }
        expectInvalidArgument("gamma must be a finite, non-negative number. Received: gamma=-0.1") {
            try StepLR(initialRate: 0.1, stepSize: 10, gamma: -0.1)
        }
        expectInvalidArgument("gamma must be a finite, non-negative number. Received: gamma=inf") {
            try ExponentialLR(initialRate: 0.1, gamma: .infinity)
        }
        expectInvalidArgument("gamma must be a finite, non-negative number. Received: gamma=-1.0") {
            try MultiStepLR(initialRate: 0.1, milestones: [1], gamma: -1)
        }
        expectInvalidArgument("gamma must be a finite, non-negative number. Received: gamma=-1.0") {
            try CyclicLR(baseRate: 0.01, maxRate: 0.1, mode: .exponentialRange, gamma: -1)
        }
        expectInvalidArgument("t_mult must be at least 1. Received: t_mult=0") {
            try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 10, tMult: 0)
        }
        expectInvalidArgument("pct_start must be between [0, 1]. Received: pct_start=1.5") {
            try OneCycleLR(maxRate: 0.1, totalSteps: 100, pctStart: 1.5)
        }
        expectInvalidArgument("div_factor must be positive. Received: div_factor=0.0") {
            try OneCycleLR(maxRate: 0.1, totalSteps: 100, divFactor: 0)
        }
        expectInvalidArgument("final_div_factor must be positive. Received: final_div_factor=-10.0") {
            try OneCycleLR(maxRate: 0.1, totalSteps: 100, finalDivFactor: -10)
        }
        expectInvalidArgument(
            "pct_start * total_steps must not be 1: the first phase would have no length. "
                + "Received: pct_start=0.1, total_steps=10"
        ) {
            try OneCycleLR(maxRate: 0.1, totalSteps: 10, pctStart: 0.1)
        }
        expectInvalidArgument("start_factor must be greater than 0 and at most 1. Received: start_factor=0.0") {
            try LinearLR(initialRate: 0.1, startFactor: 0)
        }
        expectInvalidArgument("end_factor must be between [0, 1]. Received: end_factor=1.5") {
            try LinearLR(initialRate: 0.1, endFactor: 1.5)
        }
    }

    @Test func listsMustFit() {
        expectInvalidArgument(
            "The length of boundaries should be 1 less than the length of values. Received: boundaries=[10, 20] "
                + "of length 2, and values=[0.1, 0.01] of length 2."
        ) {
            try PiecewiseConstantDecay(boundaries: [10, 20], values: [0.1, 0.01])
        }
        expectInvalidArgument("boundaries must be strictly increasing. Received: boundaries=[20, 10]") {
            try PiecewiseConstantDecay(boundaries: [20, 10], values: [0.1, 0.01, 0.001])
        }
        expectInvalidArgument("boundaries must be non-negative. Received: boundaries=[-1, 10]") {
            try PiecewiseConstantDecay(boundaries: [-1, 10], values: [0.1, 0.01, 0.001])
        }
        expectInvalidArgument("milestones must be non-negative. Received: milestones=[10, -3]") {
            try MultiStepLR(initialRate: 0.1, milestones: [10, -3])
        }
        expectInvalidArgument("schedules must contain at least one schedule. Received: schedules=[]") {
            try SequentialSchedule([], milestones: [])
        }
        expectInvalidArgument(
            "milestones must have one element fewer than schedules. Received: milestones=[5, 10] of length 2, "
                + "and 2 schedules."
        ) {
            try SequentialSchedule([ConstantSchedule(0.1), ConstantSchedule(0.2)], milestones: [5, 10])
        }
        expectInvalidArgument("milestones must be positive. Received: milestones=[0]") {
            try SequentialSchedule([ConstantSchedule(0.1), ConstantSchedule(0.2)], milestones: [0])
        }
        expectInvalidArgument("milestones must be strictly increasing. Received: milestones=[5, 5]") {
            try SequentialSchedule([ConstantSchedule(0.1), ConstantSchedule(0.2), ConstantSchedule(0.3)],
                                   milestones: [5, 5])
        }
        expectInvalidArgument("schedules must all have the same unit. Received: units=[\"epoch\", \"update\"]") {
            try SequentialSchedule([StepLR(initialRate: 0.1, stepSize: 5), ConstantSchedule(0.2)], milestones: [5])
        }
    }

    @Test func negativeStepsAreStepZero() throws {
        let schedules: [any LearningRateSchedule] = [
            try StepDecay(), try TimeDecay(initialRate: 0.1, decay: 0.01),
            try TutorialCompoundingDecay(initialRate: 0.1, decay: 0.01),
            try ExponentialDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.5),
            try InverseTimeDecay(initialRate: 0.1, decaySteps: 10, decayRate: 0.5),
            try PolynomialDecay(initialRate: 0.1, decaySteps: 10, cycle: true),
            try CosineDecay(initialRate: 0.1, decaySteps: 10, warmupTarget: 0.2, warmupSteps: 5),
            try CosineDecayRestarts(initialRate: 0.1, firstDecaySteps: 10),
            try StepLR(initialRate: 0.1, stepSize: 3), try ExponentialLR(initialRate: 0.1, gamma: 0.5),
            try CosineAnnealingLR(initialRate: 0.1, tMax: 10),
            try CosineAnnealingWarmRestarts(initialRate: 0.1, t0: 3, tMult: 2),
            try OneCycleLR(maxRate: 0.1, totalSteps: 10), try CyclicLR(baseRate: 0.01, maxRate: 0.1, stepSizeUp: 4),
            try LinearLR(initialRate: 0.1),
        ]
        for schedule in schedules {
            #expect(schedule.learningRate(at: -3) == schedule.learningRate(at: 0), "\(type(of: schedule))")
        }
    }
}
