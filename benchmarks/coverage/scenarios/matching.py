"""Coverage of matched, weighted and doubly robust effect intervals (issue 14's designs).

Designs (three standard normal covariates x1, x2, x3; logistic propensity score, so the
score model that ``match()``, ``weight()`` and ``aipw()`` fit is correctly specified):

* heterogeneous: n = 1,000, ``logit e = -1 + 0.6 x1 - 0.4 x2 + 0.3 x3`` (29% treated),
  ``Y(0) = 1 + 2 x1 + x2 + e``, effect ``tau(x) = 1 - 3 x1`` (largest where the prognosis
  is best), ``e ~ N(0, 1)``. Population ATT = ``1 - 3 E[x1 | T = 1]``, PATE = 1.
* homogeneous: the same with ``tau = 1``.
* correct PS, n = 1,500: ``logit e = -1.2 + 0.8 x1 + 0.6 x2 - 0.4 x3``,
  ``Y(0) = 1 + x1 + x2 + x3 + e``, ``tau = 1``: 1:1 matching without a caliper leaves
  the treated with the highest scores poorly matched.

Truths: population quantities by one-dimensional Gauss-Hermite quadrature (the score is
a function of one normal index); the sample ATT is the mean of ``tau(x)`` over the
draw's treated units.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _study import Draw, Interval, Method, Scenario
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

from rpeval.matching import EffectResult, aipw, effect, match, weight

COVARIATES = ["x1", "x2", "x3"]
N_BOOTSTRAP = 199


class Design:
    """Covariates, score and potential outcomes of one design."""

    def __init__(
        self, n: int, score: tuple[float, ...], prognosis: tuple[float, ...], slope: float
    ) -> None:
        self.n, self.score, self.prognosis, self.slope = (
            n,
            np.array(score),
            np.array(prognosis),
            slope,
        )

    def effect(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - self.slope * x[:, 0]

    def simulate(self, rng: np.random.Generator) -> Draw:
        x = rng.normal(size=(self.n, 3))
        e = special.expit(self.score[0] + x @ self.score[1:])
        t = (rng.random(self.n) < e).astype(int)
        y0 = self.prognosis[0] + x @ self.prognosis[1:] + rng.normal(size=self.n)
        tau = self.effect(x)
        frame = pd.DataFrame(
            {"t": t, "y": y0 + t * tau, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]}
        )
        return Draw(frame, {"SATT": float(tau[t == 1].mean())})

    def truths(self) -> dict[str, float]:
        """PATT = 1 - slope E[x1 | T = 1] with eta = b'x ~ N(0, |b|^2) and
        E[x1 | eta] = b1 eta / |b|^2; PATE = 1."""
        nodes, weights = hermegauss(200)
        weights = weights / weights.sum()
        b = self.score[1:]
        s = float(np.linalg.norm(b))
        eta = s * nodes
        e = special.expit(self.score[0] + eta)
        mean_x1 = float(b[0] / s**2 * (weights @ (eta * e)) / (weights @ e))
        return {"PATT": 1.0 - self.slope * mean_x1, "PATE": 1.0}


HETEROGENEOUS = Design(1000, (-1.0, 0.6, -0.4, 0.3), (1.0, 2.0, 1.0, 0.0), 3.0)
HOMOGENEOUS = Design(1000, (-1.0, 0.6, -0.4, 0.3), (1.0, 2.0, 1.0, 0.0), 0.0)
CORRECT_PS = Design(1500, (-1.2, 0.8, 0.6, -0.4), (1.0, 1.0, 1.0, 1.0), 0.0)


def _interval(result: EffectResult, truth: str) -> Interval:
    return Interval(result.estimate, result.std_error, result.ci_lower, result.ci_upper, truth)


_CACHE: dict[Any, Any] = {}


def _cached(draw: Draw, key: Any, build: Callable[[], Any]) -> Any:
    """One ``match()``/``weight()`` per draw and options, shared by the methods using it."""
    if _CACHE.get("draw") is not draw.data:
        _CACHE.clear()
        _CACHE["draw"] = draw.data
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def _weighted(truth: str, **options: Any) -> Callable[[Draw], Interval]:
    estimand, method = options.pop("estimand"), options.pop("method", "ipw")

    def run(draw: Draw) -> Interval:
        w = _cached(
            draw,
            ("weight", estimand, method),
            lambda: weight(draw.data, "t", COVARIATES, estimand=estimand, method=method),
        )
        return _interval(effect(w, "y", progress=False, **options), truth)

    return run


def _matched(
    truth: str, match_options: dict[str, Any], **options: Any
) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        m = _cached(
            draw,
            ("match", *sorted(match_options.items())),
            lambda: match(draw.data, "t", COVARIATES, **match_options),
        )
        return _interval(effect(m, "y", **options), truth)

    return run


def _aipw(estimand: str, truth: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        return _interval(aipw(draw.data, "t", "y", COVARIATES, estimand=estimand), truth)  # type: ignore[arg-type]

    return run


def _weighting_methods(estimand: str, truth: str) -> tuple[Method, ...]:
    label = f"population {estimand}"
    return (
        Method(
            f"weight({estimand}) + effect(), sandwich (default)",
            label,
            _weighted(truth, estimand=estimand),
        ),
        Method(
            f"weight({estimand}) + effect(se='hc3'), weights as known",
            label,
            _weighted(truth, estimand=estimand, se="hc3"),
        ),
        Method(
            f"weight({estimand}) + effect(adjust=x), sandwich",
            label,
            _weighted(truth, estimand=estimand, adjust=COVARIATES),
        ),
        Method(
            f"weight({estimand}, entropy) + effect(), sandwich (default)",
            label,
            _weighted(truth, estimand=estimand, method="entropy"),
        ),
        Method(
            f"weight({estimand}, entropy) + effect(se='hc3')",
            label,
            _weighted(truth, estimand=estimand, method="entropy", se="hc3"),
        ),
        Method(f"aipw({estimand})", label, _aipw(estimand, truth)),
    )


NEAREST: dict[str, Any] = {}
REPLACE: dict[str, Any] = {"replace": True}
CALIPER: dict[str, Any] = {"caliper": 0.2}

SCENARIOS = (
    Scenario(
        "matching",
        "ipw_att_heterogeneous",
        "weighting for the ATT, tau(x) = 1 - 3 x1 against prognosis, n = 1,000",
        HETEROGENEOUS.simulate,
        _weighting_methods("ATT", "PATT"),
        HETEROGENEOUS.truths(),
    ),
    Scenario(
        "matching",
        "ipw_att_homogeneous",
        "weighting for the ATT, homogeneous effect tau = 1, n = 1,000",
        HOMOGENEOUS.simulate,
        _weighting_methods("ATT", "PATT"),
        HOMOGENEOUS.truths(),
    ),
    Scenario(
        "matching",
        "ipw_ate_heterogeneous",
        "weighting for the ATE, tau(x) = 1 - 3 x1, n = 1,000",
        HETEROGENEOUS.simulate,
        _weighting_methods("ATE", "PATE"),
        HETEROGENEOUS.truths(),
    ),
    Scenario(
        "matching",
        "matched_att_heterogeneous",
        "1:1 nearest-neighbour matching on the score, no caliper, tau(x) = 1 - 3 x1, n = 1,000",
        HETEROGENEOUS.simulate,
        (
            Method("match() + effect(), cluster", "population ATT", _matched("PATT", NEAREST)),
            Method(
                "match() + effect(adjust=x), cluster, population (default)",
                "population ATT",
                _matched("PATT", NEAREST, adjust=COVARIATES),
            ),
            Method(
                "match() + effect(adjust=x, target='sample') vs the population ATT",
                "population ATT",
                _matched("PATT", NEAREST, adjust=COVARIATES, target="sample"),
            ),
            Method(
                "match() + effect(adjust=x, target='sample')",
                "sample ATT",
                _matched("SATT", NEAREST, adjust=COVARIATES, target="sample"),
            ),
            Method(
                "match() + effect(adjust=x, se='hc3'), population",
                "population ATT",
                _matched("PATT", NEAREST, adjust=COVARIATES, se="hc3"),
            ),
            Method(
                "match() + effect(bias_correction=True)",
                "population ATT",
                _matched("PATT", NEAREST, bias_correction=True),
            ),
            Method(
                "match() + effect(bias_correction=True, target='sample')",
                "sample ATT",
                _matched("SATT", NEAREST, bias_correction=True, target="sample"),
            ),
            Method(
                "match(replace=True) + effect(bias_correction=True)",
                "population ATT",
                _matched("PATT", REPLACE, bias_correction=True),
            ),
        ),
        HETEROGENEOUS.truths(),
    ),
    Scenario(
        "matching",
        "matched_att_correct_ps",
        "1:1 nearest-neighbour matching, correctly specified score, tau = 1, n = 1,500",
        CORRECT_PS.simulate,
        (
            Method(
                "match() + effect(), cluster (MatchIt's default design)",
                "population ATT",
                _matched("PATT", NEAREST),
            ),
            Method(
                "match(caliper=0.2) + effect(), cluster",
                "population ATT",
                _matched("PATT", CALIPER),
            ),
            Method(
                "match() + effect(adjust=x), cluster",
                "population ATT",
                _matched("PATT", NEAREST, adjust=COVARIATES),
            ),
            Method(
                "match() + effect(bias_correction=True)",
                "population ATT",
                _matched("PATT", NEAREST, bias_correction=True),
            ),
            Method(
                "match(replace=True) + effect(), hc3", "population ATT", _matched("PATT", REPLACE)
            ),
            Method(
                "match(replace=True) + effect(bias_correction=True)",
                "population ATT",
                _matched("PATT", REPLACE, bias_correction=True),
            ),
        ),
        CORRECT_PS.truths(),
    ),
    Scenario(
        "matching",
        "bootstrap_heterogeneous",
        "weighting, tau(x) = 1 - 3 x1, n = 1,000; bootstrap re-estimating the weights "
        f"({N_BOOTSTRAP} draws)",
        HETEROGENEOUS.simulate,
        (
            Method(
                "weight(ATT) + effect(se='bootstrap')",
                "population ATT",
                _weighted(
                    "PATT", estimand="ATT", se="bootstrap", n_bootstrap=N_BOOTSTRAP, random_state=1
                ),
            ),
            Method(
                "weight(ATT, entropy) + effect(se='bootstrap')",
                "population ATT",
                _weighted(
                    "PATT",
                    estimand="ATT",
                    method="entropy",
                    se="bootstrap",
                    n_bootstrap=N_BOOTSTRAP,
                    random_state=1,
                ),
            ),
            Method(
                "weight(ATE) + effect(se='bootstrap')",
                "population ATE",
                _weighted(
                    "PATE", estimand="ATE", se="bootstrap", n_bootstrap=N_BOOTSTRAP, random_state=1
                ),
            ),
        ),
        HETEROGENEOUS.truths(),
        replications=500,
    ),
)
