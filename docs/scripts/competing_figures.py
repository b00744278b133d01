"""Make the figures of docs/competing-and-repeat.md (run it with the project venv)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from rpeval.datasets import simulate_program
from rpeval.recidivism import build_followup, cumulative_incidence, mean_cumulative_function

OUT = Path(__file__).resolve().parent.parent / "img"


def main() -> None:
    program = simulate_program(n_participants=500, n_comparison=5000, random_state=1)
    follow = build_followup(
        program.people,
        id="person_id",
        start="entry_date",
        events=program.arrests,
        event_date="arrest_date",
        end="data_through",
        custody=program.custody,
        competing=["death_date"],
    )
    people = program.people.join(follow[["duration", "event"]])
    cif = cumulative_incidence(people, "duration", "event", group="participant")
    ax = cif.plot(times=[0, 180, 365, 545, 730, 910, 1095], xlabel="Days since entry")
    ax.figure.savefig(OUT / "cif_participants.png", dpi=150)

    dates = program.people.set_index("person_id")
    stop = dates[["death_date", "data_through"]].min(axis=1)
    arrests = program.arrests.join(dates["entry_date"], on="person_id")
    arrests["day"] = (arrests["arrest_date"] - arrests["entry_date"]).dt.days
    arrests = arrests[
        (arrests["day"] > 0) & (arrests["arrest_date"] <= arrests["person_id"].map(stop))
    ]
    end = (stop - dates["entry_date"]).dt.days.rename("end")
    never = pd.DataFrame({"person_id": end.index[~end.index.isin(arrests["person_id"])]})
    events = pd.concat([arrests[["person_id", "day"]], never], ignore_index=True)
    events = events.join(end, on="person_id").join(dates["participant"], on="person_id")
    mcf = mean_cumulative_function(
        events, id="person_id", time="day", end="end", group="participant"
    )
    ax = mcf.plot(xlabel="Days since entry")
    ax.figure.savefig(OUT / "mcf_participants.png", dpi=150)


if __name__ == "__main__":
    main()
