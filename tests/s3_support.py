"""S3-compatible object storage for the ``s3``-marked tests: a moto S3 server of their own.

The server is ``moto.server`` (the ``moto[server]`` dev extra) on a free 127.0.0.1 port,
started once per session, so the ``s3`` requirement holds wherever the dev extra is
installed (CI included) and nothing outside the machine is touched.

It runs in a **child process**, not as an in-process ``ThreadedMotoServer``: some delta-rs
calls (``DeltaTable.history`` among them) keep the GIL while they wait for the HTTP answer,
so a server thread in the same interpreter can never answer them and the call hangs until
delta-rs's own timeout (minutes).

Storage options are the ones a user puts in ``LAKE__STORAGE_OPTIONS`` for an S3-compatible
store (see :func:`lake_storage_options`). No ``AWS_S3_ALLOW_UNSAFE_RENAME`` and no locking
provider: deltalake 1.x commits a Delta log entry with a conditional PUT
(``If-None-Match: *``), so of two writers racing for one version exactly one wins and the
other retries on the next version. moto answers such a PUT on an existing key with
``412 Precondition Failed`` like S3, MinIO and R2 do; ``test_concurrent_writers_lose_no_commit``
proves the whole chain. (Unsafe rename would only be right for a store without conditional
writes and a single writer.)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ACCESS_KEY = "grouplake-test"
SECRET_KEY = "grouplake-test-secret"
REGION = "us-east-1"
_START_SECONDS = 60.0  # how long a cold moto import may take on a busy 2-core machine


def lake_storage_options(endpoint: str) -> dict[str, str]:
    """delta-rs storage options for an S3-compatible endpoint reached over plain HTTP."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": REGION,
        "AWS_ALLOW_HTTP": "true",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class S3Bucket:
    """A fresh bucket on the test server and the options that reach it."""

    name: str
    endpoint: str
    storage_options: dict[str, str] = field(default_factory=dict)

    def uri(self, prefix: str = "lake") -> str:
        """``s3://<bucket>/<prefix>``."""
        return f"s3://{self.name}/{prefix}"

    def client(self):
        """A boto3 S3 client (to look at the objects behind the lake's back)."""
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, region_name=REGION,
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Every object key under ``prefix``, sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


class MotoS3Server:
    """A ``moto.server`` child process answering S3 on 127.0.0.1."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self, attempts: int = 3) -> None:
        """Start on a free port (another port if one was taken meanwhile)."""
        for _ in range(attempts):
            port = _free_port()
            with self.log_path.open("ab") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    stdout=log, stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + _START_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if _answers(port):
                    self.process, self.endpoint = process, f"http://127.0.0.1:{port}"
                    return
                time.sleep(0.05)
            process.kill()
            process.wait()
        raise RuntimeError(f"moto S3 server did not start; see {self.log_path}")

    def stop(self) -> None:
        """Stop the child process."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def new_bucket(self) -> S3Bucket:
        """Create an empty bucket with a unique name."""
        bucket = S3Bucket(f"lake-{uuid.uuid4().hex[:12]}", self.endpoint, lake_storage_options(self.endpoint))
        bucket.client().create_bucket(Bucket=bucket.name)
        return bucket


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3Server]:
    """The session's S3 server (skips locally / fails in CI when moto is not installed)."""
    from tests.conftest import require_service

    require_service("s3")
    server = MotoS3Server(tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: MotoS3Server) -> S3Bucket:
    """A fresh, empty bucket for one test."""
    return s3_server.new_bucket()
