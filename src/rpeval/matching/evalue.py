"""E-values (VanderWeele & Ding 2017): how strong unmeasured confounding would have to be."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval.errors import SpecificationError

__all__ = ["EValueResult", "e_value"]

EMeasure = Literal["rr", "or", "hr", "smd"]
_SMD_FACTOR = 0.91  # VanderWeele & Ding (2017), Table 2: RR ~ exp(0.91 d)


@dataclass(frozen=True, repr=False)
class EValueResult(Displayed):
    """E-values of an estimate and of its confidence limit closer to the null.

    ``risk_ratio`` and ``risk_ratio_limit`` are the estimate and that limit converted to
    the (approximate) risk-ratio scale; ``e_value`` and ``e_value_ci`` are their E-values.
    ``e_value_ci`` is 1 when the interval includes the null, and ``None`` without a CI.
    """

    measure: str
    rare: bool
    estimate: float
    lower: float | None
    upper: float | None
    risk_ratio: float
    risk_ratio_limit: float | None
    e_value: float
    e_value_ci: float | None

    def summary(self) -> pd.DataFrame:
        """One row per quantity (``"estimate"``, ``"ci_limit"``): ``quantity``, ``value``
        (on the scale of ``measure``), ``risk_ratio`` (approximate RR) and ``e_value``."""
        rows: list[dict[str, Any]] = [
            {
                "quantity": "estimate",
                "value": self.estimate,
                "risk_ratio": self.risk_ratio,
                "e_value": self.e_value,
            }
        ]
        if self.e_value_ci is not None:
            limit = self.lower if self._closer_is_lower() else self.upper
            rows.append(
                {
                    "quantity": "ci_limit",
                    "value": limit,
                    "risk_ratio": self.risk_ratio_limit,
                    "e_value": self.e_value_ci,
                }
            )
        return pd.DataFrame(rows, columns=["quantity", "value", "risk_ratio", "e_value"])

    def _closer_is_lower(self) -> bool:
        return self.risk_ratio >= 1.0

    def _display(self) -> Display:
        scale = "approximate risk ratios" if self.measure != "rr" else "risk ratios"
        header = (("measure", self.measure + (" (rare outcome)" if self.rare else "")),)
        note = (
            f"risk_ratio: the estimate and the CI limit closer to the null as {scale}; "
            "e_value: the strength of association an unmeasured confounder would need with "
            "both treatment and outcome to explain it away (VanderWeele & Ding 2017)."
        )
        return Display("E-value", header, self.summary(), (note,))

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "rare": self.rare,
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "risk_ratio": self.risk_ratio,
            "risk_ratio_limit": self.risk_ratio_limit,
            "e_value": self.e_value,
            "e_value_ci": self.e_value_ci,
        }


def _as_risk_ratio(value: float, measure: EMeasure, rare: bool) -> float:
    """Approximate risk ratio of an estimate on the scale of ``measure`` (Table 2 of
    VanderWeele & Ding 2017)."""
    if measure == "smd":
        return math.exp(_SMD_FACTOR * value)
    if measure == "rr" or rare:
        return value
    if measure == "or":
        return math.sqrt(value)
    root = math.sqrt(value)  # common outcome hazard ratio
    return float((1.0 - 0.5**root) / (1.0 - 0.5 ** (1.0 / root)))


def _evalue_of_rr(rr: float) -> float:
    """``RR + sqrt(RR (RR - 1))`` after taking RR < 1 to 1/RR."""
    if rr < 1.0:
        rr = 1.0 / rr
    return rr + math.sqrt(rr * (rr - 1.0))


def _number(value: Any, name: str, measure: EMeasure) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecificationError(f"e_value(): `{name}` must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise SpecificationError(f"e_value(): `{name}`={value!r} must be finite")
    if measure != "smd" and number <= 0.0:
        raise SpecificationError(
            f"e_value(): `{name}`={value!r} must be positive for a ratio (measure={measure!r})",
            hint='pass the ratio itself, not its logarithm; for a mean difference use "smd"',
        )
    return number


def e_value(
    estimate: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    measure: EMeasure = "rr",
    rare: bool = False,
) -> EValueResult:
    """E-value of an effect estimate and of its confidence interval.

    The E-value is the minimum strength of association, on the risk-ratio scale, that an
    unmeasured confounder would need with both the treatment and the outcome, beyond the
    measured covariates, to explain away the estimate (or to move its confidence limit
    to the null).

    Parameters
    ----------
    estimate
        The effect: a risk ratio, odds ratio or hazard ratio, or a standardised mean
        difference (``measure="smd"``, the difference in SD units of the outcome).
    lower, upper
        Confidence limits on the same scale; only the one closer to the null is used.
    measure
        ``"rr"``, ``"or"``, ``"hr"`` or ``"smd"``.
    rare
        For ``"or"`` and ``"hr"``: the outcome is rare (under about 15% by the end of
        follow-up), so the ratio approximates a risk ratio directly.

    Returns
    -------
    EValueResult

    Notes
    -----
    With ``RR`` the estimate on the risk-ratio scale (``1/RR`` if below 1),
    ``E = RR + sqrt(RR (RR - 1))``. Conversions (VanderWeele & Ding 2017, Table 2):
    a common outcome's odds ratio by ``sqrt(OR)``; a common outcome's hazard ratio by
    ``(1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))``; a standardised mean difference ``d``
    by ``exp(0.91 d)``. The E-value of the CI is that of the limit closer to 1, or 1
    when the interval includes the null. Checked against the paper's worked examples
    (RR 0.80 with upper limit 0.91: 1.81 and 1.43; RR 10.73: 20.95).

    References
    ----------
    VanderWeele, T. J. & Ding, P. (2017). Sensitivity analysis in observational
    research: introducing the E-value. *Annals of Internal Medicine* 167, 268-274.

    Examples
    --------
    >>> ev = e_value(0.80, 0.71, 0.91)
    >>> round(ev.e_value, 3), round(ev.e_value_ci, 3)
    (1.809, 1.429)
    >>> round(e_value(10.73).e_value, 2)
    20.95
    """
    if measure not in ("rr", "or", "hr", "smd"):
        raise SpecificationError(
            f"e_value(): measure={measure!r} is unknown", hint='use "rr", "or", "hr" or "smd"'
        )
    if not isinstance(rare, bool):
        raise SpecificationError(f"e_value(): rare={rare!r} must be True or False")
    point = _number(estimate, "estimate", measure)
    low = None if lower is None else _number(lower, "lower", measure)
    high = None if upper is None else _number(upper, "upper", measure)
    if (low is not None and low > point) or (high is not None and high < point):
        raise SpecificationError(
            f"e_value(): the interval ({lower}, {upper}) does not contain estimate={estimate}",
            hint="pass lower <= estimate <= upper",
        )
    rr = _as_risk_ratio(point, measure, rare)
    closer = low if rr >= 1.0 else high
    rr_limit = None if closer is None else _as_risk_ratio(closer, measure, rare)
    e_ci = None
    if rr_limit is not None:
        crosses = rr_limit <= 1.0 if rr >= 1.0 else rr_limit >= 1.0
        e_ci = 1.0 if crosses else _evalue_of_rr(rr_limit)
    return EValueResult(
        measure=measure,
        rare=rare,
        estimate=point,
        lower=low,
        upper=high,
        risk_ratio=rr,
        risk_ratio_limit=rr_limit,
        e_value=_evalue_of_rr(rr),
        e_value_ci=e_ci,
    )
