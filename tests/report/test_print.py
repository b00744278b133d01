"""The report on screen at 1280 px and printed to PDF by headless Chromium: no table wider
than its column or the page, nothing drawn into the page margin, a sensible page count;
for the demo (matching) and a weighting design.

Needs Chromium (see test_browser.py) and, for the PDF raster, ``pdftoppm``/``pdfinfo``
(Debian package ``poppler-utils``); the layout measurement needs playwright. Each part
skips cleanly when its tool is absent. The first page of each PDF is kept in
``test-artifacts/`` for CI.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rpeval.datasets import simulate_program
from rpeval.report import evaluate
from rpeval.report.demo import run_demo

from .test_browser import ARTIFACTS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # two demo runs and Chromium

A4_WIDTH_PX = 794  # 210 mm at 96 px per inch
MARGIN_PX = 45  # 12 mm, the template's @page side margin
# every table and its wrapper: how far it reaches past its column, and past the body
MEASURE = """() => {
  const body = document.body.getBoundingClientRect();
  return Array.from(document.querySelectorAll('table')).map(t => {
    const box = t.getBoundingClientRect();
    const wrap = t.parentElement;
    return [t.querySelector('caption')?.textContent.slice(0, 60) ?? '',
            t.scrollWidth - wrap.clientWidth, box.right - body.right];
  });
}"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; install the Debian package `chromium`")
    folder = tmp_path_factory.mktemp("print")
    run_demo(folder / "demo", n_participants=300, n_comparison=2000, progress=False)
    program = simulate_program(300, 1500, followup_days=1460, random_state=4)
    weighted = evaluate(
        program.people,
        treatment="participant",
        covariates="age + prior_arrests + sex + C(offense_type)",
        entry="entry_date",
        events=program.arrests,
        custody=program.custody,
        competing=["death_date"],
        design="weighting",
        estimand="ATT",
        progress=False,
    )
    return {
        "demo": folder / "demo" / "report.html",
        "weighting": weighted.to_html(folder / "weighting.html"),
    }


@pytest.mark.parametrize("name", ["demo", "weighting"])
@pytest.mark.parametrize("media", ["screen", "print"])
def test_no_table_is_wider_than_its_column(reports: dict[str, Path], name: str, media: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    width = 1280 if media == "screen" else A4_WIDTH_PX - 2 * MARGIN_PX
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.emulate_media(media=media)
        page.goto(reports[name].as_uri())
        page.wait_for_load_state("load")
        measured = page.evaluate(MEASURE)
        browser.close()
    assert len(measured) >= 8
    too_wide = [(caption, over, past) for caption, over, past in measured if over > 1 or past > 1]
    assert too_wide == [], too_wide


def _pgm(path: Path) -> np.ndarray:
    """A binary PGM (P5, 8 bit) as a 2-d array."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    width, height = int(fields[1]), int(fields[2])
    return np.frombuffer(fields[4][-width * height :], dtype=np.uint8).reshape(height, width)


@pytest.mark.parametrize("name", ["demo", "weighting"])
def test_the_pdf_keeps_everything_inside_the_page(
    reports: dict[str, Path], name: str, tmp_path: Path
) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftoppm/pdfinfo not installed (Debian package `poppler-utils`)")
    pdf = tmp_path / f"{name}.pdf"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", reports[name].as_uri()],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    assert 6 <= pages <= 40, pages
    dpi = 40
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(tmp_path / "page")], check=True
    )
    rasters = sorted(tmp_path.glob("page-*.pgm"))
    assert len(rasters) == pages
    margin = int(8 / 25.4 * dpi)  # the outer 8 mm of the 12 mm margins stay blank
    for raster in rasters:
        image = _pgm(raster)
        assert image.shape[1] == pytest.approx(210 / 25.4 * dpi, abs=2)  # A4 portrait
        edges = np.concatenate([image[:, :margin], image[:, -margin:]], axis=1)
        assert edges.min() > 200, f"{raster.name}: something is drawn into the margin"
    if shutil.which("pdftotext") is not None:  # the one-page summary is page 1, alone
        page_one = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        assert "The question." in page_one and "The answer." in page_one
        assert "What this evaluation cannot say" in page_one
        assert "Why the program works or not" in page_one  # the list's last item fits
        assert "Key estimates and design checks" not in page_one
    first = _pgm(rasters[0])
    assert (first < 128).mean() > 0.01  # the first page has text on it
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(rasters[0], ARTIFACTS / f"{name}-page-1.pgm")
