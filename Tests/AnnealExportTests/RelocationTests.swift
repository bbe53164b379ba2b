import Foundation
import Testing

/// What `make install` and the Python wheel ship loads where no Swift toolchain is: the release `libanneal.so`
/// carries the Swift runtime inside (`-static-stdlib`, `Package.swift`), needs only the system's C and C++
/// runtime, and exports the header's functions and none of the runtime's symbols.
///
/// Both tests build the release product in their own scratch path, `.build-release` (`swift test` holds the
/// lock on `.build` while it runs, so a nested `swift build` there would wait forever). The first run builds
/// the library from scratch; later runs only relink what changed. The programs run with `env -i
/// PATH=/usr/bin:/bin` (the toolchain is under `/opt/swift`, off that PATH) and `LD_DEBUG=libs`, whose trace of
/// every library the loader searches for and opens must never name the toolchain.
@Suite("Installed library and wheel without the toolchain", .serialized)
struct RelocationTests {
    static let scratch = Support.packageRoot.appendingPathComponent(".build-release").path

    /// The libraries a shipped `libanneal.so` may need: the system's C and C++ runtime.
    static let systemLibraries: Set<String> = [
        "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-x86-64.so.2",
        "libstdc++.so.6", "libgcc_s.so.1",
    ]

    /// The toolchain's root (`/opt/swift/usr`): three folders above its `lib/swift/linux`.
    static func toolchainRoot() throws -> String {
        guard let libraries = Support.toolchainLibraries else {
            Issue.record("the Swift toolchain's lib/swift/linux was not found from clang on PATH")
            throw CancellationError()
        }
        return URL(fileURLWithPath: libraries).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// `readelf -d`, `ldd` and `nm -D` of a shipped library: no RUNPATH and no resolved path into the
    /// toolchain, nothing needed beyond the system's C and C++ runtime, no Swift runtime symbol exported.
    static func expectSelfContained(_ library: String, toolchain: String) throws {
        let readelf = try Support.run(["readelf", "-d", library])
        #expect(readelf.status == 0, "readelf: \(readelf.text)")
        let lines = readelf.text.split(separator: "\n")
        let needed = Set(lines.filter { $0.contains("(NEEDED)") }.compactMap { line -> String? in
            guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        })
        #expect(!needed.isEmpty, "readelf printed no NEEDED entries: \(readelf.text)")
        #expect(needed.subtracting(systemLibraries).sorted() == [], "\(library) needs more than the C/C++ runtime")
        let paths = lines.filter { $0.contains("(RUNPATH)") || $0.contains("(RPATH)") }
        #expect(paths.filter { $0.contains(toolchain) }.isEmpty, "RUNPATH into the toolchain: \(paths)")

        let ldd = try Support.run(["env", "-i", "PATH=/usr/bin:/bin", "ldd", library])
        #expect(ldd.status == 0, "ldd: \(ldd.text)")
        #expect(!ldd.text.contains(toolchain), "ldd resolves from the toolchain:\n\(ldd.text)")
        #expect(!ldd.text.contains("not found"), "ldd:\n\(ldd.text)")

        let nm = try Support.run(["nm", "-D", "--defined-only", library])
        #expect(nm.status == 0, "nm: \(nm.text)")
        let defined = nm.text.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        let exported = Set(defined.filter { $0.hasPrefix("anneal_") })
        #expect(exported == (try ToolchainTests.headerFunctions()), "the exports differ from anneal.h's functions")
        // The runtime's C entry points, the standard library's mangled names ($ss), libdispatch and blocks.
        let runtime = defined.filter {
            $0.hasPrefix("swift_") || $0.hasPrefix("_swift") || $0.hasPrefix("$ss") || $0.hasPrefix("dispatch_")
                || $0.hasPrefix("_Block")
        }
        #expect(runtime.isEmpty, "\(library) exports Swift runtime symbols: \(runtime.prefix(10))")
    }

    /// Runs a program with an empty environment but `PATH=/usr/bin:/bin` and the loader's library trace.
    static func runWithoutToolchain(_ arguments: [String], in directory: URL, toolchain: String) throws -> Support.Output {
        let run = try Support.run(["env", "-i", "PATH=/usr/bin:/bin", "LD_DEBUG=libs"] + arguments, in: directory)
        let mentions = run.text.split(separator: "\n").filter { $0.contains(toolchain) }
        #expect(mentions.isEmpty, "the loader looked into the toolchain: \(mentions.prefix(5))")
        return run
    }

    @Test("make install: the library loads and the C example runs with no toolchain in reach")
    func install() throws {
        let toolchain = try Self.toolchainRoot()
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let prefix = directory.appendingPathComponent("prefix").path
        let make = try Support.run(["make", "-C", Support.packageRoot.path, "install", "PREFIX=\(prefix)",
                                    "SCRATCH=\(Self.scratch)"])
        try #require(make.status == 0, "make install: \(make.text)")
        let library = "\(prefix)/lib/libanneal.so"
        try Self.expectSelfContained(library, toolchain: toolchain)

        // The C example, built as the README says: pkg-config against the installed copy.
        let flags = try Support.run(["env", "PKG_CONFIG_PATH=\(prefix)/lib/pkgconfig", "pkg-config", "--cflags",
                                     "--libs", "anneal"])
        try #require(flags.status == 0, "pkg-config: \(flags.text)")
        let program = directory.appendingPathComponent("tutorial_step_decay").path
        let source = Support.packageRoot.appendingPathComponent("examples/c/tutorial_step_decay.c").path
        let cc = try Support.run([Support.cc] + ToolchainTests.strictC + [source, "-o", program]
            + flags.text.split(whereSeparator: \.isWhitespace).map(String.init) + ["-Wl,-rpath,\(prefix)/lib", "-lm"])
        try #require(cc.status == 0, "cc: \(cc.text)")
        let run = try Self.runWithoutToolchain([program, Support.ionosphere, "7"], in: directory, toolchain: toolchain)
        #expect(run.status == 0, "the example failed: \(run.text)")
        #expect(run.text.contains("\(prefix)/lib/libanneal.so"), "LD_DEBUG shows no load of the installed library")
        #expect(run.text.split(separator: "\n").filter { $0.hasPrefix("Epoch ") }.count == 50)
        #expect(run.text.contains("final val_accuracy: "))
    }

    @Test("pip wheel ./python: the wheel installs in a fresh venv and trains with no toolchain in reach")
    func wheel() throws {
        let toolchain = try Self.toolchainRoot()
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let wheels = directory.appendingPathComponent("wheels").path
        // pip builds in an isolated environment (setuptools and wheel from the index) unless both are here.
        let local = try Support.run(["python3", "-c", "import setuptools, wheel"])
        let isolation = local.status == 0 ? ["--no-build-isolation"] : []
        // ClusterSweepTests builds the same wheel from the same folder (setuptools writes python/build/), maybe
        // at the same time: one build at a time, under a lock both take.
        let lock = Support.packageRoot.appendingPathComponent(".build/pip-wheel.lock").path
        let pip = try Support.run(["flock", lock, "env", "ANNEAL_SCRATCH_PATH=\(Self.scratch)", "python3", "-m", "pip", "wheel",
                                   "--no-deps", "-q"] + isolation + ["-w", wheels,
                                   Support.packageRoot.appendingPathComponent("python").path])
        try #require(pip.status == 0, "pip wheel: \(pip.text)")
        let built = try FileManager.default.contentsOfDirectory(atPath: wheels).filter { $0.hasSuffix(".whl") }
        let wheel = try #require(built.first, "no wheel in \(wheels): \(pip.text)")

        let venv = directory.appendingPathComponent("venv").path
        let create = try Support.run(["python3", "-m", "venv", venv])
        try #require(create.status == 0, "python3 -m venv: \(create.text)")
        let install = try Support.run(["\(venv)/bin/python", "-m", "pip", "install", "-q", "--no-index",
                                       "\(wheels)/\(wheel)"])
        try #require(install.status == 0, "pip install: \(install.text)")
        let enumerator = FileManager.default.enumerator(atPath: venv)
        let relative = try #require((enumerator?.allObjects as? [String])?.first { $0.hasSuffix("/anneal/libanneal.so") },
                                    "the wheel installed no anneal/libanneal.so")
        let library = "\(venv)/\(relative)"
        try Self.expectSelfContained(library, toolchain: toolchain)

        // Every subpackage and top-level module in the source tree must have shipped (and import, but for a
        // module of an optional extra, which must then name the extra).
        let sources = Support.packageRoot.appendingPathComponent("python/anneal")
        var modules = ["anneal"]
        for name in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            if name.hasSuffix(".py"), name != "__init__.py" {
                modules.append("anneal.\(name.dropLast(3))")
            } else if FileManager.default.fileExists(atPath: sources.appendingPathComponent("\(name)/__init__.py").path) {
                modules.append("anneal.\(name)")
            }
        }
        #expect(modules.contains("anneal.optimizers"), "no anneal/optimizers package in \(sources.path)")
        let moduleList = "[" + modules.map { "'\($0)'" }.joined(separator: ", ") + "]"
        let script = """
        import importlib, os
        for name in \(moduleList):
            try:
                importlib.import_module(name)
            except ImportError as error:
                # A module of an optional extra (h5py for Keras files) says which extra to install.
                if "pip install anneal[" not in str(error):
                    raise
        import anneal._lib
        assert os.path.realpath(anneal._lib.path) == os.path.realpath('\(library)'), anneal._lib.path
        from anneal.models import Sequential
        from anneal.layers import Dense
        from anneal.optimizers import SGD
        model = Sequential()
        model.add(Dense(4, input_dim=2, activation="relu"))
        model.add(Dense(1, activation="sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer=SGD(lr=0.1), metrics=["accuracy"])
        history = model.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], epochs=3, batch_size=2, verbose=0)
        assert len(history.history["loss"]) == 3, history.history
        print("trained", history.history["loss"][-1])
        """
        // From the temporary folder, so that the repository's python/ is not on sys.path.
        let run = try Self.runWithoutToolchain(["\(venv)/bin/python", "-c", script], in: directory, toolchain: toolchain)
        #expect(run.status == 0, "the installed wheel failed: \(run.text)")
        #expect(run.text.contains("\ntrained ") || run.text.hasPrefix("trained "), "no training line: \(run.text)")
    }
}
