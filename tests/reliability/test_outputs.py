"""Outputs: --out is checked before any computation, written all at once, never clobbered.

Issue 22, item 2: an existing file or an unwritable directory as --out gave tracebacks after
the whole evaluation, a directory named results.json left report.html half-written, and
`rpeval demo --out DIR` silently replaced a user's people.csv and config.yaml.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import rpeval.report.config as config_module
import rpeval.report.demo as demo_module
from rpeval._outputs import MANIFEST, staged_output
from rpeval.cli import main
from rpeval.errors import SpecificationError

SMALL = ["--no-progress", "--participants", "60", "--comparison", "400", "--random-state", "4"]


def _forbid_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any evaluation fail loudly: the checks must come first."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("computed before --out was checked")

    monkeypatch.setattr(demo_module, "run_demo", refuse)
    monkeypatch.setattr(config_module, "run_config", refuse)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reliability") / "demo"
    assert main(["demo", "--out", str(out), *SMALL]) == 0
    return out


def _leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if ".partial-" in p.name]


def test_demo_writes_every_file_and_a_manifest(demo_dir: Path) -> None:
    names = sorted(p.name for p in demo_dir.iterdir())
    assert names == sorted([*demo_module.DEMO_FILES, MANIFEST])
    assert not _leftovers(demo_dir.parent)
    assert oct(demo_dir.stat().st_mode & 0o777) != oct(0o700)  # not the temporary's mode


def test_an_existing_file_as_out(
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _forbid_computation(monkeypatch)
    target = tmp_path / "taken"
    target.write_text("mine")
    config = str(demo_dir / "config.yaml")
    for command in (["demo", "--out", str(target)], ["evaluate", config, "--out", str(target)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"--out {target} exists and is not a directory" in err
        assert "Traceback" not in err
    assert target.read_text() == "mine"


def test_a_file_in_the_way_of_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _forbid_computation(monkeypatch)
    (tmp_path / "file").write_text("x")
    assert main(["demo", "--out", str(tmp_path / "file" / "sub")]) == 2
    assert "is a file, so no directory can be made below it" in capsys.readouterr().err


def test_a_directory_where_a_result_file_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _forbid_computation(monkeypatch)
    (tmp_path / "out" / "results.json").mkdir(parents=True)
    assert main(["demo", "--out", str(tmp_path / "out")]) == 2
    assert "holds results.json, which is not a plain file" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["results.json"]


def test_demo_refuses_to_replace_a_users_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "people.csv").write_text("my data\n")
    (out / "config.yaml").write_text("my: config\n")
    _forbid_computation(monkeypatch)
    assert main(["demo", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds people.csv, config.yaml, which rpeval did not write" in err
    assert "--force" in err
    assert (out / "people.csv").read_text() == "my data\n"
    assert sorted(p.name for p in out.iterdir()) == ["config.yaml", "people.csv"]


@pytest.mark.slow
def test_force_replaces_them(tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "people.csv").write_text("my data\n")
    (out / "notes.txt").write_text("untouched\n")
    assert main(["demo", "--out", str(out), "--force", *SMALL]) == 0
    assert (out / "people.csv").read_text() != "my data\n"
    assert (out / "notes.txt").read_text() == "untouched\n"


@pytest.mark.slow
def test_rpeval_may_replace_what_it_wrote(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in demo_dir.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    assert main(["evaluate", str(copy / "config.yaml"), "--out", str(copy), "--no-progress"]) == 0
    assert main(["demo", "--out", str(copy), *SMALL]) == 0
    (copy / "config.yaml").write_text((copy / "config.yaml").read_text() + "# edited\n")
    assert main(["demo", "--out", str(copy), *SMALL]) == 2  # changed since: the user's now


def test_a_failed_run_writes_nothing(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    text = (demo_dir / "config.yaml").read_text().replace("people.csv", str(tmp_path / "p.csv"))
    config.write_text(text.replace("arrests.csv", str(demo_dir / "arrests.csv")))
    (tmp_path / "p.csv").write_text(
        (demo_dir / "people.csv").read_text().replace("-", "/", 40)  # bad dates in row 1
    )
    out = tmp_path / "new" / "report"
    assert main(["evaluate", str(config), "--out", str(out), "--no-progress"]) == 2
    assert "rpeval: error:" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
    assert not _leftovers(tmp_path)


@pytest.mark.slow
def test_an_os_error_while_moving_into_place_is_one_line(
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def refuse(source: Any, target: Any) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "out"
    code = main(["evaluate", str(demo_dir / "config.yaml"), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [f"rpeval: error: Permission denied: {out}"]
    assert not out.exists()
    assert not _leftovers(tmp_path)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a read-only /proc")
def test_an_unwritable_place_is_refused_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _forbid_computation(monkeypatch)
    assert main(["demo", "--out", "/proc/rpeval-reliability"]) == 2
    err = capsys.readouterr().err
    assert "--out /proc/rpeval-reliability: cannot write in /proc" in err
    assert "Traceback" not in err


def test_a_missing_data_file_is_one_clean_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("data: {people: nowhere.csv}\ntreatment: t\ncovariates: age\noutcome: d\n")
    assert main(["evaluate", str(config), "--out", str(tmp_path / "o")]) == 2
    assert "no such data file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def _interrupted_write(target: Path) -> None:
    with staged_output(target, ["a"]) as stage:
        (stage / "a").write_text("half")
        raise RuntimeError("interrupted")


def test_staged_output_directly(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        _interrupted_write(tmp_path / "o")
    assert not (tmp_path / "o").exists()
    assert not _leftovers(tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(SpecificationError, match="exists and is not a directory"):
        _interrupted_write(tmp_path / "f")


def test_demo_files_name_every_section_table() -> None:
    from rpeval.report.sections import DATA_TABLES

    assert set(demo_module.DEMO_SECTION_TABLES) == set(DATA_TABLES.values())
