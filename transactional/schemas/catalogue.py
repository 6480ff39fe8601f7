"""Category (with attribute template) and SKU bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel


class AttributeSpecIn(RequestModel):
    """One typed attribute of a category template."""

    name: str = Field(min_length=1, max_length=64)
    type: Literal["number", "integer", "string", "enum", "boolean"]
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    allowed_values: list[str] = Field(default_factory=list)
    required: bool = True
    description: str | None = None
    pattern: str | None = Field(default=None, max_length=200,
                                description="strings only: regular expression the value matches")


class CategoryCreate(RequestModel):
    """A category and its attribute template (admins)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "thermal-coal", "name": "Thermal coal",
        "attributes": [
            {"name": "calorific_value", "type": "integer", "unit": "kcal/kg",
             "minimum": 3000, "maximum": 7500},
            {"name": "sulphur", "type": "number", "unit": "%", "minimum": 0, "maximum": 5},
            {"name": "ash", "type": "number", "unit": "%", "minimum": 0, "maximum": 60},
            {"name": "origin", "type": "string"},
        ],
    }]})

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    attributes: list[AttributeSpecIn] = Field(max_length=100)


class CategoryPublic(BaseModel):
    id: int
    code: str
    name: str
    attributes: list[dict[str, Any]]
    created_at: dt.datetime


class SkuCreate(RequestModel):
    """A SKU; its attributes must satisfy the category's template."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "COAL-5500-SX", "category_id": 1, "name": "Thermal coal 5500 Shanxi",
        "unit": "t",
        "attributes": {"calorific_value": 5500, "sulphur": 0.8, "ash": 18.5,
                       "origin": "Datong, Shanxi"},
    }]})

    code: str = Field(min_length=1, max_length=64)
    category_id: Id
    name: str = Field(min_length=1, max_length=300)
    unit: str = Field(min_length=1, max_length=16)
    attributes: dict[str, Any] = Field(default_factory=dict)


class SkuPublic(BaseModel):
    id: int
    code: str
    category_id: int
    name: str
    unit: str
    attributes: dict[str, Any]
    created_at: dt.datetime
