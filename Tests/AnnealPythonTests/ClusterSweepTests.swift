import Foundation
import Testing

/// `anneal.sweep` on real Ray and Dask clusters (`python/tests/test_sweep_ray.py`, `test_sweep_dask.py`), run
/// by the machine's `python3` from a virtual environment that has Ray and Dask: the machine's own interpreter
/// seldom has them, and these tests must run, not skip. The environment is made once under the build
/// directory (`venv-clusters`, with the machine's site packages, so its numpy and pytest too) and reused.
///
/// The clusters' workers import Anneal as a user's nodes would: the wheel of `pip wheel ./python`, built here
/// (its release library in `.build-release`, shared with `RelocationTests`; only a relink after the first
/// build) and installed into that environment at every run. The daemons get no `PYTHONPATH`, so their workers
/// import that installed copy, never the repository's `python/` (the tests check `anneal.__file__` on every
/// worker); the driver (pytest) loads the installed wheel's `libanneal.so` too, so that its records and the
/// workers' come from the same library.
@Suite(
    "Sweeps on Ray and Dask clusters",
    .serialized,
    .disabled(if: EmbeddedPython.sanitizer != nil, "a sanitized libanneal.so would need its runtime in every worker")
)
struct ClusterSweepTests {
    /// Versions that exist for Python 3.9 to 3.13 on Linux x86-64, pinned so that every run tests the same.
    /// pandas and matplotlib: `SweepResult.to_pandas` and `plot`, and the examples' figures, tested here (the
    /// machine's `python3` seldom has them either).
    static let requirements = ["ray[default]==2.60.0", "dask[distributed]==2026.8.0", "pandas==2.2.3",
                               "matplotlib==3.9.4", "pytest"]

    /// The environment's interpreter, made and provisioned when missing; throws with pip's output when the
    /// packages cannot be installed (no network, no wheel for this Python).
    static func provisionedPython() throws -> String {
        let venv = EmbeddedPython.buildDirectory.deletingLastPathComponent().appendingPathComponent("venv-clusters").path
        let python = "\(venv)/bin/python"
        let environment = ProcessInfo.processInfo.environment
        let probe = "import ray, distributed, pandas, matplotlib, pytest"
        if FileManager.default.isExecutableFile(atPath: python),
           try SanitizedChild.run(python, ["-c", probe], environment: environment).0 == 0 {
            return python
        }
        guard let system = MachinePythonTests.python3() else { throw SetupFailure("no python3 on PATH") }
        let (created, creation) = try SanitizedChild.run(system, ["-m", "venv", "--system-site-packages", venv],
                                                         environment: environment)
        guard created == 0 else { throw SetupFailure("python3 -m venv --system-site-packages \(venv) failed:\n\(creation)") }
        let (installed, output) = try SanitizedChild.run(
            python, ["-m", "pip", "install", "-q", "--disable-pip-version-check"] + requirements, environment: environment)
        guard installed == 0 else {
            throw SetupFailure("""
                The cluster sweep tests need Ray and Dask; pip install \(requirements.joined(separator: " ")) \
                into \(venv) failed (is the package index reachable?):
                \(output)
                """)
        }
        return python
    }

    /// Builds the wheel of `pip wheel ./python` and installs it into the environment of `python`; returns the
    /// installed `libanneal.so`.
    static func installedWheel(into python: String) throws -> String {
        let root = EmbeddedPython.packageRoot
        let wheels = FileManager.default.temporaryDirectory.appendingPathComponent("anneal-wheel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: wheels) }
        var environment = ProcessInfo.processInfo.environment
        environment["ANNEAL_SCRATCH_PATH"] = root.appendingPathComponent(".build-release").path
        environment["PYTHONPATH"] = nil
        // pip builds in an isolated environment (setuptools and wheel from the index) unless both are here.
        let local = try SanitizedChild.run(python, ["-c", "import setuptools, wheel"], environment: environment).0
        // RelocationTests builds the same wheel from the same folder (setuptools writes python/build/), maybe at
        // the same time: one build at a time, under a lock both take.
        let lock = root.appendingPathComponent(".build/pip-wheel.lock").path
        let (built, buildOutput) = try SanitizedChild.run(
            "/usr/bin/env", ["flock", lock, python, "-m", "pip", "wheel", "--no-deps", "-q", "--disable-pip-version-check"]
                + (local == 0 ? ["--no-build-isolation"] : []) + ["-w", wheels.path, root.appendingPathComponent("python").path],
            environment: environment)
        guard built == 0 else { throw SetupFailure("pip wheel ./python failed:\n\(buildOutput)") }
        let wheel = try FileManager.default.contentsOfDirectory(atPath: wheels.path).first { $0.hasSuffix(".whl") }
        guard let wheel else { throw SetupFailure("pip wheel ./python made no wheel:\n\(buildOutput)") }
        let (installed, installOutput) = try SanitizedChild.run(
            python, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-index",
                     "--force-reinstall", wheels.appendingPathComponent(wheel).path], environment: environment)
        guard installed == 0 else { throw SetupFailure("pip install \(wheel) failed:\n\(installOutput)") }
        // -I: neither PYTHONPATH nor the working directory on sys.path, so this is the installed copy.
        let (found, location) = try SanitizedChild.run(
            python, ["-I", "-c", "import anneal, os; print(os.path.dirname(os.path.abspath(anneal.__file__)))"],
            environment: environment)
        let folder = location.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = root.appendingPathComponent("python").resolvingSymlinksInPath().path + "/"
        guard found == 0, !URL(fileURLWithPath: folder).resolvingSymlinksInPath().path.hasPrefix(source) else {
            throw SetupFailure("the installed wheel does not import from outside the repository's python/:\n\(location)")
        }
        return folder + "/libanneal.so"
    }

    @Test("python/tests/test_sweep_ray.py and test_sweep_dask.py pass on real clusters; the plots and pandas too")
    func clusters() throws {
        let python = try Self.provisionedPython()
        let library = try Self.installedWheel(into: python)
        let tests = EmbeddedPython.packageRoot.appendingPathComponent("python/tests").path
        var environment = ProcessInfo.processInfo.environment
        environment["ANNEAL_LIBRARY"] = library
        environment["ANNEAL_INSTALLED_WHEEL"] = library
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["RAY_ADDRESS"] = nil
        // pandas and matplotlib are here: their paths must run, not the ImportError ones.
        environment["ANNEAL_TEST_PLOTTING"] = "1"
        // -rs lists skips: none is expected here, and the assertion below fails on one.
        let (status, text) = try SanitizedChild.run(python, [
            "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
            "\(tests)/test_sweep_ray.py", "\(tests)/test_sweep_dask.py", "\(tests)/test_sweep_examples.py",
            "\(tests)/test_sweep.py::test_to_pandas_and_plot",
        ], environment: environment)
        #expect(status == 0, "the cluster sweep tests failed under \(python):\n\(text)")
        #expect(!text.contains("skipped"), "the cluster sweep tests skipped under \(python):\n\(text)")
    }
}
