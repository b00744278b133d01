"""The result contract in surveys, qualitative, community and datasets: every public result
is a frozen dataclass with summary(), to_dict() (plain JSON), _repr_html_ (through
rpeval._display) and __str__; the new pictures draw."""

from __future__ import annotations

import dataclasses
import importlib
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

# Specifications, definitions, inputs and data bundles rather than results.
NOT_RESULTS = {
    "SurveyDesign",  # an input (mutable builder of replicate designs), has summary and str
    "ReplicateDesign",
    "Code",
    "CodebookDefinition",
    "CodebookIssue",
    "PanelColumns",
}


def _result_classes() -> list[type]:
    found = []
    for pillar in ("surveys", "qualitative", "community", "datasets"):
        module = importlib.import_module(f"rpeval.{pillar}")
        for name in module.__all__:
            obj = getattr(module, name)
            result = isinstance(obj, type) and not issubclass(obj, BaseException)
            if result and name not in NOT_RESULTS:
                found.append(obj)
    return found


@pytest.mark.parametrize("cls", _result_classes(), ids=lambda c: c.__name__)
def test_public_results_keep_the_contract(cls: type) -> None:
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for method in ("summary", "to_dict", "_repr_html_"):
        assert callable(getattr(cls, method, None)), f"{cls.__name__}.{method}"
    assert cls.__str__ is not object.__str__


def _design() -> object:
    from rpeval.surveys import SurveyDesign

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "w": rng.uniform(1, 3, 120),
            "y": rng.normal(size=120),
            "x": rng.normal(size=120),
            "g": rng.choice(["a", "b"], 120),
        }
    )
    frame["b"] = (frame["y"] > 0).astype(int)
    return SurveyDesign(frame, weights="w")


def test_survey_pictures_and_html() -> None:
    from rpeval.surveys import compare_waves, mean, rake, regression, weight_diagnostics

    design = _design()
    first = mean(design, "y", by="g")  # type: ignore[arg-type]
    ax = compare_waves(first, first).plot()
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["a", "b"]
    fit = regression(design, "b", "x + g", family="logistic")  # type: ignore[arg-type]
    ax = fit.plot()
    assert ax.get_xscale() == "log" and len(ax.get_yticklabels()) == 2
    _, report = rake(design, {"g": {"a": 60.0, "b": 60.0}})  # type: ignore[arg-type]
    for result in (first, fit, report, weight_diagnostics(design)):  # type: ignore[arg-type]
        assert result._repr_html_().startswith("<p><strong>")
        json.dumps(result.to_dict(), allow_nan=False)
    matplotlib.pyplot.close("all")


def test_area_panel_picture() -> None:
    from rpeval.community import area_panel
    from rpeval.datasets import simulate_community

    data = simulate_community(n_areas=8, n_periods=24, waves=(8, 12), random_state=1).data
    panel = area_panel(
        data, area="area", period="month", outcome="incidents", exposure="population",
        adoption="adoption",
    )  # fmt: skip
    ax = panel.plot()
    assert len(ax.get_lines()) >= panel.summary().shape[0]
    matplotlib.pyplot.close("all")


def test_html_is_escaped() -> None:
    from rpeval.surveys import mean

    frame = pd.DataFrame({"w": [1.0, 2.0, 1.0], "<b>": [1.0, 2.0, 3.0]})
    from rpeval.surveys import SurveyDesign

    html = mean(SurveyDesign(frame, weights="w"), "<b>")._repr_html_()
    assert "<b>" not in html and "&lt;b&gt;" in html
