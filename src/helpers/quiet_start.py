"""A quiet first cell: TensorFlow's start-up notices kept out of the lessons' output.

TensorFlow 2.19+ prints its C++ start-up notices ("oneDNN custom operations are on", "Could not
find cuda drivers", "failed call to cuInit") straight to the process's stderr before its own
logging is set up, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them (tensorflow/tensorflow#100442,
open in 2026). In JupyterLab they fill the first cell with red lines on every CPU-only laptop.

:func:`install` arranges that the first ``import tensorflow`` (direct, or through ``keras``)
runs with the C-level stderr captured; when it is done, every captured line that is not one of
the known notices below is written back, so a real error or warning is never lost.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

#: The start-up notices of a CPU-only machine, and nothing else.
NOTICES = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|oneDNN custom operations are on"
    r"|Could not find cuda drivers on your machine"
    r"|failed call to cuInit"
    r"|cpu_feature_guard\.cc.*This TensorFlow binary is optimized"
    r"|^To enable the following instructions: .*rebuild TensorFlow"
    r"|Unable to register cu(FFT|DNN|BLAS) factory"
    r"|computation_placer\.cc.*already registered"
)


@contextmanager
def filtered_native_stderr(notices: re.Pattern = NOTICES) -> Iterator[None]:
    """Capture file descriptor 2 (where C++ code writes), then replay all but ``notices``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                    if line.strip() and not notices.search(line)]
            if kept:
                os.write(2, "".join(kept).encode())


class _QuietLoader(importlib.abc.Loader):
    """Runs TensorFlow's own loader, then makes it look for devices, with stderr filtered."""

    def __init__(self, loader: importlib.abc.Loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        with filtered_native_stderr():
            self._loader.exec_module(module)
            module.config.list_physical_devices()  # the cuInit notice comes from this first look

    def __getattr__(self, name: str):  # everything else (resources, get_source) as the real loader
        return getattr(self._loader, name)


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, as the next finder would, and wraps its loader."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once only, and so the real finders answer
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Make the first ``import tensorflow`` quiet; nothing to do once TensorFlow is loaded."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the notices that honour it
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietTensorFlowFinder())
