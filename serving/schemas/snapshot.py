"""What the API reports about the snapshot it serves."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SourceTablePublic(BaseModel):
    """A gold table copied into the snapshot."""

    mart: str
    delta_version: int = Field(description="The gold Delta version copied")
    rows: int


class SnapshotPublic(BaseModel):
    """The snapshot this API instance serves right now."""

    snapshot_id: str
    built_at: str = Field(description="UTC build time (ISO-8601)")
    build_seconds: float
    tables: list[SourceTablePublic]
    missing_marts: list[str] = Field(description="Served marts not published in gold yet")


class ColumnDocPublic(BaseModel):
    """One documented column of a served mart (its dbt contract)."""

    mart: str
    column_name: str
    description: str


class MetricDefinitionPublic(BaseModel):
    """One scorecard metric and how it is computed."""

    metric: str
    metric_group: str
    definition: str | None = Field(None, description="The mart's column description (formula)")
    score_definition: str | None = Field(None, description="How its 0-100 score is computed")
