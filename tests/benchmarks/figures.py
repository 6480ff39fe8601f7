"""README figures come from results files: the marker format and its checker.

Why it exists: a speed or quality figure typed into a README drifts from what the benchmark
last measured. Every such figure carries a marker right after it (invisible on GitHub)::

    4,057 req/s<!-- bench: serving.json result/scorecard/requests_per_s -->
    a quarter<!-- bench: orders.json result/cases/spread_c16/ratios/fast_path_cpu_saving/median x100 -->

``serving.json`` is a file of ``tests/benchmarks/results/``; the key is a ``/``-separated path
(list items by index; keys may contain dots, e.g. ``result/speed/1.0/dbt_models_s``); an
optional ``x<factor>`` scales the value (``x100`` for a percentage). The figure is the last
number before the marker, with at most a short unit between them (``26.5 s``, ``13.8 ms``,
``41 %``). It agrees when the JSON value, rounded half-up to the figure's decimals, equals it
(``0.915`` shows as ``0.92``; ``4057.4`` as ``4,057``).

The test ``tests/benchmarks/test_readme_figures.py`` checks every marker of every README of
the repository, and that no timing or throughput figure (``12 ms``, ``26.5 s``,
``4,057 req/s`` …) stands without a marker (a number that is not measured, e.g. a timeout,
takes ``<!-- not-measured -->`` instead). Inline code spans and fenced blocks tagged
``markdown`` (examples of this syntax) are not checked. ``python -m tests.benchmarks.figures`` lists every
marker with the value its file holds now: the list to update READMEs from after a bench run.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "benchmarks" / "results"
SKIP_DIRS = {".venv", ".git", ".grouplake", "node_modules", "dbt_packages", "target", "build"}

MARKER = re.compile(
    r"(?P<number>-?\d[\d,]*(?:\.\d+)?)(?P<unit>[^\d<>|]{0,12}?)"
    r"<!--\s*bench:\s*(?P<file>[\w.-]+\.json)\s+(?P<key>\S+?)"
    r"(?:\s+x(?P<factor>\d+(?:\.\d+)?))?\s*-->")
COMMENT = re.compile(r"<!--.*?-->")
#: a timing or throughput figure: must carry a marker (or ``<!-- not-measured -->``).
TIMING = re.compile(
    r"(?<![\w.])(?P<number>\d[\d,]*(?:\.\d+)?)\s?"
    r"(?P<unit>ms|s|req/s|rows/s|records/s|orders/s|pairs/s)(?![\w/])"
    r"(?P<after>(?:[^\d<>|]{0,12}?)<!--\s*(?:bench:|not-measured)[^>]*-->)?")


@dataclass(frozen=True)
class Figure:
    """One marked figure of a README."""

    readme: Path
    line: int
    text: str  # the figure as written (``4,057``)
    file: str
    key: str
    factor: Decimal

    @property
    def where(self) -> str:
        return f"{self.readme.relative_to(REPO) if self.readme.is_relative_to(REPO) else self.readme}:{self.line}"


def readmes(root: Path = REPO) -> list[Path]:
    """Every ``README.md`` under ``root`` (virtualenvs, build and data folders left out)."""
    found = []
    for path in sorted(root.rglob("README.md")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            found.append(path)
    return found


INLINE_CODE = re.compile(r"`[^`]*`")


def checked_lines(readme: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of ``readme`` as checked: inline code spans blanked, and fenced
    blocks tagged ``markdown`` (examples of the marker syntax itself) left out."""
    example = False
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        fence = line.lstrip().startswith("```")
        if fence and not example and line.strip() == "```markdown":
            example = True
            continue
        if example:
            example = not fence
            continue
        yield number, INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


def figures(readme: Path) -> Iterator[Figure]:
    """The marked figures of one README, in order."""
    for number, line in checked_lines(readme):
        for m in MARKER.finditer(line):
            yield Figure(readme, number, m["number"], m["file"], m["key"],
                         Decimal(m["factor"] or "1"))


def unmarked_timings(readme: Path) -> list[str]:
    """Timing/throughput figures of ``readme`` that carry no marker (``path:line: text``)."""
    out = []
    for number, line in checked_lines(readme):
        comments = [c.span() for c in COMMENT.finditer(line)]
        for m in TIMING.finditer(line):
            inside = any(a <= m.start() < b for a, b in comments)
            if not m["after"] and not inside:
                out.append(f"{readme}:{number}: {m.group(0).strip()!r} in {line.strip()[:120]!r}")
    return out


def resolve(data: Any, key: str) -> Any:
    """The value at ``/``-separated ``key`` of ``data`` (list items by index).

    Raises:
        KeyError: with the keys available where the path stopped.
    """
    node = data
    for i, part in enumerate(key.split("/")):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            here = "/".join(key.split("/")[:i]) or "(top)"
            keys = list(node)[:30] if isinstance(node, dict) else f"list of {len(node)}" \
                if isinstance(node, list) else repr(node)
            raise KeyError(f"{key!r}: no {part!r} under {here}; there: {keys}")
    return node


def shown(value: Any, text: str, factor: Decimal = Decimal(1)) -> str:
    """``value`` (× ``factor``) rounded half-up to the decimals of ``text``, written like it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    quantum = Decimal(1).scaleb(-decimals)
    rounded = (Decimal(repr(value)) * factor).quantize(quantum, rounding=ROUND_HALF_UP)
    out = f"{rounded:,.{decimals}f}" if "," in text else f"{rounded:.{decimals}f}"
    return out


def check(figure: Figure, results: Path = RESULTS) -> str | None:
    """``None`` when ``figure`` agrees with its results file, else what is wrong."""
    path = results / figure.file
    if not path.exists():
        return f"{figure.where}: {figure.text} names {figure.file}, which does not exist"
    try:
        value = resolve(json.loads(path.read_text()), figure.key)
        expected = shown(value, figure.text, figure.factor)
    except (KeyError, TypeError) as exc:
        return f"{figure.where}: {figure.text} ({figure.file}): {exc}"
    if expected.replace(",", "") != figure.text.replace(",", ""):
        return (f"{figure.where}: README says {figure.text}, {figure.file} {figure.key} "
                f"holds {value!r} (shown as {expected})")
    return None


def problems(root: Path = REPO, results: Path = RESULTS) -> list[str]:
    """Every disagreement and every unmarked timing figure of every README under ``root``."""
    out: list[str] = []
    for readme in readmes(root):
        out.extend(p for f in figures(readme) if (p := check(f, results)))
        out.extend(unmarked_timings(readme))
    return out


def main() -> int:
    """Print every marked figure with the value its results file holds now."""
    for readme in readmes():
        for f in figures(readme):
            try:
                data = json.loads((RESULTS / f.file).read_text())
                value = shown(resolve(data, f.key), f.text, f.factor)
                legacy = "" if data.get("harness") else "  (file not made by the harness)"
            except (OSError, KeyError, TypeError) as exc:
                value, legacy = f"?? {exc}", ""
            status = "ok " if value.replace(",", "") == f.text.replace(",", "") else "OFF"
            print(f"{status} {f.where}: {f.text} <- {f.file} {f.key} = {value}{legacy}")
    for line in (u for r in readmes() for u in unmarked_timings(r)):
        print(f"UNMARKED {line}")
    return 1 if problems() else 0


if __name__ == "__main__":
    sys.exit(main())
