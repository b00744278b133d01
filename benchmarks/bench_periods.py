"""Metrics by period at scale (issue 19): 4 metrics x 48 months x 5 districts on 10,000,000
case rows, rpeval against a hand-written DuckDB SQL query and a hand-written pandas
group-by of the same numerators and denominators (target: rpeval within 2x of each).

Run: ``.venv/bin/python benchmarks/bench_periods.py [--rows N]``. One run of each (the
numbers are checked to agree first, on the same data); the machine is shared, so the
figures are indicative.

Metrics: agreement_rate, offender_participation_rate, referral_contact_rate (within 14
days) and days_referral_to_conference (mean), from the built-in catalog.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from rpeval.metrics import Registry

NAMES = [
    "agreement_rate",
    "offender_participation_rate",
    "referral_contact_rate",
    "days_referral_to_conference",
]
SQL = """
SELECT district, date_trunc('month', referral_date) AS month,
  count(*) FILTER (WHERE conference_held) AS agreement_den,
  count(*) FILTER (WHERE conference_held AND agreement_reached) AS agreement_num,
  count(*) AS referrals,
  count(*) FILTER (WHERE offender_participated) AS participated,
  count(*) FILTER (WHERE contact_date <= referral_date + INTERVAL 14 DAY) AS contacted,
  count(*) FILTER (WHERE conference_held AND conference_date IS NOT NULL) AS conferences,
  sum(date_diff('day', referral_date, conference_date)) FILTER (WHERE conference_held)
    AS days_sum
FROM cases GROUP BY 1, 2
"""


def _cases(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    referral = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1461, rows), "D")
    contacted = rng.random(rows) < 0.93
    contact = referral + pd.to_timedelta(rng.geometric(1 / 6, rows), "D")
    participated = contacted & (rng.random(rows) < 0.85)
    held = participated & (rng.random(rows) < 0.94)
    conference = contact + pd.to_timedelta(rng.geometric(1 / 21, rows), "D")
    agreed = held & (rng.random(rows) < 0.91)
    return pd.DataFrame(
        {
            "district": rng.choice(["North", "South", "East", "West", "Youth"], rows),
            "referral_date": referral,
            "contact_date": pd.Series(contact).where(contacted),
            "offender_participated": participated,
            "conference_held": held,
            "conference_date": pd.Series(conference).where(held),
            "agreement_reached": pd.Series(agreed, dtype="boolean").where(held),
        }
    )


def _pandas(cases: pd.DataFrame) -> pd.DataFrame:
    month = cases["referral_date"].dt.to_period("M")
    held = cases["conference_held"]
    days = (cases["conference_date"] - cases["referral_date"]).dt.days
    frame = pd.DataFrame(
        {
            "district": cases["district"],
            "month": month,
            "agreement_den": held,
            "agreement_num": held & cases["agreement_reached"].fillna(False).to_numpy(bool),
            "referrals": 1,
            "participated": cases["offender_participated"],
            "contacted": cases["contact_date"] <= cases["referral_date"] + pd.Timedelta(days=14),
            "conferences": held & cases["conference_date"].notna(),
            "days_sum": days.where(held, 0.0),
        }
    )
    return frame.groupby(["district", "month"], observed=True).sum()


def _timed(label: str, job: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = job()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"  {label:<38} {seconds:8.2f} s")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    import duckdb

    cases = _cases(args.rows)
    registry = Registry.builtin()
    connection = duckdb.connect()
    connection.register("cases", cases)
    relation = connection.sql("SELECT * FROM cases")
    print(f"{args.rows:,} case rows, {len(NAMES)} metrics x 48 months x 5 districts, one run:")

    def ours(data: object) -> pd.DataFrame:
        return registry.compute(
            NAMES, data, by="district", period="month", period_of="referral_date",
            suppress_below=1,
        ).to_pandas()  # fmt: skip

    t_sql, sql = _timed("hand-written DuckDB SQL", lambda: connection.sql(SQL).df())
    t_pd, hand = _timed("hand-written pandas group-by", lambda: _pandas(cases))
    t_duck, on_duck = _timed("rpeval on a DuckDB relation", lambda: ours(relation))
    t_ours, on_pandas = _timed("rpeval on pandas", lambda: ours(cases))
    assert isinstance(on_pandas, pd.DataFrame)
    assert isinstance(hand, pd.DataFrame)
    agreement = on_pandas[on_pandas["metric"] == "agreement_rate"]
    assert agreement["numerator"].sum() == hand["agreement_num"].sum()
    assert agreement["denominator"].sum() == hand["agreement_den"].sum()
    assert isinstance(sql, pd.DataFrame)
    assert sql["agreement_num"].sum() == hand["agreement_num"].sum()
    assert isinstance(on_duck, pd.DataFrame)
    assert len(on_duck) == len(on_pandas) == 4 * 48 * 5
    print(f"  rpeval/DuckDB vs SQL: {t_duck / t_sql:.1f}x; rpeval/pandas vs pandas: "
          f"{t_ours / t_pd:.1f}x (target <= 2x)")  # fmt: skip


if __name__ == "__main__":
    main()
