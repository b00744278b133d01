"""Codebooks: strict schema, file:line errors, did-you-mean, semantic rules, breaking changes,
and ``rpeval codebook validate`` (exit codes 0/1/2)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rpeval.cli import main
from rpeval.errors import CodebookError
from rpeval.qualitative import codebook_from_text, load_codebook, validate_codebooks

FIXTURES = Path(__file__).parent / "fixtures" / "codebooks"
BOOK = FIXTURES / "victim_interviews.yaml"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "codebooks"
    folder.mkdir()
    shutil.copy(BOOK, folder / BOOK.name)
    return folder / BOOK.name


def test_fixture_loads_and_summarises() -> None:
    book = load_codebook(BOOK)
    assert book.name == "victim_interviews" and book.version == "1.0.0"
    table = book.summary()
    assert list(table.columns) == ["code", "label", "parent", "theme", "scale", "levels", "status"]
    assert book.theme_of("felt_heard") == "procedural_justice"
    assert book.code("apology_sincere").levels == [0, 1, 2, 3]
    assert "victim_interviews" in str(book) and "<table" in book._repr_html_()


def test_clean_codebook_validates() -> None:
    report = validate_codebooks([FIXTURES])
    assert report.ok and report.exit_code == 0
    assert report.codebooks == ("victim_interviews",)


def test_unknown_key_has_line_and_suggestion(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    path.write_text(
        path.read_text().replace(
            '    parent: procedural_justice\n    examples: ["For',
            '    parnet: procedural_justice\n    examples: ["For',
        )
    )
    report = validate_codebooks([path])
    error = report.errors[0]
    assert error.line == 15 and error.stage == "schema"
    assert "unknown key 'parnet' (did you mean 'parent'?)" in error.message
    assert "code 'felt_heard'" in error.message
    with pytest.raises(CodebookError, match=r"victim_interviews.yaml:15: "):
        load_codebook(path)


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("version: 1.0.0", "version: 1.0", "version: Input should be a valid string"),
        ("version: 1.0.0", "version: 1.0.x", "not MAJOR.MINOR.PATCH"),
        ("    levels: [0, 1, 2, 3]\n", "", "ordinal code needs `levels:`"),
        ("    levels: [0, 1, 2, 3]", "    levels: [0, 1, 1]", "must not repeat"),
        ("    scale: ordinal\n", "", "belongs to `scale: ordinal`"),
        (
            'parent: procedural_justice\n    examples: ["It',
            'parent: procedural_justic\n    examples: ["It',
            "parent 'procedural_justic' is not a code of this codebook (did you mean",
        ),
        (
            "  - name: procedural_justice\n    definition",
            "  - name: procedural_justice\n    parent: fair_process\n    definition",
            "own ancestor",
        ),
        ("  - name: fair_process", "  - name: felt_heard", "defined twice"),
        ("version: 1.0.0", "version: !!python/object:os.system 1", "not allowed"),
    ],
)
def test_schema_and_semantic_errors(tmp_path: Path, old: str, new: str, needle: str) -> None:
    path = _copy(tmp_path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    report = validate_codebooks([path])
    assert not report.ok
    assert any(needle in issue.message for issue in report.errors), report.to_text()
    assert all(issue.line >= 1 for issue in report.issues)


def test_missing_include_is_a_warning(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    path.write_text(path.read_text().replace("    include: [calls the process fair]\n", ""))
    report = validate_codebooks([path])
    assert report.ok and any("no `include:`" in w.message for w in report.warnings)


@pytest.mark.parametrize(
    ("edit", "version", "level", "needle"),
    [
        (
            (
                "definition: The victim calls the process fair or even-handed.",
                "definition: The victim calls the process fair.",
            ),
            "1.1.0",
            "error",
            "definition changed",
        ),
        (
            (
                "definition: The victim calls the process fair or even-handed.",
                "definition: The victim calls the process fair.",
            ),
            "2.0.0",
            None,
            None,
        ),
        (("    levels: [0, 1, 2, 3]", "    levels: [0, 1, 2, 3, 4]"), "1.0.1", "error", "levels"),
        (("  - name: fair_process", "  - name: fair_proces"), "1.1.0", "error", "removed"),
        (
            ("title: Victim interviews", "title: Victims' interviews"),
            "1.0.0",
            "warning",
            "still version",
        ),
        ((None, None), "0.9.0", "error", "version went down"),
    ],
)
def test_breaking_changes_against_a_folder(
    tmp_path: Path,
    edit: tuple[str | None, str | None],
    version: str,
    level: str | None,
    needle: str | None,
) -> None:
    path = _copy(tmp_path)
    text = path.read_text()
    if edit[0] is not None and edit[1] is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path.write_text(text.replace("version: 1.0.0", f"version: {version}"))
    report = validate_codebooks([path], baseline=FIXTURES)
    breaking = [i for i in report.issues if i.stage == "breaking"]
    if level is None:
        assert breaking == []
    else:
        assert any(i.level == level and needle in i.message for i in breaking), report.to_text()


def test_baseline_from_git(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    run = {"cwd": tmp_path, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q"], **run)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "add", "."], **run)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], **run
    )
    path.write_text(path.read_text().replace("levels: [0, 1, 2, 3]", "levels: [1, 2, 3]"))
    report = validate_codebooks([path.parent], baseline="git:HEAD")
    assert any(i.stage == "breaking" and "levels" in i.message for i in report.errors)


def test_adding_a_code_needs_a_minor_bump(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    extra = "  - name: closure\n    definition: The victim says the matter is behind them.\n"
    path.write_text(path.read_text() + extra)
    report = validate_codebooks([path], baseline=FIXTURES)
    assert any("added without a minor" in w.message for w in report.warnings)


def test_codebook_from_text_and_did_you_mean() -> None:
    book = codebook_from_text(BOOK.read_text())
    with pytest.raises(CodebookError, match="did you mean 'felt_heard'"):
        book.code("felt_herd")
    with pytest.raises(CodebookError, match=r"code 'apolgy_sincere' in column `code`"):
        book.check_codes(["felt_heard", "apolgy_sincere"], arg="code", caller="coded_segments")


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codebook", "validate", str(FIXTURES)]) == 0
    path = _copy(tmp_path)
    path.write_text(path.read_text().replace("version: 1.0.0", "version: one"))
    assert main(["codebook", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "victim_interviews.yaml:2: error [schema]" in out
    assert main(["codebook", "validate", str(path), "--format", "junit"]) == 1
    assert "<testsuite" in capsys.readouterr().out
    assert main(["codebook", "validate", str(tmp_path / "nope")]) == 2
    assert main(["codebook", "validate"]) == 2
    assert main(["codebook"]) == 2
