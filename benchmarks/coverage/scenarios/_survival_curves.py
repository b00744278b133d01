"""Curve intervals for the survival group: Kaplan–Meier, window rates, RMST and CIF
(designs in :mod:`scenarios.survival`); the truths are analytic (exponential times)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _study import Draw, Interval, Method

from rpeval.recidivism import cumulative_incidence, kaplan_meier, recidivism_rates, rmst

LOG_HR = math.log(0.7)
RATES = {False: 0.35, True: 0.25}
DEATH = 0.05
TAU = 2.0
TIMES = (0.5, 1.0, 2.0)
WINDOWS = (1.0, 2.0)
_CACHE: dict[Any, Any] = {}


def cached(draw: Draw, key: Any, build: Callable[[], Any]) -> Any:
    """One fit per draw and options, shared by the methods that read it."""
    if _CACHE.get("draw") is not draw.data:
        _CACHE.clear()
        _CACHE["draw"] = draw.data
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def row_where(table: pd.DataFrame, **where: Any) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    return table.loc[mask].iloc[0]


# --- Kaplan–Meier, window rates, RMST, CIF -------------------------------------------------


def two_groups(n: int, competing: bool) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        group = np.repeat([False, True], n)
        rate = np.where(group, RATES[True], RATES[False])
        time = rng.exponential(1 / rate)
        death = rng.exponential(1 / DEATH, 2 * n) if competing else np.full(2 * n, np.inf)
        followup = rng.uniform(0.5, 3.0, 2 * n)
        first = np.minimum.reduce([time, death, followup])
        code = np.where(first == time, 1, np.where(first == death, 2, 0))
        frame = pd.DataFrame(
            {"time": first, "event": code, "rearrest": (code == 1).astype(int), "g": group}
        )
        return Draw(frame.assign(followup=followup), {})

    return simulate


def one_group(n: int) -> Callable[[np.random.Generator], Draw]:
    def simulate(rng: np.random.Generator) -> Draw:
        time = rng.exponential(1 / 0.3, n)
        censor = rng.uniform(0.5, 3.0, n)
        frame = pd.DataFrame({"time": np.minimum(time, censor), "event": time <= censor})
        return Draw(frame.astype({"event": int}), {})

    return simulate


def _risk(group: bool, t: float, competing: bool) -> float:
    rate = RATES[group]
    if not competing:
        return 1 - math.exp(-rate * t)
    return rate / (rate + DEATH) * (1 - math.exp(-(rate + DEATH) * t))


def _survival_truths() -> dict[str, float]:
    truths = {f"S({t:g})": math.exp(-0.3 * t) for t in TIMES}
    for competing in (False, True):
        for t in (*WINDOWS, *TIMES):
            risks = {g: _risk(g, t, competing) for g in (False, True)}
            tag = "cif" if competing else "km"
            truths[f"{tag} F1({t:g})"] = risks[True]
            truths[f"{tag} F0({t:g})"] = risks[False]
            truths[f"{tag} diff({t:g})"] = risks[True] - risks[False]
    for g in (False, True):
        truths[f"rmst{int(g)}"] = (1 - math.exp(-RATES[g] * TAU)) / RATES[g]
    truths["rmst diff"] = truths["rmst1"] - truths["rmst0"]
    truths["rmst log ratio"] = math.log(truths["rmst1"] / truths["rmst0"])
    return truths


def _km(t: float, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        fit = kaplan_meier(draw.data, "time", "event", **options)
        row = fit.at([t]).iloc[0]
        return Interval(
            row["survival"], row["std_error"], row["ci_lower"], row["ci_upper"], f"S({t:g})"
        )

    return run


def _rates(window: float, what: str, tag: str, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        event = "event" if tag == "cif" else "rearrest"
        fit = cached(
            draw,
            ("rates", event, *sorted(options.items())),
            lambda: recidivism_rates(
                draw.data, "time", event, list(WINDOWS), group="g", followup="followup", **options
            ),
        )
        if what == "diff":
            row = row_where(fit.differences(), window=window)
            return Interval(
                row["difference"],
                row["std_error"],
                row["ci_lower"],
                row["ci_upper"],
                f"{tag} diff({window:g})",
            )
        row = row_where(fit.summary(), group=True, window=window)
        if what == "complete":  # BJS share of those followed for the whole window, Wilson
            p, n = row["complete_proportion"], row["complete_n"]
            return Interval(
                p,
                math.sqrt(p * (1 - p) / n),
                row["complete_ci_lower"],
                row["complete_ci_upper"],
                f"{tag} F1({window:g})",
            )
        return Interval(
            row["cumulative_incidence"],
            _curve_se(draw, tag, window),
            row["ci_lower"],
            row["ci_upper"],
            f"{tag} F1({window:g})",
        )

    return run


def _curve_se(draw: Draw, tag: str, window: float) -> float:
    """The SE behind a window rate's interval (Greenwood, or cmprsk's for the CIF)."""
    if tag == "cif":
        fit = cached(
            draw, "cif-se", lambda: cumulative_incidence(draw.data, "time", "event", group="g")
        )
        return float(
            row_where(fit.at(list(WINDOWS)), group=True, cause=1, time=window)["std_error"]
        )
    fit = cached(draw, "km-se", lambda: kaplan_meier(draw.data, "time", "rearrest", group="g"))
    return float(row_where(fit.at(list(WINDOWS)), group=True, time=window)["std_error"])


def _rmst(what: str) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        fit = cached(draw, "rmst", lambda: rmst(draw.data, "time", "rearrest", TAU, group="g"))
        if what in ("rmst0", "rmst1"):
            row = row_where(fit.summary(), group=what == "rmst1")
            return Interval(row["rmst"], row["std_error"], row["ci_lower"], row["ci_upper"], what)
        contrasts = fit.contrasts()
        if what == "rmst diff":
            row = row_where(contrasts, contrast="difference")
            return Interval(
                row["estimate"], row["std_error"], row["ci_lower"], row["ci_upper"], what
            )
        row = row_where(contrasts, contrast="ratio")
        lower, upper = math.log(row["ci_lower"]), math.log(row["ci_upper"])
        return Interval(math.log(row["estimate"]), row["std_error"], lower, upper, what)

    return run


def _cif(t: float, group: bool, **options: Any) -> Callable[[Draw], Interval]:
    def run(draw: Draw) -> Interval:
        fit = cached(
            draw,
            ("cif", *sorted(options.items())),
            lambda: cumulative_incidence(draw.data, "time", "event", group="g", **options),
        )
        row = row_where(fit.at(list(TIMES)), group=group, cause=1, time=t)
        return Interval(
            row["incidence"],
            row["std_error"],
            row["ci_lower"],
            row["ci_upper"],
            f"cif F{int(group)}({t:g})",
        )

    return run


TRUTHS = _survival_truths()


def km_methods() -> tuple[Method, ...]:
    methods = []
    for t in TIMES:
        for conf_type, label in (
            ("log", "log (default)"),
            ("log-log", "log-log"),
            ("plain", "plain"),
        ):
            methods.append(
                Method(
                    f"kaplan_meier at t = {t:g}, {label}", f"S({t:g})", _km(t, conf_type=conf_type)
                )
            )
    return tuple(methods)


def rates_methods(tag: str) -> tuple[Method, ...]:
    label = "Aalen–Johansen" if tag == "cif" else "1 − KM"
    methods = []
    for w in WINDOWS:
        methods += [
            Method(
                f"program risk at {w:g} y, {label}, log (default)",
                f"F1({w:g})",
                _rates(w, "risk", tag),
            ),
            Method(
                f"program risk at {w:g} y, {label}, log-log",
                f"F1({w:g})",
                _rates(w, "risk", tag, conf_type="log-log"),
            ),
            Method(
                f"difference at {w:g} y (Wald, as the report)",
                f"F1 − F0 ({w:g})",
                _rates(w, "diff", tag),
            ),
            Method(
                f"BJS complete-follow-up share at {w:g} y, Wilson",
                f"F1({w:g})",
                _rates(w, "complete", tag),
            ),
        ]
    return tuple(methods)


def cif_methods() -> tuple[Method, ...]:
    methods = []
    for t in TIMES:
        methods += [
            Method(f"program CIF at t = {t:g}, log-log (default)", f"F1({t:g})", _cif(t, True)),
            Method(
                f"program CIF at t = {t:g}, plain", f"F1({t:g})", _cif(t, True, conf_type="plain")
            ),
            Method(
                f"program CIF at t = {t:g}, variance='robust'",
                f"F1({t:g})",
                _cif(t, True, robust=True),
            ),
        ]
    return tuple(methods)


RMST_METHODS = (
    Method("comparison RMST (tau = 2)", "RMST0", _rmst("rmst0")),
    Method("program RMST (tau = 2)", "RMST1", _rmst("rmst1")),
    Method("RMST difference", "RMST1 − RMST0", _rmst("rmst diff")),
    Method("RMST ratio (log scale)", "log(RMST1 / RMST0)", _rmst("rmst log ratio")),
)
