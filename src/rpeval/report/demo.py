"""A plain-text summary of a simulated program, printed by ``rpeval demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from rpeval.datasets import ProgramData
    from rpeval.datasets._truth import ProgramTruth
    from rpeval.report.evaluation import Evaluation

__all__ = ["DEMO_FILES", "format_demo", "format_program_summary", "run_demo"]


def _share(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "n/a (no eligible rows)"
    return f"{numerator / denominator:6.1%}  ({numerator:,} / {denominator:,})"


def _naive_window_rates(people: pd.DataFrame, days: int) -> dict[bool, tuple[int, int]]:
    """Re-arrest within ``days`` among people observed for the whole window, by group."""
    window_end = people["entry_date"] + pd.Timedelta(days=days)
    observed = people["data_through"] >= window_end
    alive = people["death_date"].isna() | (people["death_date"] > window_end)
    eligible = observed & alive
    within = people["rearrest_date"].notna() & (people["rearrest_date"] <= window_end)
    rates: dict[bool, tuple[int, int]] = {}
    for flag in (True, False):
        in_group = eligible & (people["participant"] == flag)
        rates[flag] = (int((within & in_group).sum()), int(in_group.sum()))
    return rates


def format_program_summary(program: ProgramData) -> str:
    """Summarise cohort, naive re-arrest and program delivery of a simulated program.

    The re-arrest figures are *naive* (unmatched, unadjusted) one-year rates among people
    with complete follow-up; they differ from the true effect because participation
    depends on risk.

    Examples
    --------
    >>> from rpeval.datasets import simulate_program
    >>> text = format_program_summary(simulate_program(100, 400, random_state=1))
    >>> "hazard ratio given the covariates" in text
    True
    """
    people, cases = program.people, program.cases
    n_part = int(people["participant"].sum())
    n_comp = len(people) - n_part
    lines = [
        "rpeval demo: simulated police restorative-practice program",
        f"  participants: {n_part:,}   traditional processing: {n_comp:,}",
        f"  data through: {people['data_through'].max():%Y-%m-%d}",
        f"  true hazard ratio given the covariates (simulated): {program.true_effect_hr:.2f}",
        "",
        "Re-arrest within 365 days, people with full follow-up (naive, unadjusted):",
    ]
    rates = _naive_window_rates(people, 365)
    lines.append(f"  participants           {_share(*rates[True])}")
    lines.append(f"  traditional processing {_share(*rates[False])}")
    held = cases["conference_held"].astype(bool)
    agreement = cases["agreement_reached"].astype("boolean")
    completed = cases["agreement_completed"].astype("boolean")
    lines += [
        "",
        "Program delivery (participants' cases):",
        f"  offender participation {_share(int(cases['offender_participated'].sum()), len(cases))}",
        f"  conferences held       {_share(int(held.sum()), len(cases))}",
        f"  agreement reached      {_share(int(agreement.sum()), int(agreement.notna().sum()))}",
        f"  agreement completed    {_share(int(completed.sum()), int(completed.notna().sum()))}",
        f"  mean prior arrests     participants {_mean(people, True):.2f}, "
        f"comparison {_mean(people, False):.2f}",
        "",
        *_matched_effect_lines(program),
    ]
    return "\n".join(lines)


def _matched_effect_lines(program: ProgramData) -> list[str]:
    """1:1 propensity match on the true confounders, then a Cox model of street time to
    re-arrest stratified on the matched pairs. That model estimates a within-pair hazard
    ratio: a third estimand, neither the hazard ratio given the covariates (the simulation's
    ``true_effect_hr``) nor the marginal one among participants that the report's
    headline estimates (``ProgramData.truth()``); hazard ratios are non-collapsible."""
    from rpeval.datasets._truth import street_followup
    from rpeval.matching import match
    from rpeval.recidivism import cox

    people = program.people
    follow = street_followup(program, people)
    data = people.merge(follow[["person_id", "time_at_risk", "event"]], on="person_id")
    data = data.assign(rearrest=(data["event"] == 1).astype(int))
    data = data[data["time_at_risk"] > 0]
    matched = match(data, "participant", "age + prior_arrests + sex + C(offense_type)", caliper=0.2)
    n_pairs = int(matched.counts().to_numpy()[1, 0])  # matched treated
    fit = cox(matched.data, "time_at_risk", "rearrest", ["participant"], strata="subclass")
    row = fit.summary().iloc[0]
    naive = cox(data, "time_at_risk", "rearrest", ["participant"]).summary().iloc[0]
    return [
        "Effect on re-arrest (street time, Cox hazard ratio with 95% CI):",
        f"  naive, all people            {naive['hazard_ratio']:.2f} "
        f"({naive['hazard_ratio_lower']:.2f}-{naive['hazard_ratio_upper']:.2f})",
        f"  1:1 matched, caliper 0.2 SD  {row['hazard_ratio']:.2f} "
        f"({row['hazard_ratio_lower']:.2f}-{row['hazard_ratio_upper']:.2f}), "
        f"{n_pairs:,} pairs, stratified on pair (a within-pair hazard ratio)",
        f"  simulated truth given the covariates  {program.true_effect_hr:.2f} (the naive and "
        "matched estimates target other quantities: hazard ratios are non-collapsible)",
    ]


def _mean(people: pd.DataFrame, participant: bool) -> float:
    values = people.loc[people["participant"] == participant, "prior_arrests"]
    return float(np.mean(values)) if len(values) else float("nan")


DEMO_COVARIATES = "age + prior_arrests + sex + C(offense_type)"
DEMO_WINDOWS = (365, 730, 1095)
DEMO_TABLES = ("people", "arrests", "custody", "cases", "officers")
DEMO_SECTION_TABLES = ("survey", "interviews", "panel")  # the sections' data (DATA_TABLES)
DEMO_FILES = (
    "report.html",
    "results.json",
    *(f"{t}.csv" for t in (*DEMO_TABLES, *DEMO_SECTION_TABLES)),
    "config.yaml",
)
DEMO_CONFIG = """\
# rpeval evaluate configuration written by `rpeval demo` (paths relative to this file).
data:
  people: people.csv
  arrests: arrests.csv
  custody: custody.csv
  cases: cases.csv
  officers: officers.csv
{section_data}treatment: participant
covariates: {covariates}
entry: entry_date
end: data_through
events: {{table: arrests, date: arrest_date}}
competing: [death_date]
design: {{method: matching, caliper: 0.2, ratio: 1}}
windows: [365, 730, 1095]
random_state: {seed}
"""


def run_demo(
    out: Path,
    *,
    n_participants: int = 500,
    n_comparison: int = 5000,
    random_state: int = 0,
    progress: bool = True,
) -> tuple[Evaluation, ProgramTruth, list[Path]]:
    """Simulate a program, evaluate it, and write data, config, report and results.

    Returns the evaluation, the simulation's true effects among participants
    (:meth:`ProgramData.truth`: the marginal hazard ratio the headline estimates, window
    risks and RMST, from potential outcomes), and the files written (the report
    first; their names are :data:`DEMO_FILES`). Four years of data (entries over the first
    three) so that 1-, 2- and 3-year windows are all estimable. The files are written into
    `out` as they are made: ``rpeval demo`` gives it a temporary directory
    (:func:`rpeval._outputs.staged_output`) and moves them into place at the end.
    """
    from rpeval.datasets import simulate_program
    from rpeval.report._provenance import with_source
    from rpeval.report.evaluate import evaluate

    program = simulate_program(
        n_participants=n_participants,
        n_comparison=n_comparison,
        followup_days=1460,
        random_state=random_state,
    )
    out.mkdir(parents=True, exist_ok=True)
    sections, section_data, section_config, section_files = _demo_sections(program, out)
    tables = []
    for name in DEMO_TABLES:
        path = out / f"{name}.csv"
        getattr(program, name).to_csv(path, index=False)
        tables.append(path)
    config = out / "config.yaml"
    config.write_text(
        DEMO_CONFIG.format(covariates=DEMO_COVARIATES, seed=random_state, section_data=section_data)
        + section_config,
        encoding="utf-8",
    )
    evaluation = evaluate(
        program.people,
        treatment="participant",
        covariates=DEMO_COVARIATES,
        entry="entry_date",
        events=program.arrests,
        custody=program.custody,
        competing=["death_date"],
        cases=program.cases,
        officers=program.officers,
        random_state=random_state,
        progress=progress,
        **sections,
    )
    files = {path.stem: path.name for path in (*tables, *section_files)}
    evaluation = with_source(evaluation, config, files)
    written = [evaluation.to_html(out / "report.html"), evaluation.to_json(out / "results.json")]
    written += [*tables, config, *section_files]
    return evaluation, program.truth(windows=DEMO_WINDOWS), written


def _demo_sections(program: ProgramData, out: Path) -> tuple[dict[str, Any], str, str, list[Path]]:
    """The report sections the demo shows: evaluate()'s arguments, the configuration's
    lines (``data:`` files and blocks) and the files written. Each section's table is
    written to CSV and read back as ``rpeval evaluate`` reads it, so the configuration
    reproduces the demo's report. Returns the arguments, the ``data:`` lines, the
    sections' blocks and the files."""
    import yaml

    from rpeval._files import read_table
    from rpeval.report.sections import (
        DATA_TABLES,
        EVALUATE_ARGUMENTS,
        SECTION_MODULES,
        section_module,
    )

    arguments: dict[str, Any] = {}
    data_lines: list[str] = []
    blocks: dict[str, Any] = {}
    files: list[Path] = []
    for key in SECTION_MODULES:
        module = section_module(key)
        given = module.demo_input(program)
        if given is None:
            continue
        settings, table = given
        if table is not None:
            path = out / f"{DATA_TABLES[key]}.csv"
            table.to_csv(path, index=False)
            files.append(path)
            data_lines.append(f"  {DATA_TABLES[key]}: {path.name}")
            table = read_table(path)
        blocks[key] = settings.model_dump(mode="json", exclude_defaults=True)
        arguments[EVALUATE_ARGUMENTS[key]] = module.from_config(settings, table)
    text = ""
    if blocks:
        text = "# report sections (rpeval.report.sections)\n" + "".join(
            yaml.safe_dump({key: block}, default_flow_style=None, sort_keys=False)
            for key, block in blocks.items()
        )
    return arguments, "".join(f"{line}\n" for line in data_lines), text, files


def format_demo(evaluation: Evaluation, truth: ProgramTruth, report: Path) -> str:
    """What `rpeval demo` prints: headline findings, what the headline estimates and the
    check against the simulation's truth of that quantity, the report path."""
    hr = evaluation.hazard_ratio
    level = round(100 * evaluation.settings["conf_level"])

    def covers(value: float, lower: float, upper: float) -> str:
        return "covers" if lower <= value <= upper else "misses"

    lines = [
        "rpeval demo: a simulated police restorative-practice program, evaluated",
        "",
        *[f"  - {sentence}" for sentence in evaluation.headline_sentences()],
        "",
        f"What the headline estimates: {evaluation.estimand_text()} (a marginal hazard "
        "ratio among participants).",
        f"Simulated truth of that quantity: {truth.marginal_hr:.2f}; estimate "
        f"{hr['hazard_ratio']:.2f} ({level}% CI {hr['ci_lower']:.2f}-{hr['ci_upper']:.2f}): "
        f"the CI {covers(truth.marginal_hr, hr['ci_lower'], hr['ci_upper'])} the truth.",
        f"(The simulation's hazard ratio given the covariates is {truth.conditional_hr:.2f}; "
        "hazard ratios are non-collapsible, so that one is not what the headline estimates.)",
    ]
    risks = dict(zip(truth.risks["window"].astype(int), truth.risks["difference"], strict=True))
    for _, row in evaluation.rates.iterrows():
        window = int(row["window"])
        if window not in risks:
            continue
        true = float(risks[window])
        lines.append(
            f"Re-arrest within {window} days, participants minus comparison: true "
            f"{100 * true:+.1f} percentage points; estimate {100 * row['difference']:+.1f} "
            f"({level}% CI {100 * row['ci_lower']:+.1f} to {100 * row['ci_upper']:+.1f}): "
            f"the CI {covers(true, row['ci_lower'], row['ci_upper'])} the truth."
        )
    lines += ["", f"Report: {report.resolve()}"]
    return "\n".join(lines)
