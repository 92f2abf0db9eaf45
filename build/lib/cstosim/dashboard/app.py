"""The dashboard page: Mesa's SolaraViz with controls generated from the declarations of the
parameters and facts, and four live views of the worlds so far.

Served by ``cstosim dashboard`` (``solara run cstosim.dashboard.app``). The controls rebuild the
model on "Reset"; "Step" and "▶" advance it a month at a time. The views: the distribution of
the alliance's response per crisis, members frozen or withdrawn over time, trust over time, and
the event narrative of one logged world. The scenario and the number of worlds the page opens
with come from ``$CSTOSIM_DASHBOARD_SCENARIO`` and ``$CSTOSIM_DASHBOARD_WORLDS``.
"""

from __future__ import annotations

import html
import inspect
import os

import mesa
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..inputs.parameters import Parameter
from ..plots.runs import RunData, defection_figure, responses_figure, trust_figure
from . import adapter
from .serve import SCENARIO_ENV, WORLDS_ENV

DEFAULT_SCENARIO, DEFAULT_WORLDS = "armenia_2022", 500
NO_FACT = "(none)"


class DashboardModel(mesa.Model):
    """What SolaraViz steps and rebuilds: the alliance model of one scenario, made through
    :mod:`.adapter` from flat keyword arguments (one per control)."""

    def __init__(
        self,
        scenario_id: str = DEFAULT_SCENARIO,
        worlds: int = DEFAULT_WORLDS,
        seed: int = 0,
        fact: str = NO_FACT,
        fact_value: float = 0.5,
        **parameters: float,
    ) -> None:
        super().__init__()
        self.facts = {} if fact == NO_FACT else {fact: float(fact_value)}
        # a slider rounds the value in force to its step: within half a step, it is unchanged
        defaults = adapter.parameter_values()
        declared = {p.name: p for p in adapter.parameter_declarations()}
        self.changed = {
            name: float(value)
            for name, value in parameters.items()
            if abs(value - defaults[name]) > slider_step(declared[name]) / 2
        }
        self.alliance = adapter.build(scenario_id, self.changed, self.facts, int(worlds), seed)
        self._snapshot: tuple[float, RunData] | None = None

    def step(self) -> None:
        """One month of every world; stops at the scenario's end."""
        adapter.advance(self.alliance)
        self.running = not adapter.finished(self.alliance)

    def data(self) -> RunData:
        """The tables of the months so far, read once per month for all the views."""
        if self._snapshot is None or self._snapshot[0] != self.alliance.time:
            self._snapshot = (self.alliance.time, adapter.run_data(self.alliance))
        return self._snapshot[1]


def slider_step(p: Parameter) -> float:
    """A parameter slider's step: 200 steps over the declared range."""
    return (p.high - p.low) / 200


def _signature() -> inspect.Signature:
    """The constructor's keywords, one per control: SolaraViz checks a control's name against
    them, so the parameters, declared elsewhere, are listed here as keywords too."""
    own = inspect.signature(DashboardModel.__init__).parameters
    fixed = [p for name, p in own.items() if name != "parameters"]
    declared = [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=value, annotation=float)
        for p, value in zip(
            adapter.parameter_declarations(), adapter.parameter_values().values(), strict=True
        )
    ]
    return inspect.Signature([*fixed, *declared])


DashboardModel.__init__.__signature__ = _signature()  # type: ignore[attr-defined]


def controls(scenario: str, worlds: int) -> dict[str, dict]:
    """The SolaraViz controls: scenario, worlds, seed, one fact to change and its value, then a
    slider for every declared parameter over its declared range, at the value in force."""
    out: dict[str, dict] = {
        "scenario_id": {
            "type": "Select",
            "value": scenario,
            "values": adapter.scenario_choices(scenario),
            "label": "scenario",
        },
        "worlds": {"type": "SliderInt", "value": worlds, "min": 10, "max": 5000, "step": 10},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1},
        "fact": {
            "type": "Select",
            "value": NO_FACT,
            "values": [NO_FACT, *adapter.fact_keys()],
            "label": "fact to change",
        },
        "fact_value": {
            "type": "SliderFloat",
            "value": 0.5,
            "min": 0.0,
            "max": 1.0,
            "step": 0.01,
            "label": "the fact's value",
        },
    }
    values = adapter.parameter_values()
    for p in adapter.parameter_declarations():
        out[p.name] = {
            "type": "SliderFloat",
            "value": values[p.name],
            "min": p.low,
            "max": p.high,
            "step": slider_step(p),
            "label": p.name,
        }
    return out


#: Each view scrolls inside its cell of the grid rather than spilling over the next one.
VIEW_STYLE = {"height": "100%", "overflow": "auto"}


def _figure(fig: Figure | None, empty: str):
    with solara.Column(style=VIEW_STYLE) as view:
        if fig is None:
            solara.Info(empty)
        else:
            solara.FigureMatplotlib(fig, format="png", dpi=80)
    return view


def Status(model: DashboardModel):  # noqa: N802 (a Solara component is named like a class)
    """Where the run is: scenario, month, worlds and what was changed."""
    a = model.alliance
    changes = [f"{k} = {v:g}" for k, v in model.changed.items()]
    for key, value in model.facts.items():
        changes.append(f"{key}: {adapter.fact_value(a.situation, key):g} → {value:g}")
    lines = [
        f"<b>{html.escape(a.situation.scenario.title)}</b>",
        f"month {adapter.month(a)} ({int(a.time)} of {a.situation.n_steps} simulated), "
        f"{a.n_worlds:,} worlds",
        "changed: "
        + (html.escape(", ".join(changes)) if changes else "nothing (the scenario as written)"),
    ]
    return solara.HTML(tag="div", unsafe_innerHTML="<br>".join(lines), classes=["run-status"])


def Responses(model: DashboardModel):  # noqa: N802
    """Where the run is, and the alliance's response per crisis so far."""
    with solara.Column(style=VIEW_STYLE) as column:
        Status(model)
        _figure(responses_figure(model.data()), "No crisis has begun yet: step on.")
    return column


def Defection(model: DashboardModel):  # noqa: N802
    """Members frozen or withdrawn, month by month."""
    return _figure(defection_figure(model.data()), "No month simulated yet: press Step.")


def Trust(model: DashboardModel):  # noqa: N802
    """Trust per member, month by month."""
    return _figure(trust_figure(model.data()), "No month simulated yet: press Step.")


@solara.component
def Narrative(model: DashboardModel):  # noqa: N802
    """The decisions of one logged world, as they happened."""
    update_counter.get()  # re-drawn at every step, like the other views
    worlds = adapter.logged_worlds(model.alliance)
    world, set_world = solara.use_state(worlds[0] if worlds else 0)
    with solara.Column(style=VIEW_STYLE) as column:
        if worlds:
            solara.Select("world", value=world, values=worlds, on_value=set_world)
        log = adapter.narrative(model.alliance, world)
        if log.empty:
            solara.Info("Nothing has happened in this world yet.")
        else:
            solara.HTML(tag="div", unsafe_innerHTML=log.to_html(index=False, border=0))
    return column


def NarrativeView(model: DashboardModel):  # noqa: N802
    """:func:`Narrative`, re-rendered at every step."""
    return Narrative(model)


@solara.component
def Page():  # noqa: N802
    """The dashboard, with a model of its own for each browser session."""
    scenario = os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO
    worlds = int(os.environ.get(WORLDS_ENV) or DEFAULT_WORLDS)
    model = solara.use_memo(lambda: DashboardModel(scenario, worlds), [])
    params = solara.use_memo(lambda: controls(scenario, worlds), [])
    return SolaraViz(
        model,
        components=[(Responses, 0), (Defection, 0), (Trust, 0), (NarrativeView, 0)],
        model_params=params,
        name="cstosim: the CSTO in many worlds",
        play_interval=50,
    )
