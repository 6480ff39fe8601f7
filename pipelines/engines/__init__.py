"""Execution engines of the lake: the same specs and semantics, run by Spark for scale-out.

The embedded engine is :mod:`lake` itself (deltalake + pyarrow, no JVM). The Spark
engine (:mod:`pipelines.engines.spark_erp` and friends) reads, validates and writes in
parallel with pyspark, and commits with delta-rs, so both engines write the same tables.
Nothing in this package imports pyspark at import time: ``import pipelines.engines`` is free.
"""
