"""Category attribute templates and the validation of SKU attributes against them.

A category (coal, building materials …) declares typed attributes: coal has
``calorific_value`` (integer, kcal/kg, 3000–7500), ``sulphur`` (number, %, 0–5), ``ash``
(number, %), ``origin`` (string); tiles have ``size`` (enum), ``colour``, ``brand``. A SKU's
attributes must satisfy its category's template: required ones present, types right,
numbers within range, enums within the allowed values, and nothing undeclared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from transactional.domain.errors import ValidationFailedError

AttributeType = Literal["number", "integer", "string", "enum", "boolean"]
TYPES: tuple[str, ...] = ("number", "integer", "string", "enum", "boolean")
FILTER_OPS: tuple[str, ...] = ("eq", "ne", "lt", "lte", "gt", "gte", "in")


@dataclass(frozen=True)
class AttributeSpec:
    """One typed attribute of a category template."""

    name: str
    type: AttributeType
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    allowed_values: tuple[str, ...] = field(default_factory=tuple)
    required: bool = True
    description: str | None = None
    pattern: str | None = None  # strings only: the whole value must match this regex

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the stored form of the template)."""
        return {
            "name": self.name, "type": self.type, "unit": self.unit,
            "minimum": self.minimum, "maximum": self.maximum,
            "allowed_values": list(self.allowed_values), "required": self.required,
            "description": self.description, "pattern": self.pattern,
        }


def parse_template(raw: Sequence[Mapping[str, Any]]) -> tuple[AttributeSpec, ...]:
    """Validate a template given as dicts and return its specs.

    Raises:
        ValidationFailedError: unknown type, duplicate names, min > max, an enum without
            values, or allowed values on a non-enum.
    """
    problems: list[str] = []
    specs: list[AttributeSpec] = []
    seen: set[str] = set()
    for item in raw:
        name = str(item.get("name", "")).strip()
        kind = item.get("type")
        if not name or not name.replace("_", "").isalnum():
            problems.append(f"attribute name {name!r} must be letters, digits and _")
            continue
        if name in seen:
            problems.append(f"attribute {name!r} declared twice")
        seen.add(name)
        if kind not in TYPES:
            problems.append(f"attribute {name!r}: type must be one of {', '.join(TYPES)}")
            continue
        allowed = tuple(str(v) for v in item.get("allowed_values") or ())
        lo, hi = item.get("minimum"), item.get("maximum")
        if kind == "enum" and not allowed:
            problems.append(f"attribute {name!r}: an enum needs allowed_values")
        if kind != "enum" and allowed:
            problems.append(f"attribute {name!r}: allowed_values only apply to enums")
        if (lo is not None or hi is not None) and kind not in ("number", "integer"):
            problems.append(f"attribute {name!r}: minimum/maximum only apply to numbers")
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"attribute {name!r}: minimum {lo} is above maximum {hi}")
        pattern = item.get("pattern")
        if pattern is not None:
            if kind != "string":
                problems.append(f"attribute {name!r}: a pattern only applies to strings")
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                problems.append(f"attribute {name!r}: pattern is not a valid regular expression")
        specs.append(
            AttributeSpec(
                name=name, type=kind, unit=item.get("unit"),
                minimum=None if lo is None else float(lo),
                maximum=None if hi is None else float(hi),
                allowed_values=allowed, required=bool(item.get("required", True)),
                description=item.get("description"), pattern=pattern,
            )
        )
    if problems:
        raise ValidationFailedError("invalid attribute template", details={"problems": problems})
    return tuple(specs)


def _check_value(spec: AttributeSpec, value: Any) -> tuple[Any, str | None]:
    """Return ``(normalised value, problem or None)``."""
    if spec.type == "boolean":
        return (value, None) if isinstance(value, bool) else (value, "must be true or false")
    if spec.type in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value, "must be a number"
        if spec.type == "integer" and not float(value).is_integer():
            return value, "must be a whole number"
        value = int(value) if spec.type == "integer" else value
        if spec.minimum is not None and value < spec.minimum:
            return value, f"{value} is below the minimum {spec.minimum:g}"
        if spec.maximum is not None and value > spec.maximum:
            return value, f"{value} is above the maximum {spec.maximum:g}"
        return value, None
    if not isinstance(value, str) or not value.strip():
        return value, "must be a non-empty string"
    if spec.type == "enum" and value not in spec.allowed_values:
        return value, f"{value!r} is not one of {', '.join(spec.allowed_values)}"
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value.strip()):
        return value, f"{value!r} does not match the pattern {spec.pattern}"
    return value.strip(), None


def validate_attributes(
    specs: Sequence[AttributeSpec], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Check a SKU's attributes against its category template.

    Returns:
        The normalised attributes (integers as ``int``, strings stripped).

    Raises:
        ValidationFailedError: every problem found, per attribute, in ``details``.

    Example:
        >>> spec = AttributeSpec("sulphur", "number", "%", 0, 5)
        >>> validate_attributes([spec], {"sulphur": 0.8})
        {'sulphur': 0.8}
    """
    by_name = {s.name: s for s in specs}
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in values:
        if name not in by_name:
            problems[name] = "not declared by the category template"
    for spec in specs:
        missing = spec.name not in values or values[spec.name] is None
        if missing and spec.required:
            problems[spec.name] = "is required"
        if missing:
            continue
        value, problem = _check_value(spec, values[spec.name])
        if problem:
            problems[spec.name] = problem
        else:
            clean[spec.name] = value
    if problems:
        raise ValidationFailedError(
            "attributes do not match the category template", details={"attributes": problems}
        )
    return clean


@dataclass(frozen=True)
class AttributeFilter:
    """``name op value(s)``; numeric when every value parses as a number."""

    name: str
    op: str
    values: tuple[str, ...]
    numeric: bool

    @property
    def numbers(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.values)


def parse_filter(text: str) -> AttributeFilter:
    """Parse ``name:op:value`` (``in`` takes ``a|b|c``).

    Raises:
        ValidationFailedError: malformed filter, unknown op, or an order comparison on text.

    Example:
        >>> parse_filter("sulphur:lte:0.8")
        AttributeFilter(name='sulphur', op='lte', values=('0.8',), numeric=True)
    """
    parts = text.split(":", 2)
    if len(parts) != 3 or not parts[0] or parts[2] == "":
        raise ValidationFailedError(f"attribute filter {text!r} must look like name:op:value")
    name, op, raw = parts
    if op not in FILTER_OPS:
        raise ValidationFailedError(
            f"attribute filter {text!r}: op must be one of {', '.join(FILTER_OPS)}"
        )
    values = tuple(raw.split("|")) if op == "in" else (raw,)
    numeric = all(_is_number(v) for v in values)
    if op in ("lt", "lte", "gt", "gte") and not numeric:
        raise ValidationFailedError(f"attribute filter {text!r}: {op} needs a number")
    return AttributeFilter(name, op, values, numeric)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity")
