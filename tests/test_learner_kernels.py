"""CI's notebook kernels are a learner's: no capabilities, and the course cache read-only to them.

``.ci/run`` (as root) fills the course cache with ``python -m helpers prepare``, gives it to
another account and sets ``COURSE_LEARNER_KERNELS=1``; the root ``conftest.py`` then starts nbval's
kernels behind ``setpriv``. This test starts one the way nbval does and asks it, so the notebooks'
read-only run cannot silently become a root run.
"""

from __future__ import annotations

import os

import pytest

from conftest import SESSION_ENV

pytestmark = pytest.mark.skipif(
    SESSION_ENV.get("COURSE_LEARNER_KERNELS") != "1" or os.getuid() != 0,
    reason="CI only: .ci/run as root sets COURSE_LEARNER_KERNELS=1")

PROBE = """
import os, pathlib
caps = [line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff")][0]
cache = pathlib.Path(os.environ["COURSE_CACHE"])
try:
    (cache / "probe").write_text("x")
    wrote = "wrote"
except PermissionError:
    wrote = "refused"
print(caps, wrote, (cache / "imagenet_class_index.json").stat().st_size > 0)
"""


def test_a_notebook_kernel_has_no_capabilities_and_cannot_write_the_course_cache(monkeypatch):
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, start_new_kernel

    monkeypatch.setenv("COURSE_CACHE", SESSION_ENV["COURSE_CACHE"])  # the prepared cache
    outputs: list[dict] = []
    manager, client = start_new_kernel(kernel_name=CURRENT_ENV_KERNEL_NAME)
    try:
        reply = client.execute_interactive(PROBE, timeout=60, output_hook=outputs.append)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert printed.split() == ["0000000000000000", "refused", "True"], printed

