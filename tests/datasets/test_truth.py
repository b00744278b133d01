"""ProgramData.truth(): marginal truths from potential outcomes."""

from __future__ import annotations

import pytest

from rpeval.datasets import simulate_program


def test_no_effect_gives_exactly_no_effect() -> None:
    truth = simulate_program(150, 600, effect_hr=1.0, random_state=3).truth(
        windows=[365, 730], n_participants=1_500
    )
    assert truth.marginal_hr == pytest.approx(1.0, abs=1e-12)
    assert truth.risks["difference"].abs().max() < 1e-12
    assert truth.rmst_difference == pytest.approx(0.0, abs=1e-9)


def test_a_protective_effect_is_marginal_and_of_the_same_sign() -> None:
    truth = simulate_program(150, 600, effect_hr=0.6, random_state=3).truth(
        windows=[365], n_participants=3_000
    )
    assert truth.conditional_hr == 0.6
    assert 0.5 < truth.marginal_hr < 0.75  # near 0.6, pulled towards 1 (non-collapsible)
    assert (truth.risks["difference"] < 0).all() and truth.rmst_difference > 0
    assert list(truth.summary()["quantity"])[:2] == [
        "conditional hazard ratio (given covariates)",
        "marginal hazard ratio among participants",
    ]
    assert truth.to_dict()["n_participants"] >= 3_000
