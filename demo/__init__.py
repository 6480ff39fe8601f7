"""The demo group simulator: deterministic source systems of a whole group enterprise.

From a ``seed`` and a ``scale`` it generates a conglomerate's source systems over a fixed
24-month window (``profiles/benchmark.toml``; never ``now()``): the ERP database
(:mod:`pipelines.sources.erp.tables`), the CRM (``crm.db`` behind a REST API,
:mod:`demo.crm_server`), WMS CSV drops and IoT JSONL drops (optionally MQTT),
with injected late and defective suppliers, alias vendor records and near-twins, fraud
and dirty rows, all recorded as ground truth under ``<demo dir>/ground_truth/``.

Public API (heavy modules are imported on call)::

    generate_demo_group(settings, *, scale, seed, force=False) -> DemoManifest
    demo_exists(settings) -> bool
    ensure_demo_group(settings) -> DemoManifest | None
    advance_demo_group(settings, days, seed=None) -> DemoManifest
    serve_crm(db_path, *, token, chaos=...)            (context manager -> base URL)
    generate_supplier_records(n_companies, seed, ...)  (entity-resolution evaluation sets)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from demo.manifest import DemoManifest

__all__ = [
    "DemoManifest", "advance_demo_group", "demo_exists", "ensure_demo_group", "generate_demo_group",
    "generate_supplier_records", "serve_crm",
]


def generate_demo_group(settings: Any, *, scale: float | None = None, seed: int | None = None,
                        force: bool = False, **kwargs: Any) -> DemoManifest:
    """See :func:`demo.generate.generate_demo_group`."""
    from demo.generate import generate_demo_group as _generate

    return _generate(settings, scale=scale, seed=seed, force=force, **kwargs)


def demo_exists(settings: Any) -> bool:
    """See :func:`demo.generate.demo_exists`."""
    from demo.generate import demo_exists as _exists

    return _exists(settings)


def ensure_demo_group(settings: Any, **kwargs: Any) -> DemoManifest | None:
    """See :func:`demo.generate.ensure_demo_group`."""
    from demo.generate import ensure_demo_group as _ensure

    return _ensure(settings, **kwargs)


def advance_demo_group(settings: Any, days: int, seed: int | None = None, **kwargs: Any) -> DemoManifest:
    """See :func:`demo.advance.advance_demo_group`."""
    from demo.advance import advance_demo_group as _advance

    return _advance(settings, days, seed, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "DemoManifest":
        from demo.manifest import DemoManifest

        return DemoManifest
    if name == "serve_crm":
        from demo.crm_server import serve_crm

        return serve_crm
    if name == "generate_supplier_records":
        from demo.companies import generate_supplier_records

        return generate_supplier_records
    raise AttributeError(name)
