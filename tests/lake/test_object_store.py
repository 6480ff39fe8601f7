"""pyarrow filesystems built from the lake's delta-rs storage options."""

from __future__ import annotations

import pyarrow.fs as pafs
import pytest

from lake.object_store import filesystem_for, s3_filesystem
from lake.storage import LakeStorage

OPTIONS = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_REGION": "eu-central-1",
    "AWS_ALLOW_HTTP": "true",
}


def test_s3_options_reach_the_pyarrow_filesystem():
    fs = s3_filesystem(OPTIONS)
    assert fs.region == "eu-central-1"
    lower = s3_filesystem({k.lower().removeprefix("aws_"): v for k, v in OPTIONS.items()})
    assert lower.equals(fs)  # object_store's short, lower-case spellings mean the same


def test_a_plain_http_endpoint_needs_allow_http():
    with pytest.raises(ValueError, match="AWS_ALLOW_HTTP"):
        s3_filesystem({k: v for k, v in OPTIONS.items() if k != "AWS_ALLOW_HTTP"})


def test_lake_paths_on_s3_drop_the_scheme():
    fs, path = LakeStorage("s3://bucket/lake", OPTIONS).filesystem("_meta/watermarks/erp/vendors.json")
    assert isinstance(fs, pafs.S3FileSystem)
    assert path == "bucket/lake/_meta/watermarks/erp/vendors.json"
    assert filesystem_for("s3a://bucket/x", OPTIONS)[1] == "bucket/x"
    local, where = LakeStorage("/tmp/lake").filesystem("bronze")
    assert isinstance(local, pafs.LocalFileSystem) and where == "/tmp/lake/bronze"
