"""Make the figures of docs/matching.md (run it with the project venv)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from rpeval.datasets import simulate_program
from rpeval.matching import match

OUT = Path(__file__).resolve().parent.parent / "img"


def main() -> None:
    people = simulate_program(n_participants=500, n_comparison=5000, random_state=1).people
    m = match(people, "participant", "age + prior_arrests + sex + C(offense_type)", caliper=0.2)
    m.plot(kind="love").figure.savefig(OUT / "love_plot.png", dpi=150)
    m.plot(kind="propensity").figure.savefig(OUT / "propensity_overlap.png", dpi=150)


if __name__ == "__main__":
    main()
