"""The benchmark harness on fake clocks: ratios per round, medians and spreads, load flags.

Every side "works" by advancing a fake clock by a scripted duration, so each expected figure
is computed by hand from the script.
"""

from __future__ import annotations

import os
import subprocess
from collections import deque
from pathlib import Path

import pytest

from tests.benchmarks import harness
from tests.benchmarks.harness import Machine, Sample, Side, compare


class FakeMachine:
    """A wall clock, a CPU clock and a 1-minute load the test scripts."""

    def __init__(self, loads: list[float] | None = None, cpus: int = 2) -> None:
        self.now = 100.0
        self.cpu = 10.0
        self.loads = deque(loads or [])
        self.cpus = cpus

    def machine(self) -> Machine:
        return Machine(clock=lambda: self.now, cpu_clock=lambda: self.cpu,
                       load_1m=lambda: self.loads.popleft() if self.loads else 0.5,
                       cpus=self.cpus, sleep=lambda s: None)

    def side(self, name: str, durations: list[float], cpu_share: float = 1.0,
             calls: list[tuple[str, int]] | None = None) -> Side:
        script = deque(durations)

        def run(number: int) -> None:
            if calls is not None:
                calls.append((name, number))
            if number < 0:  # warm-up calls take no scripted time
                return
            took = script.popleft()
            self.now += took
            self.cpu += took * cpu_share

        return Side(name, run)


def test_ratio_is_computed_per_round_from_that_rounds_pair() -> None:
    fake = FakeMachine()
    anchor = fake.side("raw", [1.0, 2.0, 1.0, 2.0, 1.0])
    project = fake.side("lake", [2.0, 2.0, 2.0, 4.0, 1.0])
    result = compare("case", sides=[anchor, project], anchor="raw", rounds=5,
                     temperature="warm", machine=fake.machine())
    assert [r.ratios["ratio"] for r in result.rounds] == [0.5, 1.0, 0.5, 0.5, 1.0]
    assert result.ratio() == {"median": 0.5, "min": 0.5, "max": 1.0, "n": 5}
    # not the ratio of the medians (1.0 / 2.0 = 0.5 here by chance) nor of the best rounds
    # (1.0 / 1.0 = 1.0): the per-round median
    best = min(r.samples["raw"].seconds for r in result.rounds) / min(
        r.samples["lake"].seconds for r in result.rounds)
    assert best == 1.0 != result.ratio()["median"]


def test_per_round_ratio_differs_from_ratio_of_medians() -> None:
    fake = FakeMachine()
    anchor = fake.side("raw", [1.0, 1.0, 4.0])
    project = fake.side("app", [1.0, 4.0, 4.0])
    result = compare("case", sides=[anchor, project], anchor="raw", rounds=3,
                     temperature="warm", machine=fake.machine())
    assert [r.ratios["ratio"] for r in result.rounds] == [1.0, 0.25, 1.0]
    assert result.ratio()["median"] == 1.0
    medians = result.side("raw")["seconds"]["median"] / result.side("app")["seconds"]["median"]
    assert medians == 0.25


def test_side_figures_are_medians_with_spread_and_cpu() -> None:
    fake = FakeMachine()
    anchor = fake.side("raw", [3.0, 1.0, 2.0, 10.0], cpu_share=0.5)
    project = fake.side("lake", [1.0, 1.0, 1.0, 1.0])
    result = compare("case", sides=[anchor, project], anchor="raw", rounds=4,
                     temperature="warm", machine=fake.machine())
    raw = result.side("raw")
    assert raw["seconds"] == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}
    assert raw["cpu_seconds"] == {"median": 1.25, "min": 0.5, "max": 5.0, "n": 4}
    out = result.to_dict()
    assert out["figures"]["raw"]["seconds"]["median"] == 2.5
    assert out["ratios"]["ratio"] == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}
    assert out["rounds"] == 4 and len(out["round_log"]) == 4
    assert out["below_minimum_rounds"] is True  # 4 rounds of 2-11 s each


def test_latency_percentiles_are_medians_over_rounds_never_the_best() -> None:
    fake = FakeMachine()
    p99 = deque([30.0, 10.0, 20.0, 50.0, 40.0])

    def app(number: int) -> Sample:
        fake.now += 1.0
        return Sample(1.0, metrics={"p99_ms": p99.popleft(), "per_s": 100.0})

    def raw(number: int) -> Sample:
        fake.now += 1.0
        return Sample(1.0, metrics={"p99_ms": 5.0, "per_s": 200.0})

    result = compare("load", sides=[Side("raw", raw), Side("app", app)], anchor="raw", rounds=5,
                     temperature="warm", machine=fake.machine(),
                     ratios={"ratio": harness.metric_ratio("per_s", "app", "raw")})
    assert result.side("app")["p99_ms"] == {"median": 30.0, "min": 10.0, "max": 50.0, "n": 5}
    assert result.ratio()["median"] == 0.5
    assert result.to_dict()["below_minimum_rounds"] is False


def test_order_rotates_so_the_anchor_is_not_always_first() -> None:
    fake = FakeMachine()
    calls: list[tuple[str, int]] = []
    sides = [fake.side(n, [1.0] * 4, calls=calls) for n in ("a", "b", "c")]
    result = compare("case", sides=sides, anchor="a", rounds=4, temperature="warm",
                     machine=fake.machine())
    assert [r.order for r in result.rounds] == [
        ["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]]
    assert calls[:3] == [("a", 0), ("b", 0), ("c", 0)]
    assert set(result.rounds[0].ratios) == {"ratio_b", "ratio_c"}
    fixed = compare("case", sides=[fake.side(n, [1.0] * 2) for n in ("a", "b")], anchor="a",
                    rounds=2, temperature="warm", order="fixed", machine=fake.machine())
    assert [r.order for r in fixed.rounds] == [["a", "b"], ["a", "b"]]


def test_warmup_calls_are_untimed_and_cold_forbids_them() -> None:
    fake = FakeMachine()
    calls: list[tuple[str, int]] = []
    sides = [fake.side("raw", [1.0], calls=calls), fake.side("lake", [2.0], calls=calls)]
    result = compare("case", sides=sides, anchor="raw", rounds=1, temperature="warm", warmup=1,
                     machine=fake.machine())
    assert calls == [("raw", -1), ("lake", -1), ("raw", 0), ("lake", 0)]
    assert result.ratio()["median"] == 0.5
    assert result.to_dict()["temperature"] == "warm"
    with pytest.raises(ValueError, match="cold"):
        compare("case", sides=sides, anchor="raw", rounds=1, temperature="cold", warmup=1)
    with pytest.raises(ValueError, match="temperature"):
        compare("case", sides=sides, anchor="raw", rounds=1, temperature="tepid")
    with pytest.raises(ValueError, match="anchor"):
        compare("case", sides=sides, anchor="nope", rounds=1, temperature="warm")


def test_a_loaded_round_is_repeated_then_kept_and_flagged() -> None:
    # 2 cores, limit 1.5 per core = 3.0. Loads are read before and after every attempt:
    # round 0 quiet; round 1 loaded after (3.5) -> repeated, the repeat is quiet;
    # round 2 loaded before on both attempts -> kept and flagged.
    fake = FakeMachine(loads=[1.0, 1.2, 1.1, 3.5, 2.0, 2.9, 4.0, 4.1, 3.2, 2.0])
    anchor = fake.side("raw", [1.0] * 5)
    project = fake.side("lake", [2.0, 4.0, 2.0, 2.0, 1.0])
    result = compare("case", sides=[anchor, project], anchor="raw", rounds=3,
                     temperature="warm", retries=1, machine=fake.machine())
    assert [(r.number, r.attempt, r.flagged) for r in result.rounds] == [
        (0, 0, False), (1, 1, False), (2, 1, True)]
    # the discarded attempt of round 1 (lake took 4.0 s) does not count
    assert [r.ratios["ratio"] for r in result.rounds] == [0.5, 0.5, 1.0]
    out = result.to_dict()
    assert out["load"]["flagged_rounds"] == [2]
    assert out["load"]["repeated_attempts"] == 2
    assert out["load"]["limit_1m"] == 3.0
    assert out["round_log"][2]["load_1m_before_after"] == [3.2, 2.0]
    assert out["discarded_attempts"][0] == {"round": 1, "attempt": 0,
                                            "load_1m_before_after": [1.1, 3.5]}


def test_no_retries_flags_immediately() -> None:
    fake = FakeMachine(loads=[5.0, 5.0, 0.1, 0.1])
    result = compare("case", sides=[fake.side("raw", [1.0] * 2), fake.side("p", [1.0] * 2)],
                     anchor="raw", rounds=2, temperature="warm", retries=0,
                     machine=fake.machine())
    assert [r.flagged for r in result.rounds] == [True, False]
    assert result.to_dict()["load"]["repeated_attempts"] == 0


def test_sides_may_return_metrics_which_the_harness_times() -> None:
    fake = FakeMachine()

    def raw(number: int) -> dict[str, float]:
        fake.now += 2.0
        return {"rows": 10.0}

    result = compare("case", sides=[Side("raw", raw), fake.side("p", [4.0])], anchor="raw",
                     rounds=1, temperature="warm", machine=fake.machine())
    assert result.rounds[0].samples["raw"] == Sample(2.0, 0.0, {"rows": 10.0})
    assert result.ratio()["median"] == 0.5


def test_spread_and_quick_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    assert harness.spread([3.0, None, 1.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 2}
    assert harness.spread([]) == {"median": None, "min": None, "max": None, "n": 0}
    monkeypatch.delenv("BENCH_QUICK", raising=False)
    monkeypatch.delenv("BENCH_ROUNDS", raising=False)
    assert harness.rounds(7, quick=2) == 7 and harness.by_mode("full", "quick") == "full"
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert harness.rounds(7, quick=2) == 2 and harness.by_mode("full", "quick") == "quick"
    monkeypatch.setenv("BENCH_ROUNDS", "9")
    assert harness.rounds(7, quick=2) == 9


def test_latency_metrics_nearest_rank() -> None:
    figures = harness.latency_metrics([0.001] * 98 + [0.050, 0.100], seconds=2.0)
    assert figures == {"per_s": 50.0, "count": 100, "p50_ms": 1.0, "p99_ms": 100.0,
                       "mean_ms": 2.48}


def _pid(number: int) -> Sample:
    return Sample(0.0, metrics={"pid": float(os.getpid())})


def test_fresh_process_side_runs_in_another_process() -> None:
    result = compare("case", sides=[Side("raw", _pid, fresh_process=True),
                                    Side("p", _pid, fresh_process=True)],
                     anchor="raw", rounds=1, temperature="cold",
                     ratios={"same": lambda s: 1.0})
    pids = {r.samples[n].metrics["pid"] for r in result.rounds for n in ("raw", "p")}
    assert len(pids) == 2 and os.getpid() not in pids


def test_git_state_flags_a_dirty_tree_but_not_results(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=a@b", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x")
    assert harness.git_state(tmp_path)["dirty"] is False
    results = tmp_path / "tests" / "benchmarks" / "results"
    results.mkdir(parents=True)
    (results / "x.json").write_text("{}")
    assert harness.git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("x = 1\n")
    state = harness.git_state(tmp_path)
    assert state["dirty"] is True and state["dirty_paths"] == ["code.py"]
    assert len(state["commit"]) >= 7


def test_envelope_carries_commit_dirty_flag_and_quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_QUICK", "1")
    env = harness.envelope("x", {"a": 1}, git={"commit": "abc1234", "dirty": True,
                                               "dirty_paths": ["f.py"]},
                           load_start=(1.0, 2.0, 3.0), wall_seconds=1.234)
    assert env["commit"] == "abc1234" and env["dirty"] is True and env["quick"] is True
    assert env["dirty_paths"] == ["f.py"] and env["result"] == {"a": 1}
    assert env["load_average_start_end"][0] == [1.0, 2.0, 3.0]
    assert env["wall_seconds"] == 1.23


def test_combine_sums_parts_round_by_round() -> None:
    fake = FakeMachine(loads=[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 4.0, 0.1])
    a = compare("a", sides=[fake.side("raw", [1.0, 3.0]), fake.side("lake", [2.0, 3.0])],
                anchor="raw", rounds=2, temperature="warm", retries=0, machine=fake.machine())
    b = compare("b", sides=[fake.side("raw", [1.0, 1.0]), fake.side("lake", [2.0, 5.0])],
                anchor="raw", rounds=2, temperature="warm", retries=0, machine=fake.machine())
    whole = harness.combine("source", [a, b])
    # round 0: (1+1)/(2+2) = 0.5; round 1: (3+1)/(3+5) = 0.5 — not the mean of part ratios
    assert [r.ratios["ratio"] for r in whole.rounds] == [0.5, 0.5]
    assert [r.samples["lake"].seconds for r in whole.rounds] == [4.0, 8.0]
    assert [r.flagged for r in whole.rounds] == [False, True]
    with pytest.raises(ValueError, match="same sides"):
        harness.combine("x", [a, compare("c", sides=[fake.side("raw", [1.0]),
                                                     fake.side("lake", [1.0])],
                                         anchor="raw", rounds=1, temperature="warm",
                                         machine=fake.machine())])
