"""The shared benchmark harness: the project against an anchor doing the same work, in one run.

Why it exists: on a shared 2-core machine a wall-clock figure taken alone says more about the
neighbours than about the code. What survives the noise is a *ratio* against an anchor (the
raw library, or a named baseline, doing the same work) measured in the same round, right
next to it. Every bench in ``tests/benchmarks/bench_<name>.py`` uses this module, so every
figure in ``tests/benchmarks/results/*.json`` is made the same way:

* **sides interleaved per round**: each round runs every side once (anchor and project:
  A B, then B A, … — the order rotates so neither side always runs second, on a warmer
  cache); a side may run in a **fresh process** per round (``Side(fresh_process=True)``);
* **a ratio per round**, from that round's own samples, never from each side's best round;
* **median with min–max and the number of rounds** of every ratio, every side's seconds,
  CPU seconds and metrics (p50/p99 latency: the median over rounds of each round's
  percentile, never the best round);
* **the load average before and after every round**; a round taken at more than
  ``load_limit_per_core`` (1.5) × cores is repeated (``retries``) and, when still loaded,
  kept and flagged (its figures count; the summary says how many rounds were loaded);
* **named temperature**: every comparison is ``"cold"`` (first call in a fresh process,
  caches empty) or ``"warm"`` (after untimed warm-up calls), so a figure always says which;
* **an envelope** (:func:`envelope`) with the commit, a dirty-tree flag and the dirty paths,
  the machine, the quick flag and the load at the start and end of the run.

Example (a complete bench module; ``make bench BENCH=example``)::

    from tests.benchmarks import harness

    def run() -> dict:
        data = list(range(200_000))
        sides = [harness.Side("sorted", lambda r: sorted(data)),       # the anchor
                 harness.Side("ours", lambda r: our_sort(data))]        # the project
        warm = harness.compare("sort_200k", sides=sides, anchor="sorted", temperature="warm",
                               warmup=1, rounds=harness.rounds(7, quick=2))
        return {"sort": warm.to_dict()}   # ratio: sorted seconds / ours seconds, per round

``Side.run(round_number)`` returns a mapping of metrics (timed by the harness, metrics kept),
a :class:`Sample` (the side timed itself, e.g. a load test returning requests/s and latency
percentiles), or anything else (ignored: the harness times the whole call, wall and CPU).
The default ratio is ``anchor seconds ÷ project seconds`` (the project's speed as a share of the
anchor's: 0.8 means 20 % slower); pass ``ratios={"name": fn(samples) -> float}`` for others,
e.g. :func:`speed_ratio`, :func:`metric_ratio`.

Quick mode (``BENCH_QUICK=1``): benches pick their smallest configuration with
:func:`by_mode` / :func:`rounds`, and the result is written to ``results/quick/`` (not
committed), so a quick run never overwrites a real figure. ``BENCH_ROUNDS=N`` overrides the
number of rounds of every comparison.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: rounds below this many are flagged when a round takes under ``MIN_ROUNDS_BELOW_SECONDS``.
MIN_ROUNDS = 5
MIN_ROUNDS_BELOW_SECONDS = 60.0
LOAD_LIMIT_PER_CORE = 1.5
REPO = Path(__file__).resolve().parents[2]
TEMPERATURES = ("cold", "warm")


def is_quick() -> bool:
    """True when ``BENCH_QUICK`` is set to a true value (the smallest configuration)."""
    return os.environ.get("BENCH_QUICK", "").lower() in ("1", "true", "yes")


def by_mode(full: Any, quick: Any) -> Any:
    """``quick`` in quick mode, else ``full``: ``SCALES = by_mode((1, 10), (0.05,))``."""
    return quick if is_quick() else full


def rounds(full: int = MIN_ROUNDS, quick: int = 2) -> int:
    """Rounds for a comparison: ``BENCH_ROUNDS`` if set, else ``quick`` or ``full`` by mode."""
    override = os.environ.get("BENCH_ROUNDS")
    return int(override) if override else by_mode(full, quick)


@dataclass(frozen=True)
class Machine:
    """Clocks and load of the machine (injectable: the harness's own tests use fake ones)."""

    clock: Callable[[], float] = time.perf_counter
    cpu_clock: Callable[[], float] = time.process_time
    load_1m: Callable[[], float] = lambda: os.getloadavg()[0]
    cpus: int = os.cpu_count() or 1
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Sample:
    """One side's measurement in one round.

    Args:
        seconds: wall seconds of the measured work.
        cpu_seconds: CPU seconds of the measured work in the measuring process (``None`` when
            not known; child processes such as a JVM or a server are not included unless the
            side adds them itself).
        metrics: further numbers summarised over rounds (``requests_per_s``, ``p99_ms`` …).
        info: anything else worth keeping in the round log (counts, reports); not summarised.
    """

    seconds: float
    cpu_seconds: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Side:
    """One way of doing the work: the anchor or the project.

    Args:
        name: short name used in the results (``raw``, ``lake``, ``app`` …).
        run: ``run(round_number)`` does the work once; returns a metrics mapping, a
            :class:`Sample` or anything else (ignored; see the module docstring). With
            ``fresh_process`` it must be picklable (a module-level function or a
            ``functools.partial`` of one).
        fresh_process: run every round in a new spawned process (timed inside the child,
            so imports done by ``run`` count, interpreter start-up does not).
    """

    name: str
    run: Callable[[int], Any]
    fresh_process: bool = False


def timed(fn: Callable[..., Any], *args: Any, machine: Machine | None = None,
          **kwargs: Any) -> tuple[Any, Sample]:
    """Call ``fn`` and return (its result, a :class:`Sample` of its wall and CPU seconds).

    Example:
        >>> _, sample = timed(sum, range(10))
        >>> sample.seconds >= 0
        True
    """
    m = machine or Machine()
    wall, cpu = m.clock(), m.cpu_clock()
    out = fn(*args, **kwargs)
    return out, Sample(m.clock() - wall, m.cpu_clock() - cpu)


def _as_sample(out: Any, measured: Sample) -> Sample:
    if isinstance(out, Sample):
        return out
    if isinstance(out, Mapping):
        return Sample(measured.seconds, measured.cpu_seconds, metrics=dict(out))
    return measured  # None or whatever the work returned (a report, a table): not a figure


def _child(run: Callable[[int], Any], number: int) -> Sample:
    out, measured = timed(run, number)
    return _as_sample(out, measured)


def in_fresh_process(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a new spawned Python process (``fn`` picklable); its return value."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def spread(values: Sequence[float | None]) -> dict[str, Any]:
    """Median, min, max and count of ``values`` (``None`` values left out).

    Example:
        >>> spread([3.0, 1.0, 2.0, 10.0])
        {'median': 2.5, 'min': 1.0, 'max': 10.0, 'n': 4}
    """
    kept = [float(v) for v in values if v is not None]
    if not kept:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(kept), "min": min(kept), "max": max(kept), "n": len(kept)}


def speed_ratio(project: str, anchor: str) -> Callable[[Mapping[str, Sample]], float | None]:
    """Ratio ``anchor seconds ÷ project seconds`` of one round (the project's relative speed)."""

    def ratio(samples: Mapping[str, Sample]) -> float | None:
        p = samples[project].seconds
        return samples[anchor].seconds / p if p else None

    return ratio


def metric_ratio(metric: str, numerator: str, denominator: str
                 ) -> Callable[[Mapping[str, Sample]], float | None]:
    """Ratio ``numerator.metrics[metric] ÷ denominator.metrics[metric]`` of one round
    (``metric_ratio("requests_per_s", "app", "raw")``; also ``"seconds"``/``"cpu_seconds"``)."""

    def value(sample: Sample) -> float | None:
        if metric in ("seconds", "cpu_seconds"):
            return getattr(sample, metric)
        return sample.metrics.get(metric)

    def ratio(samples: Mapping[str, Sample]) -> float | None:
        top, bottom = value(samples[numerator]), value(samples[denominator])
        return top / bottom if top is not None and bottom else None

    return ratio


@dataclass
class Round:
    """One kept round: every side's sample, the loads around it and its ratios."""

    number: int
    attempt: int
    order: list[str]
    load_before: float
    load_after: float
    flagged: bool
    seconds: float
    samples: dict[str, Sample]
    ratios: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        """The round as JSON-ready data (the round log of the results file)."""
        return {
            "round": self.number, "attempt": self.attempt, "order": self.order,
            "load_1m_before_after": [round(self.load_before, 2), round(self.load_after, 2)],
            "flagged": self.flagged, "round_seconds": round(self.seconds, 3),
            "ratios": {k: _round(v) for k, v in self.ratios.items()},
            "sides": {name: {"seconds": _round(s.seconds), "cpu_seconds": _round(s.cpu_seconds),
                             **({"metrics": {k: _round(v) for k, v in s.metrics.items()}}
                                if s.metrics else {}),
                             **({"info": s.info} if s.info else {})}
                      for name, s in self.samples.items()},
        }


@dataclass
class Comparison:
    """The outcome of :func:`compare`: every kept round and the discarded (loaded) attempts."""

    name: str
    temperature: str
    anchor: str
    sides: list[str]
    rounds: list[Round]
    discarded: list[dict[str, Any]]
    load_limit: float
    cpus: int
    note: str = ""

    def ratio(self, name: str = "ratio") -> dict[str, Any]:
        """Median / min / max / n of ratio ``name`` over the kept rounds."""
        return spread([r.ratios.get(name) for r in self.rounds])

    def side(self, name: str) -> dict[str, Any]:
        """Median / min / max / n of one side's seconds, CPU seconds and each metric."""
        samples = [r.samples[name] for r in self.rounds]
        metrics = sorted({k for s in samples for k in s.metrics})
        out = {"seconds": spread([s.seconds for s in samples]),
               "cpu_seconds": spread([s.cpu_seconds for s in samples])}
        out.update({k: spread([s.metrics.get(k) for s in samples]) for k in metrics})
        return out

    @property
    def below_minimum_rounds(self) -> bool:
        """Fewer than ``MIN_ROUNDS`` rounds although a round takes under a minute."""
        short = spread([r.seconds for r in self.rounds])["median"] or 0.0
        return len(self.rounds) < MIN_ROUNDS and short < MIN_ROUNDS_BELOW_SECONDS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ratios and sides as median/min/max/n, the round log, the load."""
        names = sorted({k for r in self.rounds for k in r.ratios})
        return {
            "name": self.name,
            "temperature": self.temperature,
            "anchor": self.anchor,
            "sides": self.sides,
            "rounds": len(self.rounds),
            "ratios": {n: _rounded(self.ratio(n)) for n in names},
            "figures": {s: {k: _rounded(v) for k, v in self.side(s).items()} for s in self.sides},
            "load": {
                "limit_1m": round(self.load_limit, 2), "cpus": self.cpus,
                "flagged_rounds": [r.number for r in self.rounds if r.flagged],
                "repeated_attempts": len(self.discarded),
                "max_1m": _round(max((max(r.load_before, r.load_after) for r in self.rounds),
                                     default=None)),
            },
            "below_minimum_rounds": self.below_minimum_rounds and not is_quick(),
            **({"note": self.note} if self.note else {}),
            "round_log": [r.to_dict() for r in self.rounds],
            **({"discarded_attempts": self.discarded} if self.discarded else {}),
        }


def compare(name: str, *, sides: Sequence[Side], anchor: str, rounds: int, temperature: str,
            ratios: Mapping[str, Callable[[Mapping[str, Sample]], float | None]] | None = None,
            warmup: int = 0, order: str = "rotate", retries: int | None = None,
            load_limit_per_core: float | None = None, note: str = "",
            machine: Machine | None = None) -> Comparison:
    """Run every side once per round, rounds interleaved, and compute each round's ratios.

    Args:
        name: what is compared (``"wms_x10"``), kept in the result.
        sides: the anchor and the project side(s); names unique.
        anchor: the name of the anchor side (the raw library or named baseline).
        rounds: kept rounds (see :func:`rounds`; at least 5 when a round is under a minute).
        temperature: ``"cold"`` or ``"warm"`` — what the figures are; ``"cold"`` forbids warm-up.
        ratios: name -> fn(samples of one round) -> ratio; default: ``ratio`` =
            :func:`speed_ratio` of the one project side (``ratio_<side>`` for each when more).
        warmup: untimed calls of every side before the first round (``"warm"`` figures).
        order: ``"rotate"`` (the first side rotates every round) or ``"fixed"``.
        retries: how many times a round taken above the load limit is repeated before it is
            kept and flagged (default 1; 0 in quick mode, which only proves the bench works).
        load_limit_per_core: the 1-minute load average per core above which a round counts
            as loaded (default 1.5, or ``BENCH_LOAD_LIMIT``), checked before and after it.
        note: one sentence on what the sides do, kept in the result.
        machine: clocks and load (tests pass fake ones).

    Returns:
        A :class:`Comparison`; ``to_dict()`` gives the results-file form.
    """
    m = machine or Machine()
    names = [s.name for s in sides]
    if len(set(names)) != len(names) or anchor not in names or len(names) < 2:
        raise ValueError(f"need >= 2 uniquely named sides including the anchor {anchor!r}: {names}")
    if temperature not in TEMPERATURES:
        raise ValueError(f"temperature must be one of {TEMPERATURES}, not {temperature!r}")
    if temperature == "cold" and warmup:
        raise ValueError("a cold comparison takes no warm-up calls")
    if rounds < 1 or order not in ("rotate", "fixed"):
        raise ValueError(f"rounds >= 1 and order 'rotate' or 'fixed' (got {rounds}, {order!r})")
    if ratios is None:
        projects = [n for n in names if n != anchor]
        ratios = ({"ratio": speed_ratio(projects[0], anchor)} if len(projects) == 1 else
                  {f"ratio_{p}": speed_ratio(p, anchor) for p in projects})
    if retries is None:
        retries = by_mode(1, 0)
    limit = (load_limit_per_core if load_limit_per_core is not None
             else float(os.environ.get("BENCH_LOAD_LIMIT", LOAD_LIMIT_PER_CORE))) * m.cpus
    for _ in range(warmup):
        for side in sides:
            side.run(-1)
    kept: list[Round] = []
    discarded: list[dict[str, Any]] = []
    for number in range(rounds):
        shift = number % len(sides) if order == "rotate" else 0
        ordered = list(sides[shift:]) + list(sides[:shift])
        for attempt in range(retries + 1):
            started, before = m.clock(), m.load_1m()
            samples = {side.name: _run_side(side, number, m) for side in ordered}
            after, seconds = m.load_1m(), m.clock() - started
            loaded = max(before, after) > limit
            if loaded and attempt < retries:
                discarded.append({"round": number, "attempt": attempt,
                                  "load_1m_before_after": [round(before, 2), round(after, 2)]})
                continue
            kept.append(Round(number, attempt, [s.name for s in ordered], before, after, loaded,
                              seconds, {n: samples[n] for n in names},
                              {k: fn(samples) for k, fn in ratios.items()}))
            break
    return Comparison(name, temperature, anchor, names, kept, discarded, limit, m.cpus, note)


def combine(name: str, parts: Sequence[Comparison],
            ratios: Mapping[str, Callable[[Mapping[str, Sample]], float | None]] | None = None,
            note: str = "") -> Comparison:
    """Sum comparisons of the parts of one job round by round (e.g. every entity of a source).

    Round ``r`` of the whole is the sum of round ``r`` of every part (each part's sides were
    interleaved, so each summed pair was measured side by side); its ratios are recomputed
    from the sums. A round is flagged when any part of it was.

    Args:
        name: the whole's name.
        parts: comparisons with the same sides, anchor, temperature and number of rounds.
        ratios: as for :func:`compare` (default: those of the first part are not reusable,
            so the default speed ratio of the single project side).
        note: kept in the result.
    """
    first = parts[0]
    if any((p.sides, p.anchor, p.temperature, len(p.rounds)) !=
           (first.sides, first.anchor, first.temperature, len(first.rounds)) for p in parts):
        raise ValueError("combined comparisons need the same sides, anchor, temperature, rounds")
    if ratios is None:
        projects = [n for n in first.sides if n != first.anchor]
        ratios = ({"ratio": speed_ratio(projects[0], first.anchor)} if len(projects) == 1 else
                  {f"ratio_{p}": speed_ratio(p, first.anchor) for p in projects})
    rounds_: list[Round] = []
    for number in range(len(first.rounds)):
        these = [p.rounds[number] for p in parts]
        samples = {}
        for side in first.sides:
            parts_of = [r.samples[side] for r in these]
            cpu = [s.cpu_seconds for s in parts_of]
            metrics = sorted({k for s in parts_of for k in s.metrics})
            samples[side] = Sample(
                sum(s.seconds for s in parts_of), None if None in cpu else sum(cpu),
                {k: sum(s.metrics.get(k, 0.0) for s in parts_of) for k in metrics})
        rounds_.append(Round(
            number, max(r.attempt for r in these), these[0].order,
            max(r.load_before for r in these), max(r.load_after for r in these),
            any(r.flagged for r in these), sum(r.seconds for r in these), samples,
            {k: fn(samples) for k, fn in ratios.items()}))
    discarded = [d for p in parts for d in p.discarded]
    return Comparison(name, first.temperature, first.anchor, list(first.sides), rounds_, discarded,
                      first.load_limit, first.cpus, note)


def _run_side(side: Side, number: int, m: Machine) -> Sample:
    if side.fresh_process:
        return in_fresh_process(_child, side.run, number)
    out, measured = timed(side.run, number, machine=m)
    return _as_sample(out, measured)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _rounded(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (_round(v) if k != "n" else v) for k, v in stats.items()}


def latency_metrics(latencies_s: Sequence[float], seconds: float) -> dict[str, float]:
    """Per-round throughput and latency percentiles (nearest rank, ms) of one load phase.

    Example:
        >>> latency_metrics([0.001] * 99 + [0.1], 1.0)["p99_ms"]
        100.0
    """
    if not latencies_s:
        return {"per_s": 0.0, "count": 0}
    ordered = sorted(latencies_s)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

    return {"per_s": round(len(ordered) / seconds, 1), "count": len(ordered),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 3)}


# -- the envelope --------------------------------------------------------------------------


def git_state(repo: Path = REPO, ignore: Sequence[str] = ("tests/benchmarks/results/",)
              ) -> dict[str, Any]:
    """The commit of ``repo`` and whether its tree differs from it (results files ignored).

    Returns:
        ``{"commit": <short hash or "unknown">, "dirty": bool, "dirty_paths": [...]}``.
    """
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                              check=False).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
        lines = git("status", "--porcelain", "--untracked-files=all").splitlines()
    except OSError:
        return {"commit": "unknown", "dirty": None, "dirty_paths": []}
    paths = [line[3:] for line in lines if not line[3:].startswith(tuple(ignore))]
    return {"commit": commit, "dirty": bool(paths), "dirty_paths": paths[:20]}


def envelope(name: str, result: Mapping[str, Any], *, git: Mapping[str, Any],
             load_start: Sequence[float], wall_seconds: float) -> dict[str, Any]:
    """The results-file envelope around a bench's ``run()`` result.

    Args:
        name: the bench (``ingest``).
        result: what ``run()`` returned.
        git: :func:`git_state` taken **before** the run (so an edit during it cannot hide).
        load_start: ``os.getloadavg()`` before the run.
        wall_seconds: the whole run's wall seconds.
    """
    return {
        "benchmark": name,
        "harness": "tests/benchmarks/harness.py",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git["commit"],
        "dirty": git["dirty"],
        "dirty_paths": list(git.get("dirty_paths") or []),
        "quick": is_quick(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "load_average_start_end": [[round(x, 2) for x in load_start],
                                   [round(x, 2) for x in os.getloadavg()]],
        "wall_seconds": round(wall_seconds, 2),
        "result": dict(result),
    }
