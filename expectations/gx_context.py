"""The Great Expectations context: file-based under the GroupLake home, pandas batches only.

GE 1.24 cannot validate DuckDB through SQLAlchemy (STACK_NOTES), so every suite queries
DuckDB (dbt's file read-only, or the lake through :func:`lake.sql.connect`) into
pandas and validates that. Suites, validation results and Data Docs live in
``<home>/expectations/gx`` so ``grouplake expectations data-docs`` can render every result
the Dagster checks stored.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATASOURCE = "grouplake"


def gx_root(home: Path) -> Path:
    """Folder of the GE project under the GroupLake home."""
    return Path(home) / "expectations"


@contextmanager
def gx_lock(home: Path) -> Iterator[None]:
    """Serialise access to the GE project: concurrent check processes (Dagster's multiprocess
    executor) would otherwise race on ``great_expectations.yml`` and the stores."""
    root = gx_root(home)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def get_context(home: Path):
    """The file context at ``<home>/expectations/gx`` (created on first use), quiet."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root = gx_root(home)
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@dataclass
class ExpectationOutcome:
    """One expectation's result, flattened for metadata and messages."""

    expectation: str
    column: str | None
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    unexpected_sample: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: what was expected, what was seen."""
        where = f"{self.column}: " if self.column else ""
        bounds = {k: v for k, v in self.kwargs.items() if k not in ("column", "batch_id", "result_format")}
        text = f"{where}{self.expectation}({', '.join(f'{k}={v}' for k, v in bounds.items())})"
        if self.unexpected_count:
            text += f" -> {self.unexpected_count} unexpected, e.g. {self.unexpected_sample[:5]}"
        elif self.observed is not None:
            text += f" -> observed {self.observed}"
        return text


@dataclass
class PartOutcome:
    """The result of validating one DataFrame of a suite."""

    name: str
    rows: int
    success: bool
    expectations: list[ExpectationOutcome]


def _flatten(result) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    kwargs = dict(config.kwargs)
    observed = details.get("observed_value")
    if hasattr(observed, "item"):
        observed = observed.item()
    return ExpectationOutcome(
        expectation=config.type,
        column=kwargs.get("column"),
        success=bool(result.success),
        observed=observed,
        unexpected_count=details.get("unexpected_count"),
        unexpected_sample=[_plain(v) for v in details.get("partial_unexpected_list", [])[:20]],
        kwargs={k: _plain(v) for k, v in kwargs.items()},
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def validate_frame(
    context,
    suite_name: str,
    frame,
    expectations: Sequence[Any],
    *,
    build_docs: bool = False,
) -> PartOutcome:
    """Validate ``frame`` against ``expectations`` as GE suite ``suite_name``; results are stored.

    Args:
        context: from :func:`get_context`.
        suite_name: the GE suite (and validation definition / checkpoint) name.
        frame: the batch.
        expectations: ``great_expectations.expectations.*`` instances.
        build_docs: also refresh Data Docs for this result.
    """
    import great_expectations as gx

    source = context.data_sources.add_or_update_pandas(DATASOURCE)
    try:
        asset = source.get_asset(suite_name)
    except LookupError:
        asset = source.add_dataframe_asset(suite_name)
    try:
        batch = asset.get_batch_definition("whole")
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe("whole")
    suite = gx.ExpectationSuite(name=suite_name, expectations=list(expectations))
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs")] if build_docs else []
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=suite_name, validation_definitions=[definition], actions=actions,
                      result_format="SUMMARY")
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    results = [r for validation in run.run_results.values() for r in validation.results]
    return PartOutcome(
        name=suite_name,
        rows=len(frame),
        success=bool(run.success),
        expectations=[_flatten(r) for r in results],
    )
