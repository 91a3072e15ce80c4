"""The name score's one table: every weight is read from it, explanations included."""

from __future__ import annotations

from dataclasses import replace

import pytest

from passerelle.resolution import scoring
from passerelle.resolution.features import Facts, birth_dates_differ, no_counterpart
from passerelle.resolution.names import Scored, score
from passerelle.resolution.scoring import FEATURES, Feature


def brothers() -> Scored:
    return score("Dzhokhar Tsarnaev", Facts(), [(["Tamerlan Tsarnaev"], Facts())], "person")[0]


def test_a_feature_weight_changes_the_score_and_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = brothers()
    assert FEATURES.unmatched[0] == Feature(no_counterpart, 0.6)
    assert any("has no counterpart" in r and r.endswith(": x0.6") for r in before.reasons)
    halved = (Feature(no_counterpart, 0.3), *FEATURES.unmatched[1:])
    monkeypatch.setattr(scoring, "FEATURES", replace(FEATURES, unmatched=halved))
    after = brothers()
    assert after.score < before.score
    assert any("has no counterpart" in r and r.endswith(": x0.3") for r in after.reasons)


def test_a_fact_weight_changes_the_score_and_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    born = Facts(birth_dates=frozenset({"1993"}))
    other = Facts(birth_dates=frozenset({"1986"}))
    query = score("Dzhokhar Tsarnaev", born, [(["Dzhokhar Tsarnaev"], other)], "person")[0]
    assert "birth dates differ: -0.3" in query.reasons
    facts = tuple(
        Feature(birth_dates_differ, -0.5) if f.func is birth_dates_differ else f
        for f in FEATURES.facts
    )
    monkeypatch.setattr(scoring, "FEATURES", replace(FEATURES, facts=facts))
    again = score("Dzhokhar Tsarnaev", born, [(["Dzhokhar Tsarnaev"], other)], "person")[0]
    assert "birth dates differ: -0.5" in again.reasons
    assert again.score == pytest.approx(query.score - 0.2)
