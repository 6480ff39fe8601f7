"""Promotion bodies: full reduction (满减), percentage, tiered dealer rebates (阶梯返利)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel

Kind = Literal["full_reduction", "percentage", "tiered_rebate"]
Stacking = Literal["exclusive", "stackable"]


class PromotionCreate(RequestModel):
    """A new promotion. ``rules`` by kind:

    * ``full_reduction``: ``{"threshold": "2000", "reduction": "200", "repeat": true,
      "max_reduction": null}`` — 200 off every full 2,000 (once when ``repeat`` is false);
    * ``percentage``: ``{"percent": "5", "min_amount": null, "max_discount": null}``;
    * ``tiered_rebate``: ``{"period": "month", "tiers": [{"from": "0", "rate_percent": "1"},
      {"from": "100000", "rate_percent": "2"}]}`` — marginal tiers on the dealer's period
      volume (see the README).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "COAL-MJ-2000-200", "name": "满2000减200", "kind": "full_reduction",
        "business_unit": "COAL", "currency": "CNY", "priority": 10, "stacking": "stackable",
        "rules": {"threshold": "2000", "reduction": "200", "repeat": True},
    }]})

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    business_unit: str | None = Field(default=None, max_length=32)
    category_id: Id | None = None
    supplier_id: str | None = Field(default=None, max_length=64)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    priority: int = Field(default=100, ge=0, le=1_000_000)
    stacking: Stacking = "exclusive"
    stacks_with: list[Kind] = Field(default_factory=list)
    rules: dict[str, Any]


class PromotionUpdate(RequestModel):
    """Changes to a promotion (bumps its version)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None
    priority: int | None = Field(default=None, ge=0, le=1_000_000)
    stacking: Stacking | None = None
    stacks_with: list[Kind] | None = None
    rules: dict[str, Any] | None = None
    is_active: bool | None = None


class PromotionPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    business_unit: str | None
    category_id: int | None
    supplier_id: str | None
    currency: str | None
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    priority: int
    stacking: str
    stacks_with: list[str]
    rules: dict[str, Any]
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
