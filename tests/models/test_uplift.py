"""Campaign uplift: the demo's seeded response model and the A/B estimate. With a known true
effect the 95 % interval covers it; with no effect it covers 0; over 100 seeds it covers the
truth about 95 % of the time."""

from __future__ import annotations

import pytest

from demo.campaign import ResponseModel, simulate_campaign, synthetic_customers, true_uplift
from models.uplift import ALL, two_proportion_ci, uplift_by_segment


def test_the_two_proportion_interval_is_the_wald_interval() -> None:
    diff, low, high = two_proportion_ci(60, 200, 40, 200)
    assert (round(diff, 6), round(low, 4), round(high, 4)) == (0.1, 0.0157, 0.1843)
    with pytest.raises(ValueError):
        two_proportion_ci(1, 0, 1, 1)


def test_a_known_effect_is_recovered_within_its_interval() -> None:
    campaign = simulate_campaign(synthetic_customers(20_000, 7), 7)
    rows, truth = {r.segment: r for r in uplift_by_segment(campaign)}, true_uplift(campaign)
    assert set(rows) == {"about_to_sleep", "at_risk", "cannot_lose", "hibernating", "need_attention", ALL}
    assert all(r.covers(truth[s]) for s, r in rows.items()), {s: (r.ci_low, truth[s], r.ci_high) for s, r in rows.items()}
    overall = rows[ALL]
    assert overall.ci_low > 0 and round(truth[ALL], 4) == 0.0521  # the model's effect, measured as non-zero
    assert (overall.n_treated, overall.n_holdout) == (15_878, 4_122)  # a random 20 % holdout
    assert abs(overall.before_treated - overall.before_holdout) < 0.02  # the arms were alike before


def test_no_effect_gives_an_interval_around_zero() -> None:
    campaign = simulate_campaign(synthetic_customers(20_000, 7), 7, model=ResponseModel(lift={}))
    rows = uplift_by_segment(campaign)
    assert set(true_uplift(campaign).values()) == {0.0}
    assert all(r.covers(0.0) for r in rows), [(r.segment, r.ci_low, r.ci_high) for r in rows]


def test_the_interval_covers_the_true_effect_about_95_percent_of_the_time() -> None:
    customers = synthetic_customers(1_000, 11)
    truth = true_uplift(simulate_campaign(customers, 0))[ALL]  # the same customers, whatever the draw
    covered = 0
    for seed in range(100):
        campaign = simulate_campaign(customers, seed)
        treated, holdout = campaign[campaign["arm"] == "treated"], campaign[campaign["arm"] == "holdout"]
        _, low, high = two_proportion_ci(int(treated["after"].sum()), len(treated), int(holdout["after"].sum()),
                                         len(holdout))
        covered += low <= truth <= high
    assert 89 <= covered <= 99  # 95 of 100 expected, binomial sd 2.2: within 3 sd (400 seeds: 94.25 %)


def test_the_uplift_command_reports_every_segment_and_the_truth(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from demo.cli import benefits_app  # one command: typer runs it without its name

    out = tmp_path / "uplift.json"
    result = CliRunner().invoke(benefits_app, ["--synthetic", "3000", "--seed", "5", "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [r["segment"] for r in report["rows"]] == [
        "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "need_attention", ALL]
    total = report["rows"][-1]
    assert total["n_treated"] + total["n_holdout"] == 3000 and total["ci_low"] <= total["true_uplift"] <= total["ci_high"]
