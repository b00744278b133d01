"""Reliability per code and the CI gate `rpeval codes agreement` (exit 1 below --min-alpha,
JUnit per code)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.datasets.interviews import simulate_interviews
from rpeval.errors import SpecificationError
from rpeval.qualitative import (
    agreement,
    codebook_from_text,
    coded_segments,
    krippendorff_alpha,
)
from rpeval.qualitative.agreement import OVERALL

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return simulate_interviews(150, reliability={"safety_concern": 0.4}, random_state=2)


def _coded(data):  # type: ignore[no-untyped-def]
    return coded_segments(data.segments, codebook_from_text(data.codebook_yaml), rating="rating")


def test_per_code_and_overall(data) -> None:  # type: ignore[no-untyped-def]
    table = agreement(_coded(data), n_bootstrap=200, random_state=1)
    summary = table.summary()
    assert list(summary.columns) == [
        "code",
        "statistic",
        "level",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "z",
        "p_value",
        "n_units",
        "n_coders",
    ]
    alpha = table.alpha().set_index("code")
    assert alpha.loc["apology_sincere", "level"] == "ordinal"
    assert OVERALL in alpha.index and "procedural_justice" in alpha.index
    assert table.failing(0.667) == ["safety_concern"]
    # the per-code alpha is krippendorff_alpha on the code's ratings
    coded = _coded(data)
    direct = krippendorff_alpha(coded.ratings("felt_heard"), n_bootstrap=0).estimate
    assert alpha.loc["felt_heard", "estimate"] == pytest.approx(direct, abs=1e-12)
    # three coders: no Cohen's kappa; Fleiss and AC1 present
    assert "cohen_kappa" not in set(summary["statistic"])
    assert {"fleiss_kappa", "gwet_ac1", "percent_agreement"} <= set(summary["statistic"])
    again = agreement(_coded(data), n_bootstrap=200, random_state=1)
    assert again.summary().equals(summary)
    assert "FAIL" in table.text(0.667) and table.to_dict()["codebook"] == "participant_voices"
    ax = table.plot()
    assert len(ax.get_yticklabels()) == len(alpha)
    assert "<table" in table._repr_html_()


def test_two_coders_get_cohen(data) -> None:  # type: ignore[no-untyped-def]
    two = data.segments[data.segments["coder"].isin(["coder_a", "coder_b"])]
    coded = coded_segments(two, codebook_from_text(data.codebook_yaml), rating="rating")
    summary = agreement(coded, n_bootstrap=0).summary()
    cohen = summary[summary["statistic"] == "cohen_kappa"].set_index("code")
    assert cohen.loc["apology_sincere", "level"] == "quadratic"
    assert cohen.loc["felt_heard", "level"] == "unweighted"


def test_cli_gate(data, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "coded.csv"
    data.segments.to_csv(csv, index=False)
    book = tmp_path / "codebook.yaml"
    book.write_text(data.codebook_yaml)
    junit = tmp_path / "agreement.xml"
    args = [
        "codes",
        "agreement",
        str(csv),
        "--codebook",
        str(book),
        "--rating",
        "rating",
        "--n-bootstrap",
        "100",
    ]
    assert main([*args, "--min-alpha", "0.667", "--junit", str(junit)]) == 1
    captured = capsys.readouterr()
    assert "safety_concern" in captured.err and "FAIL" in captured.out
    suite = ET.fromstring(junit.read_text())
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["safety_concern"]
    assert suite.get("failures") == "1" and int(suite.get("tests") or 0) == 6
    assert main([*args, "--min-alpha", "0.3"]) == 0
    capsys.readouterr()
    assert main([*args, "--min-alpha", "0.3", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["failing"] == [] and payload["min_alpha"] == 0.3
    assert main([*args, "--format", "junit"]) == 1
    assert "<testsuite" in capsys.readouterr().out
    bad = data.segments.copy()
    bad.loc[bad.index[0], "code"] = "felt_herd"
    bad.to_csv(csv, index=False)
    assert main([*args]) == 2
    assert "did you mean 'felt_heard'" in capsys.readouterr().err
    assert main(["codes"]) == 2


def test_undefined_alpha_fails_the_gate(data) -> None:  # type: ignore[no-untyped-def]
    segments = data.segments[data.segments["code"] != "safety_concern"]
    table = agreement(
        _coded(data.__class__(data.codebook_yaml, segments, data.participants)), n_bootstrap=0
    )
    alpha = table.alpha().set_index("code")
    assert np.isnan(alpha.loc["safety_concern", "estimate"])
    assert "safety_concern" in table.failing(0.667)
    assert "undefined" in table.to_junit(0.667)


def test_n_boot_is_a_deprecated_alias_of_n_bootstrap(data) -> None:  # type: ignore[no-untyped-def]
    coded = _coded(data)
    new = agreement(coded, n_bootstrap=50, random_state=4)
    with pytest.warns(FutureWarning, match="use n_bootstrap="):
        old = agreement(coded, n_boot=50, random_state=4)
    pd.testing.assert_frame_equal(old.summary(), new.summary())
    assert old.to_dict()["n_bootstrap"] == 50 and "n_boot" not in old.to_dict()
    with pytest.warns(FutureWarning, match="use AgreementTable.n_bootstrap"):
        assert new.n_boot == new.n_bootstrap == 50
    with pytest.raises(SpecificationError, match="n_bootstrap= only"):
        agreement(coded, n_bootstrap=50, n_boot=50)


def test_the_gate_takes_n_boot_as_a_deprecated_flag(  # type: ignore[no-untyped-def]
    data, tmp_path, capsys
) -> None:
    csv = tmp_path / "segments.csv"
    data.segments.to_csv(csv, index=False)
    book = tmp_path / "codebook.yaml"
    book.write_text(data.codebook_yaml)
    args = ["codes", "agreement", str(csv), "--codebook", str(book), "--rating", "rating"]
    assert main([*args, "--min-alpha", "0.3", "--format", "json", "--n-boot", "20"]) == 0
    captured = capsys.readouterr()
    assert "--n-boot is deprecated; use --n-bootstrap" in captured.err
    assert json.loads(captured.out)["n_bootstrap"] == 20
