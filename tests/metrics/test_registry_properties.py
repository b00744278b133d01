"""Properties of computation and validation (hypothesis)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from rpeval.metrics import Registry, validate
from rpeval.metrics._loading import builtin_catalog_files
from tests.hypothesis_budget import budget

REGISTRY = Registry.builtin()
CASE_PROPORTIONS = [d.name for d in REGISTRY if d.table == "cases" and d.kind == "proportion"]
maybe_bool = st.sampled_from([True, False, None])


@st.composite
def case_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 60))
    column = lambda strategy: draw(st.lists(strategy, min_size=n, max_size=n))  # noqa: E731
    dates = st.one_of(
        st.none(), st.dates(pd.Timestamp("2020-01-01").date(), pd.Timestamp("2024-12-31").date())
    )
    score = st.one_of(st.none(), st.integers(1, 5))
    frame = pd.DataFrame(
        {
            "officer_id": column(st.sampled_from(["A", "B", "C"])),
            "referral_date": column(dates),
            "contact_date": column(dates),
            "data_through": pd.to_datetime([pd.Timestamp("2024-12-31")] * n),
            "agreement_due_date": column(dates),
            "victim_participation": column(
                st.sampled_from(["in_person", "indirect", "none", None])
            ),
            "victim_satisfaction": column(score),
            "offender_satisfaction": column(score),
            "procedural_fairness": column(score),
        }
    )
    for name in (
        "offender_participated",
        "victim_identified",
        "conference_held",
        "victim_offered",
        "victim_accepted",
        "agreement_reached",
        "agreement_completed",
    ):
        frame[name] = pd.array(column(maybe_bool), dtype="boolean")
    for name in ("referral_date", "contact_date", "agreement_due_date"):
        frame[name] = pd.to_datetime(frame[name])
    for name in ("victim_satisfaction", "offender_satisfaction", "procedural_fairness"):
        frame[name] = pd.array(frame[name], dtype="Int64")
    return frame


@budget(60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=case_tables())
def test_proportions_are_subsets_and_groups_add_up(cases: pd.DataFrame) -> None:
    total = REGISTRY.compute(CASE_PROPORTIONS, cases, suppress_below=1).frame
    grouped = REGISTRY.compute(CASE_PROPORTIONS, cases, by="officer_id", suppress_below=1).frame
    assert (total["numerator"] <= total["denominator"]).all()
    values = total["value"].dropna()
    assert ((values >= 0) & (values <= 1)).all()
    assert (total["value"].isna() == (total["denominator"] == 0)).all()
    sums = grouped.groupby("metric")[["numerator", "denominator"]].sum()
    merged = total.set_index("metric")[["numerator", "denominator"]]
    if len(cases):
        pd.testing.assert_frame_equal(sums.sort_index(), merged.sort_index(), check_dtype=False)
    shown = REGISTRY.compute(CASE_PROPORTIONS, cases, by="officer_id").frame
    for _, cells in shown.groupby("metric"):
        assert cells["suppressed"].sum() != 1 or len(cells) == 1


CATALOG_TEXT = "\n---\n".join(f.read_text() for f in builtin_catalog_files())
DOCUMENTS = [d for d in yaml.safe_load_all(CATALOG_TEXT) if d]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(document: dict[str, object], seed: int, junk: object) -> str:
    rng = random.Random(seed)
    paths = _paths(document)
    path = rng.choice(paths)
    parent: object = document
    for step in path[:-1]:
        parent = parent[step]  # type: ignore[index]
    key = path[-1]
    action = rng.choice(["delete", "replace", "rename", "truncate"])
    if action == "delete" and isinstance(parent, dict):
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{key}x"] = parent.pop(key)
    elif action == "truncate":
        text = yaml.safe_dump(document, sort_keys=False)
        return text[: rng.randrange(len(text))]
    else:
        parent[key] = junk  # type: ignore[index]
    return yaml.safe_dump(document, sort_keys=False)


@budget(150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(DOCUMENTS) - 1), seed=st.integers(0, 2**31), junk=JUNK)
def test_mutated_definitions_give_issues_not_exceptions(
    tmp_path_factory: object, index: int, seed: int, junk: object
) -> None:
    import copy

    document = copy.deepcopy(DOCUMENTS[index])
    text = _mutate(document, seed, junk)
    folder = Path(tmp_path_factory.mktemp("mutant"))  # type: ignore[attr-defined]
    (folder / "m.yaml").write_text(text, encoding="utf-8")
    report = validate([folder])  # must not raise
    for issue in report.issues:
        assert issue.level in {"error", "warning"}
        assert issue.line >= 0
        assert issue.message
