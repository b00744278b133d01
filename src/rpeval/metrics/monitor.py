"""Monitoring in CI: compute metrics by period, chart them, and fail when a rule fires.

``rpeval metrics monitor MONITOR.yaml --data DIR`` calls :func:`run_monitor`; the exit
code is 1 when any rule fired on any chart, 0 otherwise (2 for bad input, as every
command). The spec is described in :mod:`rpeval.metrics._monitor_spec`.

>>> import pandas as pd
>>> from rpeval.metrics._monitor_spec import parse_monitor
>>> spec = parse_monitor('''
... period: month
... period_of: referral_date
... monitors: [{metric: agreement_rate, chart: p}]
... ''')
>>> dates = pd.date_range("2024-01-01", periods=240, freq="3D")
>>> cases = pd.DataFrame({"referral_date": dates, "conference_held": True,
...                       "agreement_reached": [i % 5 != 0 for i in range(240)]})
>>> report = run_monitor(spec, {"cases": cases})
>>> report.exit_code, len(report.charts)
(0, 1)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rpeval._files import read_table
from rpeval._junit import JUnitCase, junit_xml
from rpeval.errors import DataError
from rpeval.metrics._monitor_spec import Monitor, MonitorSpec
from rpeval.metrics.control_charts import ControlChart, control_chart
from rpeval.metrics.registry import Registry

__all__ = ["MonitorReport", "MonitoredChart", "load_tables", "run_monitor"]


@dataclass(frozen=True)
class MonitoredChart:
    """One chart of the monitoring run: the metric, its cell and the chart."""

    metric: str
    cell: dict[str, Any]
    chart: ControlChart

    @property
    def name(self) -> str:
        cell = ", ".join(f"{k}={v}" for k, v in self.cell.items())
        return f"{self.metric} [{cell}]" if cell else self.metric


@dataclass(frozen=True)
class MonitorReport:
    """Every chart of a run; ``exit_code`` 1 when a rule fired anywhere."""

    charts: tuple[MonitoredChart, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(c.chart.signalled for c in self.charts) else 0

    def summary(self) -> pd.DataFrame:
        """One row per chart and firing rule (``rule`` empty when none fired)."""
        rows = []
        for item in self.charts:
            signals = item.chart.signals()
            base = {"chart": item.name, "metric": item.metric, "kind": item.chart.kind}
            if signals.empty:
                rows.append({**base, "rule": "", "period": ""})
            for _, s in signals.iterrows():
                rows.append({**base, "rule": s["rule"], "period": str(s["period"])})
        return pd.DataFrame(rows, columns=["chart", "metric", "kind", "rule", "period"])

    def to_text(self) -> str:
        blocks = [str(item.chart).replace(f"of {item.metric}:", f"of {item.name}:", 1)
                  for item in self.charts]  # fmt: skip
        fired = sum(c.chart.signalled for c in self.charts)
        verdict = (
            f"{fired} of {len(self.charts)} chart(s) signalled: exit 1"
            if fired
            else f"all {len(self.charts)} chart(s) in control: exit 0"
        )
        return "\n\n".join([*blocks, verdict])

    def to_json(self) -> str:
        payload = {
            "exit_code": self.exit_code,
            "charts": [
                {"name": c.name, "metric": c.metric, "cell": c.cell, **c.chart.to_dict()}
                for c in self.charts
            ],
        }
        return json.dumps(payload, indent=2, default=str)

    def to_junit(self) -> str:
        cases = []
        for item in self.charts:
            failures = tuple(
                (rule, f"{rule} fired at {', '.join(periods)}")
                for rule, periods in item.chart.fired.items()
                if periods
            )
            cases.append(
                JUnitCase(f"monitor.{item.metric}", item.name, failures, (str(item.chart),))
            )
        return junit_xml("rpeval-monitor", cases)


def load_tables(spec: MonitorSpec, data_dir: str | Path, registry: Registry) -> dict[str, Any]:
    """Read each table the monitored metrics need from `data_dir`."""
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError(f"--data {folder} is not a directory", hint="give the data folder")
    needed = {registry[m.metric].table or "" for m in spec.monitors}
    tables: dict[str, Any] = {}
    for table in sorted(needed):
        name = spec.tables.get(table)
        candidates = (
            [folder / name] if name else [folder / f"{table}.csv", folder / f"{table}.parquet"]
        )
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            raise DataError(
                f"table {table!r} not found in {folder} (looked for "
                f"{', '.join(p.name for p in candidates)})",
                hint="name its file under `tables:` in the monitoring file",
            )
        tables[table] = read_table(found, date_formats=tuple(spec.date_formats))
    return tables


def _drop_incomplete(frame: pd.DataFrame) -> pd.DataFrame:
    incomplete = frame["note"].fillna("").str.contains("follow-up incomplete", regex=False)
    out = frame.copy()
    out.loc[incomplete, ["numerator", "denominator", "value"]] = pd.NA
    out.loc[incomplete, "note"] = "follow-up incomplete: not plotted"
    return out


def _charts(
    monitor: Monitor, spec: MonitorSpec, registry: Registry, data: Any
) -> list[MonitoredChart]:
    table = registry.compute(
        monitor.metric,
        data,
        by=monitor.by or None,
        period=spec.period,
        period_of=spec.period_of,
        fiscal_year_start=spec.fiscal_year_start,
        suppress_below=spec.suppress_below,
    )
    frame = table.to_pandas()
    if monitor.complete_only and registry[monitor.metric].window is not None:
        frame = _drop_incomplete(frame)
    baseline = monitor.baseline
    chosen = (
        (baseline.first, baseline.last)
        if baseline is not None and not isinstance(baseline, int)
        else baseline
    )
    records = frame[monitor.by].drop_duplicates().to_dict("records") if monitor.by else [{}]
    cells: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in records]
    out = []
    for cell in cells:
        chart = control_chart(
            frame,
            monitor.metric,
            kind=monitor.chart,
            cell=cell or None,
            baseline=chosen,
            rules=monitor.rules,
            sigma_multiplier=monitor.sigma_multiplier,
        )
        out.append(MonitoredChart(monitor.metric, {k: _plain(v) for k, v in cell.items()}, chart))
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def run_monitor(
    spec: MonitorSpec, data: Mapping[str, Any], *, registry: Registry | None = None
) -> MonitorReport:
    """Compute, chart and judge every monitor of `spec` on `data` ({table: frame})."""
    chosen = registry or Registry.builtin()
    charts: list[MonitoredChart] = []
    for monitor in spec.monitors:
        charts.extend(_charts(monitor, spec, chosen, data))
    return MonitorReport(tuple(charts))
