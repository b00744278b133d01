"""Cox models for repeated re-arrests on counting-process ``(entry, duration]`` intervals.

:func:`recurrent_cox` fits Andersen–Gill (a common baseline for every re-arrest) and the
Prentice–Williams–Peterson total-time and gap-time models (a baseline per event number),
with cluster-robust SEs by person; :func:`andersen_gill` is its deprecated former name
(``start``, ``stop``, ``id``). Agrees with R survival 3.5 to 1e-10 on lifelines' ``recur``
data (``tests/reference/recurrent_recur.json``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any, Literal

from rpeval import _frames
from rpeval._weights import case_weights
from rpeval.errors import SpecificationError
from rpeval.recidivism._covariates import require_design_columns
from rpeval.recidivism.cox.model import cox
from rpeval.recidivism.cox.result import CoxResult, Ties
from rpeval.recidivism.recurrent._input import check_intervals, event_numbers

__all__ = ["Model", "andersen_gill", "recurrent_cox"]

Model = Literal["andersen_gill", "pwp_total", "pwp_gap"]


def recurrent_cox(
    data: Any,
    duration: str,
    event: str,
    covariates: str | Sequence[str],
    *,
    entry: str,
    cluster: str,
    model: Model = "andersen_gill",
    event_number: str | None = None,
    ties: Ties = "efron",
    weights: str | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> CoxResult:
    """Cox models for repeated re-arrests on ``(entry, duration]`` intervals, robust by person.

    Parameters
    ----------
    data
        One row per interval at risk: ``(entry, duration]`` ends with a re-arrest
        (``event`` 1) or censoring (0). Gaps between a person's intervals (custody,
        when nobody can be re-arrested) are simply left out.
    duration, event
        Columns of the interval's end (time since entry to the program) and the event
        indicator.
    covariates
        A list of columns or a formula right-hand side.
    entry
        Column of the interval's start (time since entry to the program), as ``entry=``
        of :func:`cox`.
    cluster
        Column identifying people: SEs are cluster-robust (sandwich) by person.
    model
        ``"andersen_gill"`` (one baseline hazard for all re-arrests),
        ``"pwp_total"`` (Prentice–Williams–Peterson: a baseline per event number, time
        since entry) or ``"pwp_gap"`` (per event number, time since the previous event:
        ``duration − entry``).
    event_number
        Column numbering each interval by the re-arrest it leads to (1 for the first);
        computed from the data (1 + earlier re-arrests of the person) when omitted.
    ties, weights, conf_level
        As for :func:`cox`. Intervals of weight 0 are left out before the event numbers
        are counted (as if absent), and counted in ``n_dropped``.
    missing
        ``"error"`` (default) or ``"drop"`` intervals with a missing value in any column
        used; they are left out before the event numbers are counted (``n_dropped``).

    Returns
    -------
    CoxResult
        With ``robust_std_error`` clustered by person.

    Notes
    -----
    Agrees with R survival 3.5 ``coxph(Surv(entry, duration, event) ~ ..., cluster = id)``
    (and ``+ strata(event_number)``; gap time ``Surv(duration - entry, event)``) to 1e-10
    on the ``recur`` data, Efron and Breslow: coefficients, model-based and robust SEs.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"pid": [1, 1, 2, 3, 3, 4], "rj": [1, 1, 0, 0, 0, 1],
    ...                      "t0": [0, 40, 0, 0, 10, 0], "t1": [40, 100, 70, 10, 90, 120],
    ...                      "rearrest": [1, 0, 1, 1, 1, 0]})
    >>> fit = recurrent_cox(data, "t1", "rearrest", ["rj"], entry="t0", cluster="pid")
    >>> fit.summary()[["term", "estimate", "robust_std_error"]].round(3)
      term  estimate  robust_std_error
    0   rj    -1.294             0.767
    """
    caller = "recurrent_cox"
    if model not in ("andersen_gill", "pwp_total", "pwp_gap"):
        raise SpecificationError(
            f"{caller}(): model={model!r} is not a recurrent-event model",
            hint='use "andersen_gill", "pwp_total" or "pwp_gap"',
        )
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    used = [entry, duration, event, cluster, *([weights] if weights else [])]
    used += _frames.resolve_covariates(covariates, arg="covariates", caller=caller).columns
    _frames.require_columns(frame, used, arg="data", caller=caller)
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(used)), missing=missing, arg="data", caller=caller
    )
    weighted = case_weights(complete.frame, weights, caller=caller)  # weight 0: absent
    frame = weighted.frame
    require_design_columns(frame, covariates, caller=caller)
    check_intervals(frame, cluster, entry, duration, caller=caller)
    strata = None
    if model != "andersen_gill":
        strata = event_number or "_event_number"
        if event_number is None:
            frame[strata] = event_numbers(frame, cluster, entry, event, caller=caller)
    time: str = duration
    start: str | None = entry
    if model == "pwp_gap":
        begin = _frames.numeric_array(frame, entry, arg="entry", caller=caller)
        end = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
        frame["_gap_time"] = end - begin
        time, start = "_gap_time", None
    fit = cox(
        frame, time, event, covariates, ties=ties, weights=weights, cluster=cluster,
        strata=strata, entry=start, conf_level=conf_level,
    )  # fmt: skip
    dropped = fit.n_dropped + weighted.n_zero + complete.n_dropped
    return dataclasses.replace(fit, n_dropped=dropped)


def andersen_gill(
    data: Any,
    start: str,
    stop: str,
    event: str,
    covariates: str | Sequence[str],
    *,
    id: str,
    model: Model = "andersen_gill",
    event_number: str | None = None,
    ties: Ties = "efron",
    weights: str | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Deprecated name of :func:`recurrent_cox` (``start`` is ``entry``, ``stop`` is
    ``duration``, ``id`` is ``cluster``); warns with a :class:`FutureWarning`.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> data = pd.DataFrame({"pid": [1, 1, 2, 3], "rj": [1, 1, 0, 0], "t0": [0, 40, 0, 0],
    ...                      "t1": [40, 100, 70, 10], "rearrest": [1, 0, 1, 1]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit = andersen_gill(data, "t0", "t1", "rearrest", ["rj"], id="pid")
    >>> caught[0].category.__name__
    'FutureWarning'
    """
    warnings.warn(
        "andersen_gill() is deprecated; use recurrent_cox(data, duration=stop, event, "
        "covariates, entry=start, cluster=id)",
        FutureWarning,
        stacklevel=2,
    )
    return recurrent_cox(
        data, stop, event, covariates, entry=start, cluster=id, model=model,
        event_number=event_number, ties=ties, weights=weights, conf_level=conf_level,
    )  # fmt: skip
