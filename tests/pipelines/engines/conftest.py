"""One SparkSession for every Spark test of this package (starting one costs seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import in_ci, require_service


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """A local[2] SparkSession with the lake's configuration, stopped after the last test."""
    require_service("spark")
    from infra.settings import Settings
    from pipelines.engines.spark_session import get_spark_session, stop_spark_session

    session = get_spark_session(Settings(lake={"spark": {"master": "local[2]", "partitions": 2}}))
    yield session
    stop_spark_session()


@pytest.fixture(scope="session")
def jdbc_jars() -> None:
    """The JDBC driver jars (``infra/install_jdbc_jars.sh``): skip locally, fail under CI."""
    from infra.settings import Settings
    from pipelines.engines.spark_session import missing_jdbc_jars

    missing = missing_jdbc_jars(Settings().lake.spark.jar_dir)
    if missing:
        message = f"JDBC jars {missing} missing: run infra/install_jdbc_jars.sh"
        if in_ci():
            pytest.fail(f"{message} (CI=true: a missing service is a failure)")
        pytest.skip(message)
