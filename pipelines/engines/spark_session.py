"""A local SparkSession configured the way the lake needs it, created once per process.

Spark here runs without Maven (no Delta-Spark jars, no driver downloads): Spark writes
Parquet and delta-rs commits it (:mod:`pipelines.engines.spark_delta`), and JDBC drivers come
from the machine (``infra/install_jdbc_jars.sh`` installs Debian's into ``/usr/share/java``).
Timestamps are instants: the session and the JVM run in UTC and Parquet timestamps are
written as ``TIMESTAMP_MICROS``, exactly like the embedded writer's ``timestamp[us, UTC]``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

    from infra.settings import Settings

#: JDBC driver jars looked for in ``lake.spark.jar_dir`` (Debian package names in brackets).
JDBC_JARS = {
    "postgresql": "postgresql.jar",  # libpostgresql-jdbc-java
    "mariadb": "mariadb-java-client.jar",  # libmariadb-java
    "sqlite": "sqlite-jdbc.jar",  # libxerial-sqlite-jdbc-java
}
INSTALL_HINT = "pip install grouplake[spark]  (pyspark[connect]==4.2.0 and Java 17)"

_lock = threading.Lock()
_session: SparkSession | None = None


def import_pyspark() -> Any:
    """Import pyspark, or explain how to get it.

    Raises:
        ModuleNotFoundError: pyspark is not installed (the message says what to install).
    """
    try:
        import pyspark
    except ModuleNotFoundError as exc:  # pragma: no cover - the dev venv has it
        raise ModuleNotFoundError(
            f"the Spark engine (LAKE__ENGINE=spark) needs pyspark: {INSTALL_HINT}"
        ) from exc
    return pyspark


def jdbc_jars(jar_dir: str | Path) -> list[str]:
    """Paths of the JDBC driver jars present in ``jar_dir`` (missing ones are left out)."""
    folder = Path(jar_dir)
    return [str(folder / name) for name in JDBC_JARS.values() if (folder / name).exists()]


def missing_jdbc_jars(jar_dir: str | Path) -> list[str]:
    """File names of the JDBC driver jars absent from ``jar_dir``."""
    folder = Path(jar_dir)
    return [name for name in JDBC_JARS.values() if not (folder / name).exists()]


def default_partitions(master: str) -> int:
    """Twice the cores of a ``local[n]`` / ``local[*]`` master (2 × os.cpu_count() otherwise)."""
    cores = os.cpu_count() or 2
    if master.startswith("local[") and master.endswith("]"):
        inner = master[len("local[") : -1].split(",")[0]
        cores = cores if inner == "*" else max(1, int(inner))
    elif master == "local":
        cores = 1
    return 2 * cores


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration the lake runs with (pure: no JVM is started).

    Example:
        >>> from infra.settings import Settings
        >>> spark_conf(Settings())["spark.sql.session.timeZone"]
        'UTC'
    """
    spark = settings.lake.spark
    jars = [*jdbc_jars(spark.jar_dir), *spark.jars]
    partitions = spark.partitions or default_partitions(spark.master)
    conf = {
        "spark.app.name": "grouplake",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.default.parallelism": str(partitions),
        "spark.driver.memory": spark.driver_memory,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # no _SUCCESS marker in the staging folders (only Parquet files are committed)
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.hadoop.parquet.enable.summary-metadata": "false",
    }
    if jars:
        conf["spark.jars"] = ",".join(jars)
    conf.update(spark.conf)
    return conf


def get_spark_session(settings: Settings | None = None) -> SparkSession:
    """The process's SparkSession for the lake, created on first call.

    Args:
        settings: the platform settings (default :func:`infra.settings.get_settings`); only
            the first call's settings matter while the session lives.

    Returns:
        A SparkSession on ``lake.spark.master`` (default ``local[2]``) with UTC time, micros
        timestamps in Parquet and the machine's JDBC drivers on its class path.

    Example:
        >>> spark = get_spark_session()  # doctest: +SKIP
        >>> spark.range(3).count()  # doctest: +SKIP
        3
    """
    global _session
    with _lock:
        if _session is not None and not _is_stopped(_session):
            return _session
        import_pyspark()
        from pyspark.sql import SparkSession

        if settings is None:
            from infra.settings import get_settings

            settings = get_settings()
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(settings.lake.spark.master)
        for key, value in spark_conf(settings).items():
            builder = builder.config(key, value)
        _session = builder.getOrCreate()
        _session.sparkContext.setLogLevel("ERROR")
        return _session


def stop_spark_session() -> None:
    """Stop the process's SparkSession (the next :func:`get_spark_session` starts a new one)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def _is_stopped(session: SparkSession) -> bool:
    return getattr(session.sparkContext, "_jsc", None) is None  # pyspark's own stop marker
