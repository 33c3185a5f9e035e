"""The network guard refuses every address outside the loopback, in pytest and in subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "network_guard"


def test_an_outside_address_is_refused_and_the_test_is_named():
    with pytest.raises(RuntimeError, match="refused in .*test_an_outside_address_is_refused"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: never a real host


def test_a_host_name_is_refused_before_any_look_up():
    with pytest.raises(RuntimeError, match=r"network access to example\.com:443 refused"):
        socket.getaddrinfo("example.com", 443)


def test_the_loopback_goes_through(file_server):
    import urllib.request

    file_server.files["hello"] = b"hi"
    with urllib.request.urlopen(f"{file_server.base_url}/hello", timeout=5) as reply:
        assert reply.read() == b"hi"


def test_a_subprocess_such_as_a_notebook_kernel_is_guarded_too():
    """What failed on a fresh machine: Keras fetching the class index from its origin."""
    env = {**os.environ, "COURSE_NETWORK_GUARD": "1",
           "PYTHONPATH": f"{GUARD_DIR}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    code = ("import urllib.request; urllib.request.urlopen("
            "'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json')")
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "NetworkBlockedError: network access to storage.googleapis.com:443 refused" in run.stderr
