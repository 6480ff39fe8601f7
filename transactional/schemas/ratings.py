"""Order rating bodies (evaluation feedback) and the supplier's rating aggregate."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from infra.http.validators import RequestModel

#: The longest comment kept (characters; the ``order_ratings.comment`` column's length).
COMMENT_MAX_CHARS = 1000

Score = Annotated[int, Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")]
Comment = Annotated[str, Field(min_length=1, max_length=COMMENT_MAX_CHARS)]


class RatingCreate(RequestModel):
    """The buyer's rating of a delivered order: all three scores, optionally a comment.
    Also the body of ``PUT`` (the whole rating replaced; no comment removes it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"delivery_score": 4, "quality_score": 5, "service_score": 3,
         "comment": "two days late, coal as specified"}]})

    delivery_score: Score
    quality_score: Score
    service_score: Score
    comment: Comment | None = None


class RatingChange(RequestModel):
    """A partial change (``PATCH``): only the fields sent change; ``"comment": null`` removes it."""

    delivery_score: Score | None = None
    quality_score: Score | None = None
    service_score: Score | None = None
    comment: Comment | None = None

    @model_validator(mode="after")
    def _something(self) -> RatingChange:
        if not self.model_fields_set:
            raise ValueError("send at least one of delivery_score, quality_score, service_score, comment")
        for name in ("delivery_score", "quality_score", "service_score"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed, only changed (1-5)")
        return self


class RatingPublic(BaseModel):
    order_id: int
    supplier_id: str
    business_unit: str
    delivery_score: int
    quality_score: int
    service_score: int
    comment: str | None
    version: int  # 1 when given, +1 per change
    rated_at: dt.datetime
    updated_at: dt.datetime
    editable_until: dt.datetime


class RatingSummaryPublic(BaseModel):
    """A supplier's ratings in the caller's scope: how many and the mean scores; no rater,
    no single rating."""

    supplier_id: str
    scope: str  # "group" or the caller's business unit
    rating_count: int
    delivery_mean: str | None  # 2 decimals; null without ratings or while withheld
    quality_mean: str | None
    service_mean: str | None
    overall_mean: str | None  # mean of the three scores
    means_withheld: bool  # the supplier sees means only from min_count_for_means ratings on
    min_count_for_means: int
