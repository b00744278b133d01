"""The command line, tested in-process."""

from __future__ import annotations

import pytest

from rpeval import __version__
from rpeval.cli import build_parser, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "a command is required" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_bad_option_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--participants", "-3"]) == 2
    assert "positive" in capsys.readouterr().err


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [["demo"], ["codes", "agreement", "coded.csv", "--codebook", "codebook.yaml"]],
)
def test_random_state_and_its_deprecated_seed_alias(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    assert parser.parse_args([*command, "--random-state", "7"]).random_state == 7
    assert "deprecated" not in capsys.readouterr().err
    assert parser.parse_args(command).random_state == 0
    assert parser.parse_args([*command, "--seed", "5"]).random_state == 5
    assert "--seed is deprecated; use --random-state" in capsys.readouterr().err


def test_no_seed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--random-state" in out
    assert "--seed" not in out


def test_python_m_rpeval_cli_runs_the_command() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "rpeval.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip() == f"rpeval {__version__}"
