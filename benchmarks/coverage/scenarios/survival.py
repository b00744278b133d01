"""Coverage of survival intervals: Cox, Kaplan–Meier, window rates, RMST, CIF, Fine–Gray.

Designs (time in years; every truth analytic except the matched Cox's marginal HR):

* **cox**: n = 400, ``t ~ Bernoulli(0.5)``, ``x ~ N(0, 1)``, exponential hazard
  ``0.3 exp(log(0.7) t + 0.5 x)``, censoring ``U(0.5, 3)`` (staggered entry). Truths: the
  coefficients of the model fitted (``log 0.7`` and 0.5).
* **matched cox**: n = 1,500, ``x1, x2 ~ N(0, 1)``, ``logit e = -1.6 + 0.5 x1 + 0.4 x2``
  (about 20% treated), hazard ``0.3 exp(0.7 x1 + 0.5 x2 + log(0.7) t)``, the same
  censoring; 1:1 nearest-neighbour matching on the score without caliper; Cox with the
  treatment alone. Truth: the *marginal* hazard ratio among the treated, from potential
  outcomes of 400,000 treated people (common random numbers, the same censoring) fitted
  once with the same seed; the conditional ``log 0.7`` is scored too, to show the gap.
* **km**: one group of n, exponential at rate 0.3, censoring ``U(0.5, 3)``; S(t) =
  exp(-0.3 t) at t = 0.5, 1, 2.
* **rates**: two groups of n, exponential at 0.35 (comparison) and 0.25 (program),
  potential follow-up ``U(0.5, 3)``; 1- and 2-year windows as ``recidivism_rates`` (and
  the report's ``_rates_from_rates``) computes them. **competing**: the same plus death at
  0.05 a year, event codes 1/2 (Aalen–Johansen).
* **rmst**: the rates design, tau = 2: RMST = (1 - exp(-r tau)) / r.
* **fine-gray**: Fine & Gray's (1999) design: ``P(cause 1 | x) = 1 - (1 - p)^exp(b'x)``
  with p = 0.4, ``F1(t | x) = 1 - (1 - p (1 - e^-t))^exp(b'x)``, cause 2 exponential at
  ``exp(b'x)``, censoring ``U(0, 4)``; ``x = (treated, z)``, b = (log 0.7, 0.4), n = 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _study import Draw, Interval, Method, Scenario
from scipy import special

from rpeval.matching import match
from rpeval.recidivism import cox, fine_gray
from scenarios._survival_curves import (
    LOG_HR,
    RMST_METHODS,
    TRUTHS,
    cached,
    cif_methods,
    km_methods,
    one_group,
    rates_methods,
    row_where,
    two_groups,
)

# --- Cox --------------------------------------------------------------------------------


def _simulate_cox(rng: np.random.Generator) -> Draw:
    n = 400
    t = (rng.random(n) < 0.5).astype(int)
    x = rng.normal(size=n)
    time = rng.exponential(1 / (0.3 * np.exp(LOG_HR * t + 0.5 * x)))
    censor = rng.uniform(0.5, 3.0, n)
    frame = pd.DataFrame(
        {"time": np.minimum(time, censor), "event": (time <= censor).astype(int), "t": t, "x": x}
    )
    return Draw(frame, {})


def _cox(term: str, truth: str, se: str, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        key = ("cox", tuple(draw.data.columns), *sorted(options.items()))
        covariates = ["t", "x"] if "x" in draw.data else ["t"]
        fit = cached(draw, key, lambda: cox(draw.data, "time", "event", covariates, **options))
        row = row_where(fit.summary(), term=term)
        return Interval(row["estimate"], row[se], row["ci_lower"], row["ci_upper"], truth)

    return run


class MatchedDesign:
    """Confounded treatment, 1:1 matching, Cox with the treatment alone."""

    score = (-1.6, 0.5, 0.4)
    prognosis = (0.7, 0.5)

    def _people(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = rng.normal(size=(n, 2))
        e = special.expit(self.score[0] + x @ np.array(self.score[1:]))
        return x, (rng.random(n) < e)

    def _times(self, rng: np.random.Generator, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        rate = 0.3 * np.exp(x @ np.array(self.prognosis) + LOG_HR * t)
        return -np.log(rng.random(len(x))) / rate

    def simulate(self, rng: np.random.Generator) -> Draw:
        x, t = self._people(rng, 1500)
        time = self._times(rng, x, t.astype(float))
        censor = rng.uniform(0.5, 3.0, len(x))
        frame = pd.DataFrame(
            {
                "time": np.minimum(time, censor),
                "event": (time <= censor).astype(int),
                "t": t.astype(int),
                "x1": x[:, 0],
                "x2": x[:, 1],
            }
        )
        return Draw(frame, {})

    def truths(self, seed: int = 20261203, treated: int = 400_000) -> dict[str, float]:
        """Marginal log HR among the treated: both potential outcomes of the same people."""
        rng = np.random.default_rng(seed)
        x, t = self._people(rng, int(treated / 0.2))
        x = x[t][:treated]
        u, censor = rng.random(len(x)), rng.uniform(0.5, 3.0, len(x))
        frames = []
        for arm in (0, 1):
            time = -np.log(u) / (0.3 * np.exp(x @ np.array(self.prognosis) + LOG_HR * arm))
            frames.append(
                pd.DataFrame({"time": np.minimum(time, censor), "event": time <= censor, "t": arm})
            )
        fit = cox(pd.concat(frames, ignore_index=True), "time", "event", ["t"])
        return {"marginal": float(fit.coef[0]), "conditional": LOG_HR}


MATCHED = MatchedDesign()
MATCHED_TRUTHS = MATCHED.truths()


def _matched_cox(truth: str, se: str, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        m = cached(draw, "match", lambda: match(draw.data, "t", ["x1", "x2"]))
        fit = cached(
            draw,
            ("cox", *sorted(options.items())),
            lambda: cox(m.data, "time", "event", ["t"], **options),
        )
        row = fit.summary().iloc[0]
        return Interval(row["estimate"], row[se], row["ci_lower"], row["ci_upper"], truth)

    return run


# --- Fine–Gray ------------------------------------------------------------------------------

FG_BETA = (LOG_HR, 0.4)


def _simulate_fine_gray(rng: np.random.Generator) -> Draw:
    n, p = 400, 0.4
    treated = (rng.random(n) < 0.5).astype(int)
    z = rng.normal(size=n)
    lp = np.exp(FG_BETA[0] * treated + FG_BETA[1] * z)
    first = 1 - (1 - p) ** lp  # P(cause 1 | x)
    cause1 = rng.random(n) < first
    v = rng.random(n)
    # F1(T | x) = v * first solved for T
    inner = 1 - (1 - (1 - v * first) ** (1 / lp)) / p
    time1 = -np.log(np.clip(inner, 1e-300, None))
    time2 = rng.exponential(1 / lp)
    time = np.where(cause1, time1, time2)
    censor = rng.uniform(0, 4, n)
    code = np.where(time <= censor, np.where(cause1, 1, 2), 0)
    frame = pd.DataFrame({"time": np.minimum(time, censor), "event": code, "t": treated, "z": z})
    return Draw(frame, {})


def _fine_gray(term: str, truth: str, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        fit = cached(
            draw,
            ("fg", *sorted(options.items())),
            lambda: fine_gray(draw.data, "time", "event", ["t", "z"], **options),
        )
        row = row_where(fit.summary(), term=term)
        se = row["robust_std_error"] if options.get("robust", True) else row["std_error"]
        return Interval(row["estimate"], se, row["ci_lower"], row["ci_upper"], truth)

    return run


COX_TRUTHS = {"log 0.7": LOG_HR, "0.5": 0.5}


def _scenarios() -> tuple[Scenario, ...]:
    group = "survival"
    km_scenarios = tuple(
        Scenario(
            group,
            f"km_n{n}",
            f"Kaplan–Meier, one group of {n}, exponential (rate 0.3), censoring U(0.5, 3)",
            one_group(n),
            km_methods(),
            TRUTHS,
        )
        for n in (40, 200)
    )
    return (
        Scenario(
            group,
            "cox",
            "Cox model t + x, n = 400, exponential, HR 0.7, censoring U(0.5, 3)",
            _simulate_cox,
            (
                Method(
                    "cox() model SE (default)",
                    "log HR (conditional)",
                    _cox("t", "log 0.7", "std_error"),
                ),
                Method(
                    "cox(robust=True)",
                    "log HR (conditional)",
                    _cox("t", "log 0.7", "robust_std_error", robust=True),
                ),
                Method(
                    "cox() model SE, covariate x", "coefficient of x", _cox("x", "0.5", "std_error")
                ),
                Method(
                    "cox(ties='breslow') model SE",
                    "log HR (conditional)",
                    _cox("t", "log 0.7", "std_error", ties="breslow"),
                ),
            ),
            COX_TRUTHS,
        ),
        Scenario(
            group,
            "cox_matched",
            "1:1 nearest-neighbour matching (no caliper), n = 1,500, ~20% treated; Cox with "
            "the treatment alone",
            MATCHED.simulate,
            (
                Method(
                    "cox(cluster=subclass) (the report's)",
                    "marginal log HR among the treated",
                    _matched_cox("marginal", "robust_std_error", cluster="subclass"),
                ),
                Method(
                    "cox(robust=True), pairs ignored",
                    "marginal log HR among the treated",
                    _matched_cox("marginal", "robust_std_error", robust=True),
                ),
                Method(
                    "cox() model SE",
                    "marginal log HR among the treated",
                    _matched_cox("marginal", "std_error"),
                ),
                Method(
                    "cox(cluster=subclass) vs the conditional HR",
                    "conditional log HR",
                    _matched_cox("conditional", "robust_std_error", cluster="subclass"),
                ),
            ),
            MATCHED_TRUTHS,
        ),
        *km_scenarios,
        Scenario(
            group,
            "rates_n150",
            "re-arrest by window, two groups of 150, exponential 0.35 vs 0.25, potential "
            "follow-up U(0.5, 3), recidivism_rates(followup=)",
            two_groups(150, competing=False),
            rates_methods("km"),
            TRUTHS,
        ),
        Scenario(
            group,
            "rates_competing_n150",
            "the same with death competing (0.05 a year): Aalen–Johansen windows",
            two_groups(150, competing=True),
            rates_methods("cif"),
            TRUTHS,
        ),
        *(
            Scenario(
                group,
                f"rmst_n{n}",
                f"RMST to tau = 2, two groups of {n}, exponential 0.35 vs 0.25, censoring "
                "U(0.5, 3)",
                two_groups(n, competing=False),
                RMST_METHODS,
                TRUTHS,
            )
            for n in (100, 300)
        ),
        *(
            Scenario(
                group,
                f"cif_n{n}",
                f"cumulative incidence, two groups of {n}, re-arrest 0.35 vs 0.25, death 0.05, "
                "censoring U(0.5, 3)",
                two_groups(n, competing=True),
                cif_methods(),
                TRUTHS,
            )
            for n in (50, 200)
        ),
        Scenario(
            group,
            "fine_gray",
            "Fine–Gray model t + z, n = 400, Fine & Gray's (1999) design, p = 0.4, "
            "subdistribution HR 0.7, censoring U(0, 4)",
            _simulate_fine_gray,
            (
                Method("fine_gray() robust (default)", "log SHR", _fine_gray("t", "log 0.7")),
                Method(
                    "fine_gray(robust=False) model SE",
                    "log SHR",
                    _fine_gray("t", "log 0.7", robust=False),
                ),
                Method(
                    "fine_gray() robust, covariate z", "coefficient of z", _fine_gray("z", "0.4")
                ),
            ),
            {"log 0.7": LOG_HR, "0.4": 0.4},
        ),
    )


SCENARIOS = _scenarios()
