"""``/healthz`` (the process answers) and ``/readyz`` (the database answers, schema current)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from infra.http.errors import error_response
from transactional.api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _check(context: ContextDep) -> tuple[str | None, str]:
    from transactional.migrations import current_revision, head_revision

    with context.db.engine.connect() as connection:
        return current_revision(connection), head_revision()


@router.get("/readyz", summary="Readiness: database reachable and migrated")
async def readyz(context: ContextDep) -> JSONResponse:
    try:
        current, head = await run_in_threadpool(_check, context)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return error_response(503, "not_ready", f"database unreachable: {type(exc).__name__}")
    if current != head:
        return error_response(503, "not_ready", "database schema is not current; run "
                              "`grouplake tx migrate`", {"current": current, "head": head})
    return JSONResponse({"status": "ready", "schema_revision": current})
