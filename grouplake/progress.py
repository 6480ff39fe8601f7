"""Live progress of an in-process run, as a Dagster logger.

``grouplake run`` adds this logger to the definitions it runs and selects it in its run
config (the Dagster UI does not need it); it turns Dagster's structured
events into one line per step on the terminal and collects what the final summary needs
(step times, materialization metadata, failed checks).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from rich.console import Console


@dataclass
class RunLedger:
    """What the progress logger saw during one run."""

    step_started: dict[str, float] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)
    step_failures: dict[str, str] = field(default_factory=dict)
    materializations: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed_checks: list[tuple[str, str, str, bool]] = field(default_factory=list)  # asset, check, severity, blocking
    skipped: list[str] = field(default_factory=list)


_console = Console(stderr=True, highlight=False)
_ledger: RunLedger | None = None


def start_ledger() -> RunLedger:
    """Begin collecting events for a new run (returns the ledger the logger fills)."""
    global _ledger
    _ledger = RunLedger()
    return _ledger


def _metadata_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _error_text(error: Any) -> str:
    """The innermost cause of a step error (Dagster wraps user errors in its own)."""
    if error is None:
        return "failed"
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        ledger = _ledger
        meta = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if ledger is None or event is None:
            if record.levelno >= logging.WARNING and ledger is not None:
                _console.print(f"  [yellow]![/yellow] {record.getMessage().split(' - ')[-1][:200]}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            ledger.step_started[step] = time.perf_counter()
            _console.print(f"[dim]▶ {step}[/dim]")
        elif kind == "STEP_SUCCESS":
            seconds = time.perf_counter() - ledger.step_started.get(step, time.perf_counter())
            ledger.step_seconds[step] = seconds
            _console.print(f"[green]✓[/green] {step} [dim]{seconds:.1f}s[/dim]")
        elif kind == "STEP_FAILURE":
            seconds = time.perf_counter() - ledger.step_started.get(step, time.perf_counter())
            ledger.step_seconds[step] = seconds
            error = event.event_specific_data.error
            message = _error_text(error)
            ledger.step_failures[step] = message
            _console.print(f"[red]✗ {step}[/red]: {message[:500]}")
        elif kind == "STEP_SKIPPED":
            ledger.skipped.append(step)
            _console.print(f"[yellow]- {step} skipped[/yellow] (an upstream step or blocking check failed, or dbt left its model out)")
        elif kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            key = "/".join(mat.asset_key.path)
            ledger.materializations[key] = {k: _metadata_value(v) for k, v in mat.metadata.items()}
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                key = "/".join(evaluation.asset_key.path)
                severity = evaluation.severity.value
                blocking = bool(getattr(evaluation, "blocking", False))
                ledger.failed_checks.append((key, evaluation.check_name, severity, blocking))
                colour = "red" if severity == "ERROR" else "yellow"
                _console.print(f"  [{colour}]check {evaluation.check_name} failed on {key} ({severity})[/{colour}]")


@dg.logger(description="One line per step on the terminal; collects the run summary.")
def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("grouplake.progress", level=logging.DEBUG)  # noqa: LOG001 - one per run, unregistered
    logger.addHandler(_ProgressHandler())
    return logger
