"""Builds the Swift library in release mode and ships it inside the package.

`pip install ./python` (or `pip wheel ./python`) runs `swift build -c release --product anneal` in the
repository that holds this folder, then copies `libanneal.so` and the ionosphere data into the `anneal`
package, so that `import anneal` works from any folder. The release library carries the Swift runtime inside
(`-static-stdlib`, set for the `anneal` product in `Package.swift`): the wheel loads on a machine without the
Swift toolchain. `ANNEAL_SCRATCH_PATH` names SwiftPM's scratch path (default: the repository's `.build`); the
tests set it because `swift test` holds the lock on `.build` while they run.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(HERE)


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        if not os.path.exists(os.path.join(REPOSITORY, "Package.swift")):
            raise RuntimeError(f"anneal is built from its repository; {REPOSITORY} has no Package.swift")
        scratch = os.path.join(REPOSITORY, os.environ.get("ANNEAL_SCRATCH_PATH") or ".build")
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", "anneal"],
                       cwd=REPOSITORY, check=True)
        package = os.path.join(self.build_lib, "anneal")
        shutil.copy2(os.path.join(scratch, "release", "libanneal.so"), package)
        data = os.path.join(package, "data")
        os.makedirs(data, exist_ok=True)
        for name in ("ionosphere.csv", "README.md"):
            shutil.copy2(os.path.join(REPOSITORY, "examples", "data", name), data)


class BinaryDistribution(Distribution):
    """The wheel holds a native library: mark it platform-specific."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
