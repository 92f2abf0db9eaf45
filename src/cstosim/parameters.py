"""Global behavioural parameters, each declared once.

The CLI, scenario validation, sweeps and the docs all read :data:`PARAMETERS`. One parameter set
serves every scenario; a scenario may change facts, never these. A run may give any parameter a
per-world array, so one model instance can evaluate many points of a sweep.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class Parameter:
    """One global parameter: its default, admissible range, unit, meaning and source."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    stage: str

    def check(self, value: float | np.ndarray, origin: str = "parameter") -> None:
        """Raise ValueError naming the bound if ``value`` leaves [low, high]."""
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or arr.min() < self.low or arr.max() > self.high:
            raise ValueError(
                f"{origin} '{self.name}' = {value!r} is outside [{self.low}, {self.high}]"
                f" ({self.unit}); choose a value in that range"
            )


def _p(name, default, low, high, unit, stage, meaning, source) -> Parameter:
    return Parameter(name, default, low, high, unit, meaning, source, stage)


_DECLARED: tuple[Parameter, ...] = (
    # --- choice noise -------------------------------------------------------------------------
    _p(
        "temperature",
        0.35,
        0.02,
        3.0,
        "utility units",
        "all",
        "logit temperature shared by every stochastic choice; higher means noisier decisions",
        "quantal-response convention (McKelvey & Palfrey 1995); scale set by calibration",
    ),
    # --- perceive -------------------------------------------------------------------------------
    _p(
        "threat_decay",
        0.25,
        0.0,
        1.0,
        "1/month",
        "perceive",
        "share of the excess over baseline threat that fades each month after an event ends",
        "modelling choice; crises in episodes.csv fade within months (E14, E20)",
    ),
    _p(
        "war_burden",
        0.5,
        0.0,
        1.0,
        "share/severity",
        "perceive",
        "share of Russia's bandwidth a war it wages absorbs, per unit of the war's severity",
        "brief §2: the war in Ukraine pulled forces and attention away (E18, E19)",
    ),
    _p(
        "bandwidth_recovery",
        0.03,
        0.0,
        0.5,
        "1/month",
        "perceive",
        "monthly rate at which Russia's available capacity returns toward its ceiling",
        "modelling choice; the brief's finite Russian bandwidth (from Feb 2022)",
    ),
    # --- invoke ---------------------------------------------------------------------------------
    _p(
        "need_weight",
        4.0,
        0.0,
        10.0,
        "utility/unit gap",
        "invoke",
        "pull toward asking for assistance per unit of capacity gap, scaled by trust",
        "brief §3 step 2: severity and own capacity gap",
    ),
    _p(
        "request_cost",
        0.6,
        0.0,
        5.0,
        "utility",
        "invoke",
        "fixed political cost of a formal request for assistance",
        "modelling choice; requests are rare in episodes.csv (4 in 30 years)",
    ),
    _p(
        "sovereignty_weight",
        1.0,
        0.0,
        5.0,
        "utility",
        "invoke",
        "cost of inviting foreign troops, per unit of sovereignty sensitivity",
        "brief §3 state table: sovereignty_sensitivity",
    ),
    _p(
        "consult_weight",
        1.2,
        0.0,
        10.0,
        "utility/severity",
        "invoke",
        "pull toward Art. 2 consultations per unit of severity",
        "CST Art. 2 (joint consultations when security is threatened)",
    ),
    _p(
        "consult_cost",
        0.5,
        0.0,
        5.0,
        "utility",
        "invoke",
        "fixed cost of calling consultations",
        "modelling choice",
    ),
    _p(
        "internal_scope",
        0.4,
        0.0,
        1.0,
        "share",
        "invoke",
        "how far a request over internal unrest not framed as foreign-backed is inside the treaty",
        "CSTO Charter non-interference; E08 refusal ('internal conflict')",
    ),
    _p(
        "ask_deploy_gap",
        0.35,
        0.0,
        1.0,
        "gap",
        "invoke",
        "capacity gap from which a requester asks for troops rather than material aid",
        "E08, E17, E19 (troops asked) against E15 (border strengthening asked)",
    ),
    # --- deliberate -----------------------------------------------------------------------------
    _p(
        "russia_interest",
        3.0,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "Russia's interest in an ally's stability, per unit of the ally's alignment and severity",
        "brief §3: Russia's interest in regime stability among its allies (E17)",
    ),
    _p(
        "russia_reputation",
        1.0,
        0.0,
        5.0,
        "utility",
        "deliberate",
        "Russia's stake in the alliance's reputation (mean trust of active members)",
        "brief §3: the alliance's reputation",
    ),
    _p(
        "russia_ties",
        2.5,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "cost to Russia of acting against an aggressor it has ties to, per unit of affinity",
        "brief §2: Russia keeps working ties with Azerbaijan and Turkey (E12, E19)",
    ),
    _p(
        "russia_bandwidth",
        3.0,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "cost to Russia of acting per unit of drained capacity",
        "brief §2: the war in Ukraine pulled forces away from 2022 (E18, E19)",
    ),
    _p(
        "legal_weight",
        2.0,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "every member's reluctance to act outside the treaty's scope, per unit of missing scope",
        "CST Art. 4 as read by Moscow; Charter non-interference (E08, E12)",
    ),
    _p(
        "affinity_weight",
        1.5,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "weight of affinity with the requester minus affinity with the aggressor",
        "brief §2 cross-cutting affinities (E19: Lukashenko on Aliyev)",
    ),
    _p(
        "precedent_weight",
        1.5,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "fear of the precedent of intervening in internal unrest, per unit of sovereignty",
        "E08 (Uzbekistan's opposition); M13 (Uzbekistan against internal-conflict use)",
    ),
    _p(
        "stance_base",
        0.5,
        -5.0,
        5.0,
        "utility",
        "deliberate",
        "baseline willingness of a non-Russian member to back an ally's request",
        "modelling choice",
    ),
    _p(
        "block_cut",
        -1.5,
        -10.0,
        0.0,
        "utility",
        "deliberate",
        "willingness below which a member blocks collective action",
        "ordered-logit cut point; consensus rule of the Collective Security Council",
    ),
    _p(
        "deploy_cut",
        1.0,
        0.0,
        10.0,
        "utility",
        "deliberate",
        "willingness above which a member backs a deployment (below it: non-military support)",
        "ordered-logit cut point",
    ),
    # --- learn ----------------------------------------------------------------------------------
    _p(
        "learn_own",
        0.5,
        0.0,
        1.0,
        "share",
        "learn",
        "how far a requester's trust moves toward the satisfaction of its own request",
        "brief §3 step 5",
    ),
    _p(
        "learn_spill",
        0.1,
        0.0,
        1.0,
        "share",
        "learn",
        "how far other members' trust moves toward a requester's satisfaction (reputation)",
        "brief §3 step 5: weaker reputation spillover",
    ),
    _p(
        "learn_need",
        0.3,
        0.0,
        1.0,
        "share/severity",
        "learn",
        "how far an attacked member that did not ask moves toward the help it saw, per severity",
        "E12 and E19 grievances cited by Armenia (M21: 'not implemented ... 2021-2022')",
    ),
    # --- membership -----------------------------------------------------------------------------
    _p(
        "value_protection",
        2.0,
        0.0,
        10.0,
        "utility",
        "membership",
        "value of staying per unit of trust times threat (expected protection)",
        "brief §3 step 6",
    ),
    _p(
        "value_dependency",
        1.5,
        0.0,
        10.0,
        "utility",
        "membership",
        "value of staying per unit of dependency on Russia",
        "brief §2 dependency on Russia",
    ),
    _p(
        "value_alignment",
        1.5,
        0.0,
        10.0,
        "utility",
        "membership",
        "value of staying per unit of political alignment with Moscow",
        "brief §3 state table: alignment",
    ),
    _p(
        "cost_sovereignty",
        1.5,
        0.0,
        10.0,
        "utility",
        "membership",
        "cost of staying per unit of sovereignty sensitivity times alliance integration",
        "M13 (Uzbekistan against deeper integration)",
    ),
    _p(
        "cost_entrapment",
        1.0,
        0.0,
        10.0,
        "utility",
        "membership",
        "cost of staying per unit of pressure to back Russia's wars",
        "brief §3 step 6: entrapment pressure (E18)",
    ),
    _p(
        "cost_outside",
        2.0,
        0.0,
        10.0,
        "utility",
        "membership",
        "cost of staying per unit of outside option",
        "brief §2 outside options",
    ),
    _p(
        "cost_hostility",
        1.5,
        0.0,
        10.0,
        "utility",
        "membership",
        "cost of sharing the alliance with a hostile member",
        "M07 (Azerbaijan objected to arms for Armenia), M08 (Georgia and Abkhazia)",
    ),
    _p(
        "disaffection_memory",
        0.08,
        0.001,
        1.0,
        "1/month",
        "membership",
        "monthly rate at which disaffection moves toward the current net cost of staying",
        "modelling choice; exits in membership_events.csv lag their grievances by 1-2 years",
    ),
    _p(
        "freeze_threshold",
        0.6,
        -5.0,
        5.0,
        "utility",
        "membership",
        "disaffection above which an active member freezes (or lapses at a renewal)",
        "modelling choice; status hysteresis of the brief",
    ),
    _p(
        "withdraw_gap",
        1.0,
        0.0,
        10.0,
        "utility",
        "membership",
        "how far disaffection, net of dependency, must pass the freeze threshold to withdraw",
        "modelling choice; Armenia frozen but not withdrawn (M21-M29)",
    ),
    _p(
        "thaw_gap",
        0.6,
        0.0,
        5.0,
        "utility",
        "membership",
        "how far below the freeze threshold disaffection must fall to resume participation",
        "modelling choice; hysteresis (a gap of 0 lets members flip every month)",
    ),
    _p(
        "rejoin_gap",
        1.0,
        0.0,
        5.0,
        "utility",
        "membership",
        "how far below the freeze threshold disaffection must fall for a withdrawn state to rejoin",
        "M11 (Uzbekistan rejoined 2006)",
    ),
    _p(
        "status_hazard",
        0.15,
        0.0,
        1.0,
        "1/month",
        "membership",
        "largest monthly probability of a status change when its margin is strongly met",
        "modelling choice; status moves take months (M17-M21)",
    ),
    _p(
        "support_weight",
        4.0,
        0.0,
        20.0,
        "utility",
        "membership",
        "pull toward backing Russia's call per unit of alignment minus outside option",
        "E18 (only Belarus, with no outside option, backed Russia)",
    ),
    _p(
        "support_threshold",
        2.0,
        -10.0,
        10.0,
        "utility",
        "membership",
        "weighted alignment minus outside option above which a member backs Russia's call",
        "E18 (only Belarus backed Russia)",
    ),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARED}

ParamValues = Mapping[str, float | np.ndarray]


def declared() -> dict[str, float]:
    """The declared defaults, before any calibration."""
    return {name: p.default for name, p in PARAMETERS.items()}


def defaults() -> dict[str, float]:
    """The shipped global parameter set: the calibrated file if present, else declared defaults."""
    values = declared()
    calibrated = resources.files("cstosim.data").joinpath("calibrated.json")
    if calibrated.is_file():
        fitted = json.loads(calibrated.read_text())["parameters"]
        values.update({k: float(v) for k, v in fitted.items() if k in PARAMETERS})
    return values


def resolve(overrides: ParamValues | None = None, n_worlds: int = 1) -> dict[str, np.ndarray]:
    """Full parameter set as arrays of shape ``(n_worlds,)``: defaults updated by ``overrides``."""
    values: dict[str, float | np.ndarray] = dict(defaults())
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise KeyError(f"unknown parameter '{name}'; known: {', '.join(sorted(PARAMETERS))}")
        PARAMETERS[name].check(value)
        values[name] = value
    out = {}
    for name, value in values.items():
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(n_worlds, float(arr))
        elif arr.shape != (n_worlds,):
            raise ValueError(
                f"parameter '{name}' has shape {arr.shape}; give a scalar or {n_worlds} values"
            )
        out[name] = arr
    return out
