"""Every public function that takes covariates accepts the same formula grammar: a fit with
``age*C(group) + np.log(priors + 1)`` equals the fit with the same columns built by hand
with numpy and passed as a list of names (to 1e-10)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval import matching, recidivism, surveys
from rpeval.errors import SpecificationError

FORMULA = "age*C(group) + np.log(priors + 1)"
HAND = [
    "age",
    "group[T.b]",
    "group[T.c]",
    "np.log(priors + 1)",
    "age:group[T.b]",
    "age:group[T.c]",
]


def _people(n: int = 400, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(0, 1, n).round(3)
    group = rng.choice(["a", "b", "c"], n)
    priors = rng.poisson(1.5, n)
    is_b, is_c = (group == "b").astype(float), (group == "c").astype(float)
    score = 0.4 * age - 0.5 * is_b + 0.3 * is_c + 0.3 * np.log(priors + 1) + 0.2 * age * is_b
    treat = (rng.random(n) < 1 / (1 + np.exp(-score))).astype(int)
    time = rng.exponential(np.exp(-0.5 * score - 0.4 * treat)) * 5
    time[rng.random(n) < 1 / (1 + np.exp(1 + 0.5 * age))] = np.inf  # never reoffend
    censor = rng.exponential(6, n)
    cause = np.where(rng.random(n) < 0.7, 1, 2)
    frame = pd.DataFrame(
        {
            "age": age,
            "group": group,
            "priors": priors,
            "treat": treat,
            "duration": np.minimum(time, censor).round(4) + 0.001,
            "event": (time <= censor).astype(int),
            "cause": np.where(time <= censor, cause, 0),
            "count": rng.poisson(np.exp(0.3 * score) * 2),
            "exposure": rng.uniform(0.5, 2, n).round(3),
            "outcome": (rng.random(n) < 1 / (1 + np.exp(-score + 0.5 * treat))).astype(int),
            "w": rng.uniform(0.5, 2, n).round(3),
        }
    )
    hand = {
        "group[T.b]": is_b,
        "group[T.c]": is_c,
        "np.log(priors + 1)": np.log(priors + 1.0),
        "age:group[T.b]": age * is_b,
        "age:group[T.c]": age * is_c,
    }
    return frame.assign(**hand)


def _intervals(people: pd.DataFrame) -> pd.DataFrame:
    """Two or three counting-process intervals per person, for the recurrent Cox model."""
    twice = np.arange(len(people)) % 2 == 1
    first = people.assign(id=np.arange(len(people)), start=0.0)
    first["stop"] = np.where(twice, people.duration / 3, people.duration)
    first["event"] = np.where(twice, (np.arange(len(people)) % 5 == 0).astype(int), people.event)
    second = first[twice].assign(start=lambda d: d.stop, stop=people.duration[twice])
    second["event"] = people.event[twice]
    return pd.concat([first, second]).sort_values(["id", "start"], ignore_index=True)


FITS: dict[str, Callable[[pd.DataFrame, Any], Any]] = {
    "cox": lambda d, c: recidivism.cox(d, "duration", "event", c),
    "aft": lambda d, c: recidivism.aft(d, "duration", "event", c),
    "fine_gray": lambda d, c: recidivism.fine_gray(d, "duration", "cause", c),
    "split_population": lambda d, c: recidivism.split_population(
        d, "duration", "event", incidence=c, latency=c
    ),
    "rate_model": lambda d, c: recidivism.rate_model(d, "count", "exposure", covariates=c),
    "recurrent_cox": lambda d, c: recidivism.recurrent_cox(
        _intervals(d), "stop", "event", c, entry="start", cluster="id"
    ),
    "adjusted_survival": lambda d, c: recidivism.adjusted_survival(
        d,
        "duration",
        "event",
        "treat",
        [1.0, 2.0],
        method="cox",
        covariates=c,
        n_bootstrap=20,
        random_state=1,
    ),
    "propensity": lambda d, c: matching.propensity(d, "treat", c),
    "match": lambda d, c: matching.match(d, "treat", c),
    "weight": lambda d, c: matching.weight(d, "treat", c),
    "aipw": lambda d, c: matching.aipw(d, "treat", "outcome", c),
    "effect": lambda d, c: matching.effect(
        matching.weight(d, "treat", ["age"]), "outcome", adjust=c, se="hc3"
    ),
    "survey regression": lambda d, c: surveys.regression(
        surveys.SurveyDesign(d, weights="w"), "outcome", c, family="logistic"
    ),
}


def _numbers(result: Any) -> tuple[list[str], dict[str, np.ndarray]]:
    """The result's tidy summary: its text columns as labels, its numbers as arrays.

    A matching's summary holds the balance of the columns the formula reads (not of
    hand-built columns), so a matching is compared by its matched sample instead.
    """
    if isinstance(result, matching.MatchResult):
        table = result.data[["distance", "weights", "subclass"]].astype(float)
    elif hasattr(result, "summary"):
        table = result.summary()
    else:  # a propensity result: its scores
        table = pd.DataFrame({"score": np.asarray(result.scores)})
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    labels = table[text].astype(str).agg("|".join, axis=1).tolist() if text else []
    numeric = {c: table[c].to_numpy(dtype=float) for c in table.columns if c not in text}
    return labels, numeric


@pytest.mark.parametrize("name", sorted(FITS))
def test_every_function_reads_the_formula_like_the_hand_built_columns(name: str) -> None:
    people = _people()
    by_formula = _numbers(FITS[name](people, FORMULA))
    by_hand = _numbers(FITS[name](people, HAND))
    assert by_formula[0] == by_hand[0]
    assert by_formula[1].keys() == by_hand[1].keys()
    for column, values in by_formula[1].items():
        np.testing.assert_allclose(
            values, by_hand[1][column], rtol=1e-10, atol=1e-10, equal_nan=True, err_msg=column
        )


def _config_with(small_demo: Path, tmp_path: Path, covariates: str) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(small_demo, folder)
    text = (folder / "config.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("covariates:"))
    (folder / "config.yaml").write_text(text.replace(line, f"covariates: {covariates}"))
    return folder


def test_python_in_a_config_formula_never_runs(small_demo: Path, tmp_path: Path) -> None:
    from rpeval.report.config import load_config, run_config

    marker = tmp_path / "marker"
    attack = f"age + I(__import__('os').system('touch {marker}'))"
    folder = _config_with(small_demo, tmp_path, f'"{attack}"')
    with pytest.raises(SpecificationError, match="calls __import__"):
        run_config(load_config(folder / "config.yaml"), folder, progress=False)
    assert not marker.exists()


@pytest.mark.slow
def test_a_config_formula_runs_the_evaluation(small_demo: Path, tmp_path: Path) -> None:
    from rpeval.report.config import load_config, run_config

    formula = "age*C(offense_type) + np.log(prior_arrests + 1)"
    folder = _config_with(small_demo, tmp_path, formula)
    assert run_config(load_config(folder / "config.yaml"), folder, progress=False) is not None


def test_balance_reads_the_columns_a_formula_uses() -> None:
    people = _people()
    by_formula = matching.balance(people, "treat", FORMULA).summary()
    by_names = matching.balance(people, "treat", ["age", "group", "priors"]).summary()
    pd.testing.assert_frame_equal(by_formula, by_names)
