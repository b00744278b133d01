"""The HTML report in a real browser: every figure renders, no console error, a screenshot.

Needs Chromium (`/usr/bin/chromium`, Debian package `chromium`) and playwright (the
`dev` extra); `.ci/run` installs Chromium when it is missing. The screenshot is saved to
`test-artifacts/report.png` (git-ignored) for CI to keep.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rpeval.datasets import simulate_program
from rpeval.report import evaluate

CHROMIUM = os.environ.get("RPEVAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    program = simulate_program(300, 1500, followup_days=1460, random_state=4)
    evaluation = evaluate(
        program.people,
        treatment="participant",
        covariates="age + prior_arrests + sex + C(offense_type)",
        entry="entry_date",
        events=program.arrests,
        custody=program.custody,
        competing=["death_date"],
        cases=program.cases,
        officers=program.officers,
        progress=False,
    )
    return evaluation.to_html(tmp_path_factory.mktemp("report") / "report.html")


def _console(messages: list[str], kind: str, text: str) -> None:
    if kind in {"error", "warning"}:
        messages.append(f"{kind}: {text}")


def _request(external: list[str], url: str) -> None:
    if not url.startswith(("file:", "data:")):
        external.append(url)


@pytest.mark.slow
def test_report_renders_in_headless_chromium(report: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; install the Debian package `chromium`")
    messages: list[str] = []
    failed_requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: _console(messages, m.type, m.text))
        page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        page.on("request", lambda request: _request(failed_requests, request.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.alt.length])"
        )
        tables = page.eval_on_selector_all(
            "table", "els => els.map(e => e.querySelectorAll('th').length)"
        )
        title = page.title()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert title.startswith("Evaluation report")
    assert len(images) == 5  # forest, Love, overlap, Kaplan–Meier, cumulative incidence
    assert all(complete and width > 300 and alt > 20 for complete, width, alt in images), images
    assert tables and all(count > 0 for count in tables)
    assert messages == []
    assert failed_requests == []  # self-contained: no network requests
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
