"""Shared fixtures: an isolated cache per test, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import socket
import tarfile
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers.assets.registry import Asset, Kind


#: The environment the test session started with, before any fixture isolated it.
SESSION_ENV = dict(os.environ)


@pytest.fixture(autouse=True)
def isolated_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty cache and Keras home, no mirror, and no origin access."""
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("COURSE_MIRROR", raising=False)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    return tmp_path / "cache"


#: The real mirror CI and offline classrooms use (``../shared/mirror`` beside the checkout).
REAL_MIRROR = Path(SESSION_ENV.get("COURSE_MIRROR") or Path(__file__).resolve().parents[2] / "shared" / "mirror")


@pytest.fixture
def class_index(monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[str, str], ...]:
    """The real ImageNet class index, verified from the real mirror: (WordNet id, name) by index."""
    if not (REAL_MIRROR / "imagenet_class_index.json").is_file():
        pytest.fail(f"no imagenet_class_index.json in {REAL_MIRROR}: set COURSE_MIRROR to the course mirror")
    monkeypatch.setenv("COURSE_MIRROR", str(REAL_MIRROR))
    from helpers.models.imagenet_classes import class_index

    return class_index()


@dataclass
class FileServer:
    """Serves ``files`` at ``/<name>``; ``truncate`` names are cut to half their advertised size."""

    base_url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    truncate: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def asset(self, name: str, payload: bytes, *, path: str | None = None, hash_of: bytes | None = None,
              **extra) -> Asset:
        """Register ``payload`` on the server and return an Asset whose hash is that of ``hash_of``."""
        path = path or name
        self.files[path] = payload
        digest = hashlib.sha256(payload if hash_of is None else hash_of).hexdigest()
        extra.setdefault("kind", Kind.DATASET_ARCHIVE)
        return Asset(name=name, url=f"{self.base_url}/{path}", hash=f"sha256:{digest}",
                     size=len(payload if hash_of is None else hash_of), **extra)


@pytest.fixture
def file_server():
    server_state = FileServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            name = self.path.lstrip("/")
            server_state.requests.append(name)
            body = server_state.files.get(name)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if name in server_state.truncate else body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server_state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: an unreachable origin."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def make_tar_gz(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    """A .tar.gz holding ``members`` (name -> content) and symlinks (name -> target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tf.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tf.addfile(info)
    return gzip.compress(buffer.getvalue(), mtime=0)  # the same bytes in every process (xdist workers)


def make_zip(members: dict[str, bytes]) -> bytes:
    """A .zip holding ``members`` (name -> content), names written exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()
