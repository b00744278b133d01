"""Speed a user feels (issue 23): cold imports, the first Cox fit, steady state, the cluster
sandwich and ``evaluate`` at a million people, with lifelines measured in the same run.

One command writes the table of ``docs/benchmarks.md`` (between its ``bench_speed``
markers); run it from the repository root on the machine whose figures you want:

    make bench-env      # once: benchmarks/.venv-lifelines with lifelines 0.30
    .venv/bin/python benchmarks/bench_speed.py --update-docs
    .venv/bin/python benchmarks/bench_speed.py --only cox --verbose   # one job, no docs

Every measurement runs in fresh processes (``--runs`` of them, 3 by default), so a "first
call" is the first in a process that has imported the library, as in a user's script; the
steady state of a process is the best of the ``--steady`` calls after it (3 by default: the
"best of 3" of issue 23's table), and every one of those calls is shown on its own row too.
Figures are the median and the range over all runs. The machine (CPU, cores, memory, load
average before and after) is written beside them: on a loaded machine the absolute times
move, the ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench_speed:begin -->", "<!-- bench_speed:end -->"
PILLARS = (
    "recidivism",
    "matching",
    "metrics",
    "surveys",
    "qualitative",
    "community",
    "report",
)
COVARIATES = [f"x{j}" for j in range(9)]

IMPORT_CHILD = """
import json, sys, time
t0 = time.perf_counter()
__import__(sys.argv[1])
print(json.dumps(time.perf_counter() - t0))
"""

COX_CHILD = """
import importlib.util, json, sys, time
# by file path: a benchmarks/ entry on sys.path would make benchmarks/coverage shadow the
# coverage package (numba imports it when present)
spec = importlib.util.spec_from_file_location("_synthetic", {synthetic!r})
synthetic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(synthetic)
survival_data = synthetic.survival_data
job = json.loads(sys.argv[1])
df = survival_data(job["n"], 9, seed=job["seed"])
covs = ["x%d" % j for j in range(9)]
if job["library"] == "lifelines":
    from lifelines import CoxPHFitter
    kwargs = {{"cluster_col": "cluster"}} if job["cluster"] else {{}}
    if not job["cluster"]:
        df = df.drop(columns=["cluster"])
    fit = lambda: CoxPHFitter().fit(df, "time", "event", **kwargs)
else:
    from rpeval.recidivism import cox
    kwargs = {{"cluster": "cluster"}} if job["cluster"] else {{}}
    fit = lambda: cox(df, "time", "event", covs, **kwargs)
times, cpu = [], []
for _ in range(1 + job["steady"]):
    t0, c0 = time.perf_counter(), time.process_time()
    fit()
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
variance = []
if job["cluster"] and job["library"] == "rpeval":
    from rpeval.recidivism.cox._data import prepare_cox_data
    from rpeval.recidivism.cox._newton import newton_raphson
    from rpeval.recidivism.cox._sandwich import robust_covariance
    d = prepare_cox_data(df, "time", "event", covs, weights=None, cluster="cluster",
                         strata=None, entry=None, missing="error", caller="cox")
    f = newton_raphson(d.index, d.design, d.weights, "efron", list(d.terms))
    for _ in range(1 + job["steady"]):
        t0 = time.perf_counter()
        robust_covariance(d.index, d.X, d.weights, f.beta, "efron", f.covariance, d.cluster)
        variance.append(time.perf_counter() - t0)
print(json.dumps({{"first": times[0], "steady": times[1:], "variance": variance, "cpu": cpu}}))
"""

EVALUATE_CHILD = """
import json, resource, sys, time
from rpeval.datasets import simulate_program
from rpeval.report import evaluate
from rpeval.report.demo import DEMO_COVARIATES
job = json.loads(sys.argv[1])
program = simulate_program(job["treated"], job["controls"], random_state=1)
rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
t0 = time.perf_counter()
ev = evaluate(program.people, treatment="participant", covariates=DEMO_COVARIATES,
              entry="entry_date", events=program.arrests, custody=program.custody,
              competing=["death_date"], cases=program.cases, officers=program.officers,
              progress=False)
seconds = time.perf_counter() - t0
stages = dict(getattr(ev, "timings", {}))
print(json.dumps({"seconds": seconds, "rss_gib": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 2**20, "rss_data_gib": rss_data, "stages": stages}))
"""


def _child(python: str, code: str, *args: str, timeout: float = 900) -> object:
    out = subprocess.run(
        [python, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _spread(values: Sequence[float], unit: str = "s") -> str:
    """Median and range: ``0.41 s (0.38–0.52, 3 runs)``."""
    if not values:
        return "—"
    med = statistics.median(values)
    digits = 2 if med >= 0.1 else 3
    if len(values) == 1:
        return f"{med:.{digits}f} {unit} (1 run)"
    low, high = min(values), max(values)
    return f"{med:.{digits}f} {unit} ({low:.{digits}f}–{high:.{digits}f}, {len(values)} runs)"


def _machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.0f} GiB"
    except OSError:
        memory = "unknown memory"
    import numba
    import numpy
    import pandas

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {memory}",
        "python": platform.python_version(),
        "versions": (
            f"numpy {numpy.__version__}, pandas {pandas.__version__}, numba {numba.__version__}"
        ),
        "load": "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
    }


def _ratio(anchor: Sequence[float], ours: Sequence[float]) -> str:
    if not anchor or not ours:
        return ""
    return f" ({statistics.median(anchor) / statistics.median(ours):.1f}×)"


Rows = list[tuple[str, str, str, str]]
JOBS = ("imports", "cox", "evaluate")


def measure(args: argparse.Namespace) -> Rows:
    """Rows of (what, rpeval, anchor, goal) of the jobs chosen with ``--only`` (all by default)."""
    jobs = args.only or list(JOBS)
    rows: Rows = []
    if "imports" in jobs:
        rows += _imports(args)
    if "cox" in jobs:
        rows += _cox(args)
    if "evaluate" in jobs and not args.skip_evaluate:
        rows += _evaluate(args)
    return rows


def _log(args: argparse.Namespace, *parts: object) -> None:
    if args.verbose:
        print(*parts, flush=True)


def _imports(args: argparse.Namespace) -> Rows:
    py, ll = sys.executable, args.lifelines
    rows: Rows = []
    anchor_import = (
        [float(_child(ll, IMPORT_CHILD, "lifelines")) for _ in range(args.runs)] if ll else []
    )  # type: ignore[arg-type]
    for name in ("rpeval", *(f"rpeval.{p}" for p in PILLARS)):
        times = [float(_child(py, IMPORT_CHILD, name)) for _ in range(args.runs)]  # type: ignore[arg-type]
        anchor = (
            _spread(anchor_import) + " (`import lifelines`)"
            if ll and name == "rpeval.recidivism"
            else ""
        )
        rows.append((f"`import {name}`, fresh process", _spread(times), anchor, "< 0.7 s"))
        _log(args, rows[-1])
    return rows


def _cox(args: argparse.Namespace) -> Rows:
    """Efron Cox (first call and steady state, lifelines in the same run, interleaved) and
    the cluster-robust fit; with ``--verbose`` each process's wall and CPU seconds. The CPU
    rows compare fairly on a busy machine, where a fresh process rarely gets both cores."""
    py, ll = sys.executable, args.lifelines
    keys = ("first", "best", "steady", "cpu_first", "cpu_steady", "variance", "cfirst", "csteady")
    ours: dict[str, list[float]] = {key: [] for key in keys}
    theirs: dict[str, list[float]] = {key: [] for key in keys[:5]}
    code = COX_CHILD.format(synthetic=str(HERE / "_synthetic.py"))
    for _ in range(args.runs):
        job = {"n": args.rows, "seed": 1, "cluster": False, "steady": args.steady}
        got: dict[str, list[float] | float] = _child(
            py, code, json.dumps({**job, "library": "rpeval"})
        )  # type: ignore[assignment]
        _collect(ours, got)
        _log(args, "rpeval efron", got, "load", os.getloadavg()[0])
        if ll:
            got = _child(ll, code, json.dumps({**job, "library": "lifelines"}))  # type: ignore[assignment]
            _collect(theirs, got)
            _log(args, "lifelines efron", got, "load", os.getloadavg()[0])
        if args.skip_cluster:
            continue
        job = {"n": args.rows, "seed": 2, "cluster": True, "steady": args.steady}
        got = _child(py, code, json.dumps({**job, "library": "rpeval"}))  # type: ignore[assignment]
        ours["cfirst"].append(float(got["first"]))  # type: ignore[arg-type]
        ours["csteady"].extend(got["steady"])  # type: ignore[arg-type]
        ours["variance"].extend(got["variance"][1:])  # type: ignore[index]
        _log(args, "rpeval cluster", got)
    return _cox_rows(args, ours, theirs)


def _collect(into: dict[str, list[float]], got: dict[str, list[float] | float]) -> None:
    """A Cox child's first call, its best steady call and every steady call, wall and CPU
    seconds."""
    cpu: list[float] = got["cpu"]  # type: ignore[assignment]
    steady: list[float] = got["steady"]  # type: ignore[assignment]
    into["first"].append(float(got["first"]))  # type: ignore[arg-type]
    into["best"].append(min(steady))
    into["steady"].extend(steady)
    into["cpu_first"].append(cpu[0])
    into["cpu_steady"].extend(cpu[1:])


def _cox_rows(
    args: argparse.Namespace, ours: dict[str, list[float]], theirs: dict[str, list[float]]
) -> Rows:
    n = f"{args.rows:,}"
    rows: Rows = [
        (
            f"Efron Cox, {n} × 9, times to 0.1 day: **first call** in a process",
            _spread(ours["first"]),
            _spread(theirs["first"]) + _ratio(theirs["first"], ours["first"]),
            "≥ 10× lifelines",
        ),
        (
            f"same, steady state: the best of calls 2–{args.steady + 1} in each process",
            _spread(ours["best"]),
            _spread(theirs["best"]) + _ratio(theirs["best"], ours["best"]),
            "≥ 20× lifelines",
        ),
        (
            f"same, every steady call (calls 2–{args.steady + 1} in each process)",
            _spread(ours["steady"]),
            _spread(theirs["steady"]) + _ratio(theirs["steady"], ours["steady"]),
            "",
        ),
        (
            "same, CPU time of the first call (all threads)",
            _spread(ours["cpu_first"]),
            _spread(theirs["cpu_first"]) + _ratio(theirs["cpu_first"], ours["cpu_first"]),
            "",
        ),
        (
            "same, CPU time of the steady calls",
            _spread(ours["cpu_steady"]),
            _spread(theirs["cpu_steady"]) + _ratio(theirs["cpu_steady"], ours["cpu_steady"]),
            "",
        ),
    ]
    if args.skip_cluster:
        return rows
    return [
        *rows,
        (
            f"cluster-robust Efron Cox, {n} × 9, first call (fit + sandwich)",
            _spread(ours["cfirst"]),
            "",
            "",
        ),
        ("same, steady state", _spread(ours["csteady"]), "", ""),
        ("of which the cluster-robust variance (steady)", _spread(ours["variance"]), "", "< 1 s"),
    ]


def _evaluate(args: argparse.Namespace) -> Rows:
    """``evaluate`` at a million people: seconds, peak memory and each stage's time."""
    people = json.dumps({"treated": args.treated, "controls": args.controls})
    evals = [_child(sys.executable, EVALUATE_CHILD, people) for _ in range(args.evaluate_runs)]
    _log(args, "evaluate", evals)
    seconds = [float(e["seconds"]) for e in evals]  # type: ignore[index]
    rss = [float(e["rss_gib"]) for e in evals]  # type: ignore[index]
    rows: Rows = [
        (
            f"`evaluate` on {args.treated + args.controls:,} people "
            f"(`simulate_program({args.treated:,}, {args.controls:,})`)",
            _spread(seconds),
            "",
            "< 5 s",
        ),
        ("same, peak memory of the process (data included)", _spread(rss, "GiB"), "", "< 2 GiB"),
    ]
    stages: dict[str, list[float]] = {}
    for e in evals:
        for key, value in dict(e.get("stages") or {}).items():  # type: ignore[union-attr]
            stages.setdefault(key, []).append(float(value))
    rows += [(f"… stage `{key}`", _spread(values), "", "") for key, values in stages.items()]
    return rows


_LOADED = (
    ": other jobs shared the cores during the run, so absolute times are inflated and"
    " vary between runs; rpeval and its anchor ran interleaved, under the same load"
)


def _busy(*loads: str) -> bool:
    return max(float(load.split()[0]) for load in loads) > 0.5 * (os.cpu_count() or 1)


def render(
    rows: list[tuple[str, str, str, str]], machine: dict[str, str], after: str, command: str
) -> str:
    lines = [
        BEGIN,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command}`.",
        f"Machine: {machine['cpu']}; Python {machine['python']}, {machine['versions']}; "
        f"lifelines 0.30 in its own venv. Load average {machine['load']} before the run and "
        f"{after} after it (1, 5, 15 min){_LOADED if _busy(machine['load'], after) else ''}.",
        "Each figure is the median over fresh processes, with the range and the number of runs.",
        "",
        "| what | rpeval | anchor (same run) | goal |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        END,
    ]
    return "\n".join(lines)


def update_docs(block: str) -> None:
    text = DOCS.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        head, _, rest = text.partition("\n")
        section = (
            "## Speed a user feels (`bench_speed.py`)\n\n"
            "Written by `.venv/bin/python benchmarks/bench_speed.py --update-docs` (issue 23).\n\n"
        )
        text = f"{head}\n\n{section}{block}\n{rest}"
    DOCS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_ll = HERE / ".venv-lifelines" / "bin" / "python"
    parser.add_argument("--lifelines", default=str(default_ll) if default_ll.exists() else None)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--steady", type=int, default=3, help="calls after the first, per process")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--treated", type=int, default=100_000)
    parser.add_argument("--controls", type=int, default=900_000)
    parser.add_argument("--evaluate-runs", type=int, default=2)
    parser.add_argument("--skip-evaluate", action="store_true")
    parser.add_argument("--skip-cluster", action="store_true", help="no cluster-robust Cox job")
    parser.add_argument(
        "--only",
        action="append",
        choices=JOBS,
        help="run only this job (repeatable); the docs are written only when all jobs run",
    )
    parser.add_argument(
        "--update-docs", action="store_true", help=f"write the table into {DOCS.name}"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.update_docs and (args.only or args.skip_cluster):
        parser.error("--update-docs writes the whole table: run every job")
    machine = _machine()
    rows = measure(args)
    after = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    command = "python benchmarks/bench_speed.py " + " ".join(sys.argv[1:])
    block = render(rows, machine, after, command.strip())
    print(block)
    if args.update_docs:
        update_docs(block)


if __name__ == "__main__":
    main()
