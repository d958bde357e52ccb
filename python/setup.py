"""Copies the repository's libdropnet and its `dropnet` command-line tool into the package
(building them with make when missing), so an installed `dropnet` needs no LD_LIBRARY_PATH and
dropnet.report finds the tool that writes the HTML report. Metadata lives in pyproject.toml."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


class build_with_library(build_py):
    def run(self):
        # `make python` names its own build's library (BUILD=build-clang etc.)
        built = os.environ.get("DROPNET_LIBRARY_SOURCE") or os.path.join(REPO, "build", "libdropnet.so")
        if not os.path.exists(built):
            subprocess.check_call(["make", "-C", REPO, "build/libdropnet.so"])
        super().run()
        target = os.path.join(self.build_lib, "dropnet", "libdropnet.so.0")
        shutil.copyfile(os.path.realpath(built), target)
        # the CLI of the same build (dropnet.report runs its `report` command)
        tool = os.environ.get("DROPNET_CLI_SOURCE") or os.path.join(os.path.dirname(built), "dropnet")
        if not os.path.exists(tool):
            subprocess.check_call(["make", "-C", REPO, "build/dropnet"])
        os.makedirs(os.path.join(self.build_lib, "dropnet", "bin"), exist_ok=True)
        tool_target = os.path.join(self.build_lib, "dropnet", "bin", "dropnet")
        shutil.copyfile(tool, tool_target)
        os.chmod(tool_target, 0o755)


setup(cmdclass={"build_py": build_with_library})
