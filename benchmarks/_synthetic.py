"""Synthetic survival data shared by the benchmark scripts (no rpeval imports here)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def survival_data(
    n: int, p: int, *, seed: int = 0, round_to: float = 0.1, horizon_days: float = 1095.0
) -> pd.DataFrame:
    """Days to re-arrest with ``p`` normal covariates, times rounded to 0.1 (many ties).

    Follow-up ends at ``horizon_days``: with three years, rounding to 0.1 leaves about
    10,000 distinct times (about 100 rows each); with ten years about 36,000.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.linspace(-0.5, 0.5, p)
    scale = horizon_days / 1095.0
    event_time = rng.exponential(600.0 * scale / np.exp(X @ beta))
    censor_time = np.minimum(rng.exponential(1500.0 * scale, n), horizon_days)
    time = np.minimum(event_time, censor_time)
    time = np.maximum(np.round(time / round_to) * round_to, round_to)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["time"] = time
    frame["event"] = (event_time <= censor_time).astype(int)
    frame["cluster"] = np.arange(n) // 5
    return frame


def paired_data(n_pairs: int, *, seed: int = 0) -> pd.DataFrame:
    """Two-person strata (matched pairs): a treatment, two covariates, weekly times."""
    rng = np.random.default_rng(seed)
    n = 2 * n_pairs
    pair = np.repeat(np.arange(n_pairs), 2)
    treat = np.tile([1, 0], n_pairs)
    x1 = rng.standard_normal(n)
    x2 = rng.integers(0, 2, n)
    frailty = np.repeat(rng.normal(0, 0.5, n_pairs), 2)
    rate = np.exp(-0.3 * treat + 0.4 * x1 + 0.3 * x2 + frailty) / 50
    event_time = np.ceil(rng.exponential(1 / rate))
    censor_time = np.ceil(rng.uniform(10, 150, n))
    return pd.DataFrame(
        {
            "pair": pair,
            "treat": treat,
            "x1": x1,
            "x2": x2,
            "time": np.minimum(event_time, censor_time),
            "event": (event_time <= censor_time).astype(int),
        }
    )
