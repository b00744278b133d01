"""Community survey waves around a simulated program, with known population values.

:func:`simulate_survey_waves` builds a finite adult population of neighbourhoods, half of
them in the program's area, whose trust in the police is a latent trait measured by six
5-point Likert items (one of them worded negatively, so reverse-scored). Trust rises after
the program starts, more in the program's area. Each wave draws a stratified two-stage
sample (neighbourhoods are strata, blocks the PSUs, adults within blocks with unequal
probabilities: under-35s are oversampled), loses respondents to non-response that depends
on age and on trust itself, and adjusts the sampling weights for non-response within
neighbourhood × age classes. The population's own values (mean trust score, top-box
share) are returned beside the sample, so estimators can be checked against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._options import check_count
from rpeval.datasets._bundle import DataBundle

if TYPE_CHECKING:
    from rpeval.datasets.simulate import ProgramData

__all__ = ["SurveyWaves", "simulate_survey_waves"]

FloatArray = NDArray[np.float64]
ITEMS = (
    "trust_police",
    "police_fair",
    "police_listen",
    "police_unfair",  # "The police treat people unfairly": reverse-scored
    "police_respect",
    "report_crime",
)
REVERSE = ("police_unfair",)
_LOADINGS = np.array([1.0, 0.9, 0.85, 0.8, 0.9, 0.6])
_CUTS = np.array([-1.6, -0.6, 0.4, 1.4])  # latent cut points of the 5 answers
_BLOCKS, _SAMPLED_BLOCKS = 20, 5
_WAVES = (("pre", pd.Timestamp("2020-11-02")), ("post", pd.Timestamp("2023-03-06")))


@dataclass(frozen=True, eq=False)
class SurveyWaves(DataBundle):
    """Respondents of two community survey waves and the population values behind them.

    Attributes
    ----------
    responses
        One row per respondent: ``wave`` ("pre", "post"), ``interview_date``,
        ``respondent_id``, ``neighbourhood`` (stratum), ``program_area`` (bool), ``block``
        (PSU, unique across neighbourhoods), ``age_group``, ``base_weight`` (1 / the
        selection probability), ``weight`` (adjusted for non-response), the items in
        ``items`` (1–5, ``police_unfair`` worded negatively; about 2% of answers missing).
    population
        Known population values: ``wave``, ``area`` ("all", "program", "elsewhere"),
        ``measure`` ("trust_score": the mean of the item means after reversing
        ``police_unfair``; "top_box": the share whose ``trust_police`` answer is 4 or 5),
        ``value``, and ``population`` (adults).
    items, reverse, scale
        The item columns, the reverse-scored ones and the answer scale (1–5).
    weights, strata, psu, wave
        The design's column names, for ``SurveyDesign`` and the report's trust section.
    """

    responses: pd.DataFrame
    population: pd.DataFrame
    items: tuple[str, ...] = ITEMS
    reverse: tuple[str, ...] = REVERSE
    scale: tuple[int, int] = (1, 5)
    weights: str = "weight"
    strata: str = "neighbourhood"
    psu: str = "block"
    wave: str = "wave"
    _TITLE: ClassVar[str] = "Simulated community survey waves"
    _TABLES: ClassVar[tuple[str, ...]] = ("responses", "population")
    _PARAMETERS: ClassVar[tuple[str, ...]] = (
        "items",
        "reverse",
        "scale",
        "weights",
        "strata",
        "psu",
    )

    def __repr__(self) -> str:
        counts = self.responses[self.wave].value_counts().to_dict()
        return f"SurveyWaves(respondents={counts}, items={len(self.items)})"


def _answers(theta: FloatArray, rng: np.random.Generator) -> NDArray[np.int64]:
    """Likert answers 1..5 from the latent trust (one column per item)."""
    latent = theta[:, None] * _LOADINGS + rng.normal(0.0, 0.75, (theta.size, _LOADINGS.size))
    answers = 1 + (latent[:, :, None] > _CUTS).sum(axis=2)
    answers[:, ITEMS.index("police_unfair")] = 6 - answers[:, ITEMS.index("police_unfair")]
    return np.asarray(answers, dtype=np.int64)


def _population(n_neighbourhoods: int, rng: np.random.Generator) -> pd.DataFrame:
    sizes = rng.integers(1_500, 4_500, n_neighbourhoods)
    hood = np.repeat(np.arange(n_neighbourhoods), sizes)
    block = hood * _BLOCKS + rng.integers(0, _BLOCKS, hood.size)
    hood_level = rng.normal(0.0, 0.35, n_neighbourhoods)
    block_level = rng.normal(0.0, 0.3, n_neighbourhoods * _BLOCKS)
    level = hood_level[hood] + block_level[block]
    young = rng.random(hood.size) < 0.3
    return pd.DataFrame(
        {
            "hood": hood,
            "block_code": block,
            "program_area": hood < (n_neighbourhoods + 1) // 2,
            "young": young,
            "theta": level - 0.3 * young + rng.normal(0.0, 1.0, hood.size),
        }
    )


def _truth(wave: str, people: pd.DataFrame, answers: NDArray[np.int64]) -> list[dict[str, object]]:
    scored = answers.astype(np.float64)
    j = ITEMS.index("police_unfair")
    scored[:, j] = 6 - scored[:, j]
    score = scored.mean(axis=1)
    top = answers[:, ITEMS.index("trust_police")] >= 4
    rows: list[dict[str, object]] = []
    for area, mask in (
        ("all", np.ones(len(people), dtype=bool)),
        ("program", people["program_area"].to_numpy(dtype=bool)),
        ("elsewhere", ~people["program_area"].to_numpy(dtype=bool)),
    ):
        for measure, values in (("trust_score", score), ("top_box", top)):
            rows.append(
                {
                    "wave": wave,
                    "area": area,
                    "measure": measure,
                    "value": float(np.mean(values[mask])),
                    "population": int(mask.sum()),
                }
            )
    return rows


def _sample(
    people: pd.DataFrame, answers: NDArray[np.int64], size: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Stratified two-stage sample with unequal probabilities, non-response, weights."""
    n_hoods = int(people["hood"].max()) + 1
    per_block = max(2, size // (n_hoods * _SAMPLED_BLOCKS))
    picked = np.zeros(n_hoods * _BLOCKS, dtype=bool)
    for hood in range(n_hoods):
        chosen = rng.choice(_BLOCKS, size=_SAMPLED_BLOCKS, replace=False)
        picked[hood * _BLOCKS + chosen] = True
    block = people["block_code"].to_numpy()
    young = people["young"].to_numpy(dtype=bool)
    boost = np.where(young, 2.0, 1.0)
    block_boost = np.bincount(block, weights=boost, minlength=picked.size)
    p_person = np.minimum(per_block * boost / block_boost[block], 1.0)
    take = picked[block] & (rng.random(block.size) < p_person)
    sample = people[take].assign(
        base_weight=_BLOCKS / _SAMPLED_BLOCKS / p_person[take],
        **{item: answers[take, i] for i, item in enumerate(ITEMS)},
    )
    trust = sample["theta"].to_numpy()
    respond = 1 / (1 + np.exp(-(0.5 + 0.5 * ~sample["young"].to_numpy() + 0.15 * trust)))
    responded = rng.random(len(sample)) < respond
    classes = sample["hood"].to_numpy() * 2 + sample["young"].to_numpy()
    base = np.bincount(classes, weights=sample["base_weight"], minlength=2 * n_hoods)
    kept = np.bincount(
        classes[responded], weights=sample["base_weight"][responded], minlength=2 * n_hoods
    )
    if np.any((base > 0) & (kept == 0)):  # a class without respondents: merge by hood
        classes = sample["hood"].to_numpy() * 2
        base = np.bincount(classes, weights=sample["base_weight"], minlength=2 * n_hoods)
        kept = np.bincount(
            classes[responded], weights=sample["base_weight"][responded], minlength=2 * n_hoods
        )
    sample["weight"] = sample["base_weight"] * base[classes] / kept[classes]
    sample = sample[responded].reset_index(drop=True)
    hood, code = sample["hood"].to_numpy(), sample["block_code"].to_numpy()
    return pd.DataFrame(
        {
            "neighbourhood": pd.Series(hood + 1).map("N{:02d}".format),
            "program_area": sample["program_area"].to_numpy(dtype=bool),
            "block": [
                f"N{h + 1:02d}-B{c % _BLOCKS + 1:02d}" for h, c in zip(hood, code, strict=True)
            ],
            "age_group": np.where(sample["young"], "16-34", "35+"),
            "base_weight": sample["base_weight"].to_numpy(),
            "weight": sample["weight"].to_numpy(),
            **{item: sample[item].to_numpy() for item in ITEMS},
        }
    )


def simulate_survey_waves(
    program: ProgramData | None = None,
    *,
    n_neighbourhoods: int = 12,
    sample_size: int = 1_200,
    trust_change: float = 0.35,
    random_state: int | None = None,
) -> SurveyWaves:
    """Two community survey waves (before and after a program starts) with known truth.

    Parameters
    ----------
    program
        A simulated program; its ``random_state`` seeds the survey (unless
        ``random_state`` is given), so ``rpeval demo`` gets the same survey every time.
    n_neighbourhoods
        Neighbourhoods (strata, >= 2); the first half are the program's area.
    sample_size
        Adults drawn per wave before non-response (about 70% respond).
    trust_change
        Rise of the latent trust (in SDs) in the program's area between the waves; it
        rises by a fifth of this elsewhere (a secular trend).
    random_state
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    SurveyWaves

    Examples
    --------
    >>> waves = simulate_survey_waves(random_state=1)
    >>> sorted(waves.responses["wave"].unique())
    ['post', 'pre']
    >>> pop = waves.population
    >>> int(((pop["area"] == "all") & (pop["measure"] == "trust_score")).sum())
    2
    """
    caller = "simulate_survey_waves"
    check_count(n_neighbourhoods, arg="n_neighbourhoods", caller=caller, minimum=2)
    check_count(sample_size, arg="sample_size", caller=caller, minimum=100)
    random_state = (
        random_state
        if random_state is not None
        else (program.random_state if program is not None else 0)
    )
    rng = np.random.default_rng([int(random_state), 18])
    people = _population(n_neighbourhoods, rng)
    shift = np.where(people["program_area"], trust_change, trust_change / 5)
    waves, truth = [], []
    for (wave, date), theta in zip(
        _WAVES,
        (
            people["theta"].to_numpy(),
            people["theta"].to_numpy() + shift + rng.normal(0, 0.3, len(people)),
        ),
        strict=True,
    ):
        current = people.assign(theta=theta)
        answers = _answers(theta, rng)
        truth.extend(_truth(wave, current, answers))
        sample = _sample(current, answers, sample_size, rng)
        sample.insert(
            0, "interview_date", date + pd.to_timedelta(rng.integers(0, 42, len(sample)), "D")
        )
        sample.insert(0, "wave", wave)
        waves.append(sample)
    responses = pd.concat(waves, ignore_index=True)
    for item in ITEMS:  # item non-response
        gone = rng.random(len(responses)) < 0.02
        responses[item] = responses[item].astype("float64").where(~gone)
    responses.insert(1, "respondent_id", [f"R{i + 1:05d}" for i in range(len(responses))])
    return SurveyWaves(responses=responses, population=pd.DataFrame(truth))
