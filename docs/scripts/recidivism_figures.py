"""Make the figures of docs/recidivism.md (run it with the project venv)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from rpeval.datasets import simulate_program
from rpeval.recidivism import kaplan_meier

OUT = Path(__file__).resolve().parent.parent / "img"


def main() -> None:
    program = simulate_program(n_participants=500, n_comparison=5000, random_state=1)
    people = program.people
    end = people[["rearrest_date", "death_date", "data_through"]].min(axis=1)
    people = people.assign(
        days=(end - people["entry_date"]).dt.days, rearrest=people["rearrested"].astype(int)
    )
    km = kaplan_meier(people, "days", "rearrest", group="participant")
    ax = km.plot(times=[0, 180, 365, 545, 730, 910, 1095], xlabel="Days since entry")
    ax.figure.savefig(OUT / "km_participants.png", dpi=150)


if __name__ == "__main__":
    main()
