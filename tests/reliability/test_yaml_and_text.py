"""Hostile YAML and hostile text: clean errors at file:line, nothing executed or leaked.

Issue 22, item 5: 1,000 nested brackets gave a RecursionError inside PyYAML, a non-UTF-8
config a raw UnicodeDecodeError, ``!!python/...`` tags were silently dropped, a title with
``<script>`` reached the catalog Markdown raw, ANSI escapes in group labels reached the
terminal, CSV output kept spreadsheet formulas, and ``--baseline git:REF`` went to git
unchecked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval._text import csv_cell, for_terminal, markdown_code, markdown_text
from rpeval._yaml import MAX_CHARS, documents_from_text
from rpeval.cli import main
from rpeval.errors import MetricDefinitionError, RpevalError, SpecificationError
from rpeval.metrics import Registry, catalog_markdown, validate
from tests.hypothesis_budget import budget

GOOD = Path(__file__).parents[1] / "metrics" / "fixtures" / "good" / "program.yaml"
DEFINITION = """\
name: held_rate
version: 1.0.0
title: {title}
description: {description}
kind: proportion
table: cases
denominator:
  where: offender_participated
numerator:
  where: conference_held
  label: {label}
status: stable
"""
CONFIG = "data: {people: p.csv}\ntreatment: t\ncovariates: age\noutcome: d\n"

HOSTILE = {
    "nested brackets": "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "nested braces": "a: " + "{b: " * 500 + "1" + "}" * 500 + "\n",
    "nested blocks": "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n",
    "nested compact lists": "a:\n" + "- " * 300 + "x\n",
    "python object tag": "a: !!python/object/apply:os.system ['echo hacked']\n",
    "python name tag on a mapping": "a: !!python/object:builtins.dict {b: 1}\n",
    "local tag": "a: !custom 1\n",
    "verbatim tag": "a: !<tag:yaml.org,2002:python/none> ''\n",
    "tag handle": "%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n",
    "binary tag": "a: !!binary aGVsbG8=\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "control character": "a: b\x1b[31m\n",
    "impossible unquoted date": "name: x\na: 2022-02-30\n",
    "duplicate key": "a: 1\na: 2\n",
    "unclosed quote": "a: 'open\n",
}
EXPECTED = {
    "nested brackets": "nested more than 40 levels",
    "nested braces": "nested more than 40 levels",
    "nested blocks": "nested more than 40 levels",
    "nested compact lists": "nested more than 40 levels",
    "python object tag": "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    "python name tag on a mapping": "python/object:builtins.dict' is not allowed",
    "local tag": "'!custom' is not allowed",
    "verbatim tag": "python/none' is not allowed",
    "tag handle": "'!e!thing' is not allowed",
    "binary tag": "'tag:yaml.org,2002:binary' is not allowed",
    "alias bomb": "too many values",
    "control character": "control character",
    "impossible unquoted date": "'2022-02-30' cannot be read as timestamp",
    "duplicate key": "duplicate key 'a'",
    "unclosed quote": "not valid YAML",
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_yaml_is_a_clean_error_at_file_line(case: str) -> None:
    with pytest.raises(MetricDefinitionError) as caught:
        documents_from_text(HOSTILE[case], "hostile.yaml", error=MetricDefinitionError)
    message = str(caught.value)
    assert re.match(r"hostile\.yaml:[1-9]\d*: ", message), message
    assert EXPECTED[case] in message


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_yaml_through_validate_and_the_cli(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(HOSTILE[case], encoding="utf-8")
    report = validate([path])
    assert not report.ok
    assert all(issue.line >= 1 for issue in report.issues)  # never file:0
    assert main(["metrics", "validate", str(path)]) == 1
    assert main(["metrics", "list", "--definitions", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err
    assert "Traceback" not in err
    assert "\x1b" not in err
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + HOSTILE[case].replace("a:", "extra:", 1), encoding="utf-8")
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{config}:" in err
    assert not (tmp_path / "o").exists()


def test_a_two_kilobyte_bracket_file_is_refused_before_parsing(tmp_path: Path) -> None:
    text = "[" * 1000 + "]" * 1000
    assert len(text.encode()) == 2000
    path = tmp_path / "brackets.yaml"
    path.write_text(text)
    with pytest.raises(MetricDefinitionError, match=r"brackets\.yaml:1: the YAML is nested"):
        Registry.from_paths(path, include_builtin=False)


def test_a_tag_never_becomes_a_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "data: {people: p.csv}\ntreatment: t\noutcome: d\n"
        "covariates: !!python/object/apply:os.getcwd []\n"
    )
    assert main(["evaluate", str(config)]) == 2
    assert f"{config}:4: the YAML tag" in capsys.readouterr().err


def test_standard_tags_are_still_read() -> None:
    (doc,) = documents_from_text("a: !!str 2024-01-01\nb: !!int '3'\nc: !!float 1\n")
    assert doc.value == {"a": "2024-01-01", "b": 3, "c": 1.0}


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_non_utf8_files(encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes((CONFIG + "# café\n").encode(encoding))
    assert main(["evaluate", str(config)]) == 2
    err = capsys.readouterr().err
    assert "must be UTF-8 text" in err
    assert "UnicodeDecodeError" not in err
    metric = tmp_path / "m.yaml"
    metric.write_bytes(GOOD.read_text().replace("Conference", "Conférence").encode(encoding))
    with pytest.raises(MetricDefinitionError, match="metric definitions must be UTF-8 text"):
        Registry.from_paths(metric, include_builtin=False)


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    metric = tmp_path / "m.yaml"
    metric.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    assert "conference_rate" in Registry.from_paths(metric, include_builtin=False)


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_CHARS + "\n")
    with pytest.raises(MetricDefinitionError, match="more than 2,000,000 characters"):
        Registry.from_paths(path, include_builtin=False)


# -- text escaped for its target ------------------------------------------------------


def _definition(tmp_path: Path, **fields: str) -> Path:
    values = {"title": "'Held rate'", "description": "'Held.'", "label": "held"} | fields
    path = tmp_path / "m.yaml"
    path.write_text(DEFINITION.format(**values), encoding="utf-8")
    return path


def test_catalog_markdown_escapes_definition_text(tmp_path: Path) -> None:
    path = _definition(
        tmp_path,
        title="'<script>alert(1)</script> | [click](javascript:alert(2))'",
        description="'<img src=x onerror=alert(3)> {: onclick=\"x\"} # heading'",
        label="'`code` <b>bold</b>'",
    )
    page = catalog_markdown(Registry.from_paths(path, include_builtin=False))
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert not re.search(r"(?<!\\)\]\(javascript:", page)  # the link is escaped
    assert not re.search(r"(?<!\\){:", page)  # no attribute list
    row = next(line for line in page.splitlines() if line.startswith("| [`held_rate`]"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # the title's | does not add a column


def test_terminal_output_has_no_escape_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "cases.csv"
    labels = ["\x1b]0;pwned\x07\x1b[31mred", '=HYPERLINK("http://x")', "+1-2", "@SUM(A1)"]
    pd.DataFrame(
        {
            "offender_participated": [True] * 40,
            "conference_held": [True, False] * 20,
            "officer_id": [label for label in labels for _ in range(10)],
        }
    ).to_csv(data, index=False)
    for output in ("text", "csv", "json"):
        command = ["metrics", "compute", "offender_participation_rate", "conference_rate"]
        code = main([*command[:3], "--data", str(data), "--by", "officer_id", "--format", output])
        assert code == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out
        assert "\x07" not in out
        if output == "csv":
            cells = [row.split(",")[2] for row in out.splitlines()[1:]]
            assert all(not cell.startswith(("=", "+", "@", '"=')) for cell in cells), cells
    path = _definition(tmp_path, title='"\\e[2J\\e]8;;http://evil\\aTitle"')
    assert main(["metrics", "list", "--no-builtin", "--definitions", str(path)]) == 0
    assert "\x1b" not in capsys.readouterr().out


def test_error_messages_lose_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no\x1b[2Jsuch.yaml"
    assert main(["evaluate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "such.yaml" in err


@pytest.mark.parametrize(
    "ref",
    ["--output=/tmp/pwned", "-p", "HEAD:secret.txt", "main..HEAD", "a b", "x\x1b[31m", ""],
)
def test_unsafe_git_references_are_refused(
    ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics", "validate", str(GOOD), "--baseline", f"git:{ref}"]) == 2
    err = capsys.readouterr().err
    assert "is not a git revision name" in err
    assert not Path("/tmp/pwned").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_reference_that_does_not_exist(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    shutil.copy(GOOD, tmp_path / "m.yaml")
    with pytest.raises(SpecificationError, match="needs a revision that exists"):
        validate([tmp_path / "m.yaml"], baseline="git:no-such-branch")


# -- properties of the escapers ------------------------------------------------------

ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
) | st.sampled_from(["<script>", "\x1b[31m", "=1+1", "| a |", "[a](b)", "\x9b31m", "`x`"])


@budget(300, deadline=None)
@given(ANY_TEXT)
def test_terminal_text_has_no_controls(text: str) -> None:
    shown = for_terminal(text)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)


@budget(300, deadline=None)
@given(ANY_TEXT)
def test_markdown_text_is_inert(text: str) -> None:
    shown = markdown_text(text)
    assert "\n" not in shown
    assert "<" not in shown and ">" not in shown
    assert not re.search(r"(?<!\\)[|`*_\[\]{}]", shown.replace("\\\\", ""))


@budget(300, deadline=None)
@given(ANY_TEXT)
def test_markdown_code_spans_hold(text: str) -> None:
    span = markdown_code(text)
    fence = re.match(r"`+", span)
    assert fence is not None
    inner = span[len(fence.group()) : -len(fence.group())]
    assert fence.group() not in inner  # nothing inside can close the span early
    assert "\n" not in span


@budget(300, deadline=None)
@given(ANY_TEXT)
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert isinstance(cell, str)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
        assert re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", cell.strip())


def test_report_html_escapes_labels(tmp_path: Path) -> None:
    from rpeval.report.html import html_table

    html = html_table(pd.DataFrame({"<b>x</b>": ["<script>alert(1)</script>"]}), "<i>cap</i>")
    assert "<script" not in html and "<b>" not in html and "<i>" not in html


def test_rpeval_errors_are_one_family() -> None:
    assert issubclass(MetricDefinitionError, RpevalError)
