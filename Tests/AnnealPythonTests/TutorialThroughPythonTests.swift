import Foundation
import Testing

/// The tutorial's numbers, proved through the `anneal` Python package running in an embedded CPython
/// (Debian's libpython3, without numpy: the package's list path), exactly as a Python user would run them.
@Suite(
    "Tutorial through the embedded Python",
    .serialized,
    .enabled(if: EmbeddedPython.isAvailable, "libpython3 (Debian's libpython3-dev) could not be started in this process")
)
struct TutorialThroughPythonTests {
    @Test("the tutorial's decay table and Keras's actual per-update rates")
    func decayTable() throws {
        try EmbeddedPython.run("""
            from anneal.optimizers import SGD
            from anneal.optimizers.schedules import TimeDecay, TutorialCompoundingDecay
            from anneal.models import Sequential
            from anneal.layers import Dense

            table = TutorialCompoundingDecay(0.1, 0.001)
            expected = [0.1, 0.0999000999, 0.0997006985, 0.09940249103, 0.09900646517]
            for epoch, rate in enumerate(expected):
                assert abs(table(epoch) - rate) < 1e-10, (epoch, table(epoch), rate)

            keras = [0.1, 0.0999000999, 0.0998003992, 0.0997008973, 0.0996015936]
            decay = TimeDecay(0.1, 0.001)
            for update, rate in enumerate(keras):
                assert abs(decay(update) - rate) < 1e-8, (update, decay(update), rate)

            # The same rates from SGD(decay=...) itself, one real update at a time.
            model = Sequential()
            model.add(Dense(1, input_dim=1, activation="sigmoid"))
            sgd = SGD(lr=0.1, decay=0.001)
            model.compile(loss="binary_crossentropy", optimizer=sgd)
            for update, rate in enumerate(keras):
                assert sgd.iterations == update
                assert abs(sgd.effective_learning_rate - rate) < 1e-8, (update, sgd.effective_learning_rate, rate)
                model.fit([[0.5]], [[1.0]], epochs=1, batch_size=1, verbose=0)
            """)
    }

    @Test("step decay over 100 epochs is the tutorial's curve, read back from History's lr")
    func stepDecayCurve() throws {
        try EmbeddedPython.run("""
            import math
            from anneal.callbacks import LearningRateScheduler
            from anneal.layers import Dense
            from anneal.models import Sequential
            from anneal.optimizers import SGD

            def step_decay(epoch):
                return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 10.0))

            model = Sequential()
            model.add(Dense(1, input_dim=2, activation="sigmoid"))
            model.compile(loss="binary_crossentropy", optimizer=SGD(lr=0.0, momentum=0.9))
            history = model.fit([[0.0, 1.0], [1.0, 0.0]], [[0.0], [1.0]], epochs=100, verbose=0,
                                callbacks=[LearningRateScheduler(step_decay)])
            lrs = history.history["lr"]
            assert len(lrs) == 100
            # History holds the rate as the optimizer's float32 holds it: compare within float32 precision.
            assert all(abs(rate - 0.1) < 1e-7 * 0.1 for rate in lrs[:9]), lrs[:10]
            for epoch in range(100):
                expected = 0.1 * 0.5 ** ((epoch + 1) // 10)
                assert abs(lrs[epoch] - expected) <= 1e-7 * expected, (epoch, lrs[epoch], expected)
            assert abs(lrs[8] - 0.1) < 1e-8 and abs(lrs[9] - 0.05) < 1e-8 and abs(lrs[19] - 0.025) < 1e-8
            """)
    }

    @Test("the golden Keras runs (time, step, base) within 1e-5 per epoch")
    func goldenRuns() throws {
        try EmbeddedPython.runTests(["test_golden"])
    }

    @Test("over seeds 1...20 the median validation rows correct are 115, 115 and 111 ± 1")
    func seedDistributions() throws {
        try EmbeddedPython.run("""
            import math, statistics
            from anneal.callbacks import LearningRateScheduler
            from anneal.datasets import ionosphere
            from anneal.layers import Dense
            from anneal.models import Sequential
            from anneal.optimizers import SGD
            from anneal.utils import set_random_seed

            X, Y, _ = ionosphere()

            def correct(experiment, seed):
                set_random_seed(seed)
                with Sequential() as model:
                    model.add(Dense(34, input_dim=34, kernel_initializer="normal", activation="relu"))
                    model.add(Dense(1, kernel_initializer="normal", activation="sigmoid"))
                    callbacks = []
                    if experiment == "time":
                        optimizer = SGD(lr=0.1, momentum=0.8, decay=0.1 / 50)
                    elif experiment == "step":
                        optimizer = SGD(lr=0.0, momentum=0.9)
                        callbacks = [LearningRateScheduler(lambda e: 0.1 * math.pow(0.5, math.floor((1 + e) / 10.0)))]
                    else:
                        optimizer = SGD(lr=0.1)
                    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
                    history = model.fit(X, Y, validation_split=0.33, epochs=50, batch_size=28, verbose=0,
                                        callbacks=callbacks)
                return round(history.history["val_accuracy"][-1] * 116)

            medians = {e: statistics.median(correct(e, s) for s in range(1, 21)) for e in ("time", "step", "base")}
            print("medians of validation rows correct:", medians)
            assert medians["time"] == 115, medians
            assert medians["step"] == 115, medians
            assert abs(medians["base"] - 111) <= 1, medians
            """)
    }

    @Test("the tutorial scripts in examples/ run unmodified and print Keras's verbose=2 lines")
    func tutorialScripts() throws {
        let examples = EmbeddedPython.packageRoot.appendingPathComponent("examples/python").path
        try EmbeddedPython.run("""
            import contextlib, io, re, runpy
            line = re.compile(r"^9/9 - \\d+s - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - "
                              r"val_accuracy: \\d\\.\\d{4}( - effective_lr: \\d\\.\\d{4})?( - lr: \\d\\.\\d{4})? - "
                              r"\\d+(s|ms|us)/epoch - \\d+(s|ms|us)/step$")
            for script in ("time_based_decay.py", "step_decay.py"):
                output = io.StringIO()
                with contextlib.redirect_stdout(output):
                    namespace = runpy.run_path(\(EmbeddedPython.pythonString(examples)) + "/" + script, run_name="__main__")
                lines = output.getvalue().splitlines()
                epochs = [l for l in lines if l.startswith("Epoch ")]
                assert epochs == [f"Epoch {i}/50" for i in range(1, 51)], (script, epochs[:3])
                logs = [l for l in lines if l.startswith("9/9")]
                assert len(logs) == 50 and all(line.match(l) for l in logs), (script, logs[:2])
                accuracy = namespace["model"].history.history["val_accuracy"][-1]
                assert 0.95 <= accuracy <= 1.0, (script, accuracy)
                print(script, "final val_accuracy", accuracy)
            """)
    }

    @Test("the whole python/tests suite passes in the embedded interpreter")
    func wholePythonSuite() throws {
        try EmbeddedPython.run("""
            import io, run_without_pytest
            output = io.StringIO()
            passed, failed, skipped = run_without_pytest.run(stream=output)
            print(output.getvalue().splitlines()[-1])
            if failed or not passed:
                raise AssertionError(output.getvalue())
            """)
    }
}

/// The same Python suite under the machine's own `python3` (with numpy when installed: the zero-copy path),
/// run as a child process with pytest when available, else with the pytest-free runner. Under
/// `ANNEAL_SANITIZER` the child loads a sanitized `libanneal.so`, so it runs with the toolchain's shared
/// sanitizer runtime preloaded (`SanitizedChild`).
@Suite("Python package under the machine's python3")
struct MachinePythonTests {
    static func python3() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// An interpreter that imports h5py and numpy, which the Keras-file tests need (they fail, not skip, under
    /// python3): `python3` itself when it has them, else a virtual environment made once under the build
    /// directory (`.build/python-h5`, seeing python3's own packages) with h5py and numpy installed by pip.
    /// Nil and a reason when neither works (no network for pip, no venv module).
    static func interpreterWithH5py(_ python3: String) -> (python: String?, reason: String) {
        let check = ["-c", "import h5py, numpy"]
        if (try? SanitizedChild.run(python3, check, environment: ProcessInfo.processInfo.environment))?.0 == 0 {
            return (python3, "")
        }
        let venv = EmbeddedPython.buildDirectory.deletingLastPathComponent().appendingPathComponent("python-h5").path
        let python = venv + "/bin/python3"
        let environment = ProcessInfo.processInfo.environment
        if (try? SanitizedChild.run(python, check, environment: environment))?.0 == 0 { return (python, "") }
        for (program, arguments) in [(python3, ["-m", "venv", "--system-site-packages", venv]),
                                     (python, ["-m", "pip", "install", "--quiet", "h5py", "numpy"])] {
            let result = try? SanitizedChild.run(program, arguments, environment: environment)
            if result?.0 != 0 {
                return (nil, "\(python3) lacks h5py/numpy and provisioning \(venv) failed at `\(program) "
                    + "\(arguments.joined(separator: " "))`: install them with `python3 -m pip install h5py numpy` "
                    + "(or `pip install ./python[h5]`).\n\(result?.1 ?? "")")
            }
        }
        return (python, "")
    }

    @Test("python/tests passes under python3")
    func suite() throws {
        let machinePython = try #require(Self.python3(), "no python3 on PATH")
        let provisioned = Self.interpreterWithH5py(machinePython)
        var python = try #require(provisioned.python, "\(provisioned.reason)")
        let tests = EmbeddedPython.packageRoot.appendingPathComponent("python/tests").path
        let script = """
            import importlib.util, subprocess, sys
            if importlib.util.find_spec("pytest"):
                sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", \(EmbeddedPython.pythonString(tests))]))
            sys.exit(subprocess.call([sys.executable, \(EmbeddedPython.pythonString(tests + "/run_without_pytest.py"))]))
            """
        var environment = ProcessInfo.processInfo.environment
        environment["ANNEAL_LIBRARY"] = EmbeddedPython.libraryPath
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        if let sanitizer = EmbeddedPython.sanitizer {
            // The interpreter itself, not a launcher script in front of it (pyenv's shim is a bash script).
            python = try SanitizedChild.interpreter(behind: python)
            try SanitizedChild.configure(&environment, for: sanitizer)
        }
        let (status, text) = try SanitizedChild.run(python, ["-c", script], environment: environment)
        #expect(status == 0, "python/tests failed under \(python)\(EmbeddedPython.sanitizer.map { " (ANNEAL_SANITIZER=\($0))" } ?? ""):\n\(text)")
    }
}
