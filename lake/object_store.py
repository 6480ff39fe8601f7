"""pyarrow filesystems for an object-store lake, configured from the delta-rs storage options.

delta-rs reads its connection from ``storage_options`` (``LAKE__STORAGE_OPTIONS``); the
lake's small metadata files (watermarks, ledgers) and table discovery go through
``pyarrow.fs``, which must reach the same endpoint with the same keys.
``pyarrow.fs.FileSystem.from_uri`` alone would ignore those options and talk to AWS with
the process's default credentials. This module translates the options once, so a user
configures the store in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow.fs as pafs

#: delta-rs / object_store S3 option names (upper or lower case, with or without ``AWS_``)
#: → ``pyarrow.fs.S3FileSystem`` arguments.
_S3_ARGUMENTS = {
    "endpoint_url": "endpoint_override",
    "endpoint": "endpoint_override",
    "access_key_id": "access_key",
    "secret_access_key": "secret_key",
    "session_token": "session_token",
    "token": "session_token",
    "region": "region",
    "default_region": "region",
}
_TRUE = {"1", "true", "yes", "on"}


def _normalised(options: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in options.items():
        name = key.lower()
        out[name.removeprefix("aws_")] = str(value)
    return out


def s3_filesystem(options: Mapping[str, str]) -> pafs.S3FileSystem:
    """A ``pyarrow.fs.S3FileSystem`` reaching the store described by delta-rs ``options``.

    Example:
        >>> fs = s3_filesystem({"AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_REGION": "us-east-1",
        ...                     "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
        ...                     "AWS_ALLOW_HTTP": "true"})
        >>> fs.region
        'us-east-1'
    """
    given = _normalised(options)
    kwargs: dict[str, object] = {}
    for name, argument in _S3_ARGUMENTS.items():
        if name in given and argument not in kwargs:
            kwargs[argument] = given[name]
    endpoint = str(kwargs.get("endpoint_override", ""))
    if endpoint.startswith("http://"):
        if given.get("allow_http", "").lower() not in _TRUE:
            raise ValueError(f"endpoint {endpoint} is plain HTTP: set AWS_ALLOW_HTTP=true to allow it")
        kwargs["scheme"] = "http"
    if given.get("virtual_hosted_style_request", "").lower() in _TRUE:
        kwargs["force_virtual_addressing"] = True
    return pafs.S3FileSystem(**kwargs)


def filesystem_for(uri: str, options: Mapping[str, str]) -> tuple[pafs.FileSystem, str]:
    """``(filesystem, path)`` of a remote ``uri`` (``s3://`` / ``s3a://``: with ``options``).

    Other schemes (``gs://``, ``abfs://`` …) fall back to ``pyarrow.fs.FileSystem.from_uri``
    and the environment's credentials.
    """
    scheme, _, rest = uri.partition("://")
    if scheme in ("s3", "s3a"):
        return s3_filesystem(options), rest
    return pafs.FileSystem.from_uri(uri)
