"""The dashboard's one way into the model: build it, step it, read what it has recorded so far.

Everything the dashboard knows of :class:`~cstosim.core.model.AllianceModel` and its recorder is
in this module, so a change of the model is wired here and nowhere else in the dashboard. The
tables it returns follow ``docs/results.md``, so the run figures of :mod:`cstosim.plots.runs`
draw them as they draw a finished run.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..core.model import AllianceModel
from ..core.records import steps_table
from ..inputs.facts import baseline_member_facts, baseline_world_facts
from ..inputs.parameters import PARAMETERS, Parameter, load_set
from ..inputs.scenario import Scenario, all_scenarios, load_scenario
from ..inputs.vocabulary import MEMBER_FACTS, MEMBERS, WORLD_FACTS
from ..plots.runs import RunData

#: Worlds whose every decision the dashboard logs, for the narrative.
LOGGED_WORLDS = 5


def scenario_choices(current: str | None = None) -> list[str]:
    """Scenario ids the dashboard offers, with ``current`` (an id or a file) first if given."""
    ids = [p.stem for p in all_scenarios()]
    if current and current not in ids:
        ids.insert(0, current)
    return ids


def parameter_declarations() -> list[Parameter]:
    """Every declared parameter, in declaration order."""
    return list(PARAMETERS.values())


def parameter_values() -> dict[str, float]:
    """The values of the parameter set in force."""
    return dict(load_set().values)


def fact_keys() -> list[str]:
    """Every fact a run may change: ``MEMBER.fact`` for each member, then ``world.fact``."""
    return [f"{m}.{f}" for m in MEMBERS for f in MEMBER_FACTS] + [f"world.{f}" for f in WORLD_FACTS]


def fact_value(scenario: Scenario, key: str) -> float:
    """A fact's value at the scenario's start: its override in the file (undated, or dated at
    the first month), else the baseline."""
    owner, name = key.split(".", 1)
    if owner == "world":
        stated = [w.value for w in scenario.world if w.field == name]
        return stated[-1] if stated else float(baseline_world_facts()[name])
    start = scenario.scenario.start
    stated = [
        f.value
        for f in scenario.facts
        if f.member == owner and f.field == name and (f.date is None or f.date <= start)
    ]
    return stated[-1] if stated else float(baseline_member_facts()[name][MEMBERS.index(owner)])


def build(
    scenario: str,
    parameters: Mapping[str, float],
    facts: Mapping[str, float],
    n_worlds: int,
    seed: int,
) -> AllianceModel:
    """A model of ``n_worlds`` worlds of a scenario (an id or a file) at its first month."""
    return AllianceModel(
        load_scenario(scenario),
        n_worlds=n_worlds,
        seed=seed,
        parameters=dict(parameters),
        facts=dict(facts),
        log_worlds=min(LOGGED_WORLDS, n_worlds),
    )


def finished(model: AllianceModel) -> bool:
    """Whether every month of the scenario has been simulated."""
    return model.time >= model.situation.n_steps


def advance(model: AllianceModel) -> None:
    """Simulate the next month, if any is left."""
    if not finished(model):
        model.step()


def month(model: AllianceModel) -> str:
    """'YYYY-MM' of the last month simulated, or of the first if none has been."""
    return model.situation.date_of(max(int(model.time) - 1, 0))


def run_data(model: AllianceModel) -> RunData:
    """The months simulated so far, as the run figures read a finished run."""
    rec = model.recorder
    crises = rec.world_tables(model.final())["crises"]
    steps = steps_table(rec.steps, rec.dates) if rec.steps else pd.DataFrame()
    sc = model.situation
    meta = {
        "scenario_id": sc.id,
        "scenario_title": sc.scenario.title,
        "hypothetical": sc.scenario.hypothetical,
        "n_worlds": model.n_worlds,
    }
    return RunData(None, meta, model.n_worlds, crises, steps)


def logged_worlds(model: AllianceModel) -> list[int]:
    """The worlds whose decisions are logged."""
    return [int(w) for w in model.recorder.world_ids[model.recorder.logged]]


def narrative(model: AllianceModel, world: int) -> pd.DataFrame:
    """The event log of one logged world so far: date, stage, actor, event, detail."""
    log = pd.DataFrame(model.recorder.log)
    if log.empty:
        return pd.DataFrame(columns=["date", "stage", "actor", "event", "detail"])
    mine = log[log["world"] == world]
    return mine[["date", "stage", "actor", "event", "detail"]].reset_index(drop=True)
