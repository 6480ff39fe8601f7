"""``/healthz`` (the process answers) and ``/readyz`` (a snapshot is loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from infra.http.errors import error_response
from serving.api.common import SNAPSHOT_HEADER
from serving.api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: a serving snapshot is loaded")
async def readyz(context: ContextDep) -> JSONResponse:
    try:
        snapshot = context.store.current()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return error_response(503, "not_ready", f"snapshot unreadable: {type(exc).__name__}")
    if snapshot is None:
        return error_response(503, "not_ready", "no serving snapshot has been published yet",
                              {"snapshot_dir": str(context.store.directory)})
    return JSONResponse({"status": "ready", "snapshot_id": snapshot.snapshot_id,
                         "built_at": snapshot.info.built_at},
                        headers={SNAPSHOT_HEADER: snapshot.snapshot_id})
