"""Global behavioural parameters: each declared once, valued by one named parameter set.

A declaration (:class:`Parameter`) holds what a parameter *is*: its prior range, unit, stage,
meaning and source. What it is *worth* comes from a versioned parameter-set file in
``parameter_sets/`` (``calibrated-2026-11.json``, ``hand-2026-11.json``), chosen by name; the set
in force by default is named in ``parameter_sets/DEFAULT``. Nothing else holds a value, so editing
a set file is the only way to change a default, and every result's ``meta.json`` names the set and
its hash. One set serves every scenario; a scenario may change facts, never these. A run may give
any parameter a per-world array, so one model instance can evaluate many points of a sweep.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import UserError


@dataclass(frozen=True)
class Parameter:
    """One global parameter: its prior range, unit, stage, meaning and source."""

    name: str
    low: float
    high: float
    unit: str
    stage: str
    meaning: str
    source: str

    def check(self, value: float | np.ndarray, origin: str = "parameter") -> None:
        """Raise :class:`UserError` naming the bound if ``value`` leaves [low, high]."""
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or arr.min() < self.low or arr.max() > self.high:
            raise UserError(
                f"{origin} '{self.name}' = {value!r} is outside [{self.low}, {self.high}]"
                f" ({self.unit}); choose a value in that range"
            )

    def at_bound(self, value: float) -> bool:
        """Whether ``value`` sits on either end of the prior range."""
        return bool(np.isclose(value, self.low) or np.isclose(value, self.high))


_DECLARED: tuple[Parameter, ...] = (
    Parameter(
        "temperature",
        0.02,
        3,
        "utility units",
        "all",
        "logit temperature shared by every stochastic choice; higher means noisier decisions",
        "quantal-response convention (McKelvey & Palfrey 1995); scale set by calibration",
    ),
    Parameter(
        "threat_decay",
        0,
        1,
        "1/month",
        "perceive",
        "share of the excess over baseline threat that fades each month after an event ends",
        "modelling choice; crises in episodes.csv fade within months (E14, E20)",
    ),
    Parameter(
        "war_burden",
        0,
        1,
        "share/severity",
        "perceive",
        "share of Russia's bandwidth a war it wages absorbs, per unit of the war's severity",
        "E18, E19, S004: the war in Ukraine pulled forces and attention away",
    ),
    Parameter(
        "bandwidth_recovery",
        0,
        0.5,
        "1/month",
        "perceive",
        "monthly rate at which Russia's available capacity returns toward its ceiling",
        "modelling choice; Russia's bandwidth is finite and drained from Feb 2022 (E18, S004)",
    ),
    Parameter(
        "need_weight",
        0,
        10,
        "utility/unit gap",
        "invoke",
        "pull toward asking for assistance per unit of capacity gap, scaled by trust",
        "docs/model.md, step 2: severity and own capacity gap (E08, E17)",
    ),
    Parameter(
        "request_cost",
        0,
        5,
        "utility",
        "invoke",
        "fixed political cost of a formal request for assistance",
        "modelling choice; requests are rare in episodes.csv (4 in 30 years)",
    ),
    Parameter(
        "sovereignty_weight",
        0,
        5,
        "utility",
        "invoke",
        "cost of inviting foreign troops, per unit of sovereignty sensitivity",
        "docs/facts.md: sovereignty_sensitivity (M09, M13)",
    ),
    Parameter(
        "consult_weight",
        0,
        10,
        "utility/severity",
        "invoke",
        "pull toward Art. 2 consultations per unit of severity",
        "CST Art. 2 (joint consultations when security is threatened)",
    ),
    Parameter(
        "consult_cost",
        0,
        5,
        "utility",
        "invoke",
        "fixed cost of calling consultations",
        "modelling choice",
    ),
    Parameter(
        "internal_scope",
        0,
        1,
        "share",
        "invoke",
        "how far a request over internal unrest not framed as foreign-backed is inside the treaty",
        "CSTO Charter non-interference; E08 refusal ('internal conflict')",
    ),
    Parameter(
        "ask_deploy_gap",
        0,
        1,
        "gap",
        "invoke",
        "capacity gap from which a requester asks for troops rather than material aid",
        "E08, E17, E19 (troops asked) against E15 (border strengthening asked)",
    ),
    Parameter(
        "russia_interest",
        0,
        10,
        "utility",
        "deliberate",
        "Russia's interest in an ally's stability, per unit of the ally's alignment and severity",
        "E17: Russia's interest in an aligned regime's survival",
    ),
    Parameter(
        "russia_reputation",
        0,
        5,
        "utility",
        "deliberate",
        "Russia's stake in the alliance's reputation (mean trust of active members)",
        "docs/model.md, step 3: the alliance's reputation (S003)",
    ),
    Parameter(
        "russia_ties",
        0,
        10,
        "utility",
        "deliberate",
        "cost to Russia of acting against an aggressor it has ties to, per unit of affinity",
        "E12, E19, S003: Russia keeps working ties with Azerbaijan",
    ),
    Parameter(
        "bandwidth_weight",
        0,
        10,
        "utility",
        "deliberate",
        "how far lost bandwidth lowers Russia's willingness to act, per unit of capacity lost",
        "E18, E19, S004: the war in Ukraine pulled forces away from 2022",
    ),
    Parameter(
        "legal_weight",
        0,
        10,
        "utility",
        "deliberate",
        "every member's reluctance to act outside the treaty's scope, per unit of missing scope",
        "CST Art. 4 as read by Moscow; Charter non-interference (E08, E12)",
    ),
    Parameter(
        "affinity_weight",
        0,
        10,
        "utility",
        "deliberate",
        "weight of affinity with the requester minus affinity with the aggressor",
        "E19, S003: cross-cutting affinities (Lukashenko on Aliyev)",
    ),
    Parameter(
        "precedent_weight",
        0,
        10,
        "utility",
        "deliberate",
        "fear of the precedent of intervening in internal unrest, per unit of sovereignty",
        "E08 (Uzbekistan's opposition); M13 (Uzbekistan against internal-conflict use)",
    ),
    Parameter(
        "stance_base",
        -5,
        5,
        "utility",
        "deliberate",
        "baseline willingness of a non-Russian member to back an ally's request",
        "modelling choice",
    ),
    Parameter(
        "block_cut",
        -10,
        0,
        "utility",
        "deliberate",
        "willingness below which a member blocks collective action",
        "ordered-logit cut point; consensus rule of the Collective Security Council",
    ),
    Parameter(
        "deploy_cut",
        0,
        10,
        "utility",
        "deliberate",
        "willingness above which a member backs a deployment (below it: non-military support)",
        "ordered-logit cut point",
    ),
    Parameter(
        "learn_own",
        0,
        1,
        "share",
        "learn",
        "how far a requester's trust moves toward the satisfaction of its own request",
        "docs/model.md, step 5 (E19, M21)",
    ),
    Parameter(
        "learn_spill",
        0,
        1,
        "share",
        "learn",
        "how far other members' trust moves toward a requester's satisfaction (reputation)",
        "docs/model.md, step 5: weaker reputation spill-over",
    ),
    Parameter(
        "learn_need",
        0,
        1,
        "share/severity",
        "learn",
        "how far an attacked member that did not ask moves toward the help it saw, per severity",
        "E12 and E19 grievances cited by Armenia (M21: 'not implemented ... 2021-2022')",
    ),
    Parameter(
        "value_protection",
        0,
        10,
        "utility",
        "membership",
        "value of staying per unit of trust times threat (expected protection)",
        "docs/model.md, step 6",
    ),
    Parameter(
        "value_dependency",
        0,
        10,
        "utility",
        "membership",
        "value of staying per unit of dependency on Russia",
        "docs/facts.md: dependency (indicators in data/sources/indicators.csv; S001)",
    ),
    Parameter(
        "value_alignment",
        0,
        10,
        "utility",
        "membership",
        "value of staying per unit of political alignment with Moscow",
        "docs/facts.md: alignment",
    ),
    Parameter(
        "cost_sovereignty",
        0,
        10,
        "utility",
        "membership",
        "cost of staying per unit of sovereignty sensitivity times alliance integration",
        "M13 (Uzbekistan against deeper integration)",
    ),
    Parameter(
        "cost_entrapment",
        0,
        10,
        "utility",
        "membership",
        "cost of staying per unit of pressure to back Russia's wars",
        "E18: entrapment in Russia's demands",
    ),
    Parameter(
        "cost_outside",
        0,
        10,
        "utility",
        "membership",
        "cost of staying per unit of outside option",
        "S002, S004: outside options (indicators.csv */external_ties)",
    ),
    Parameter(
        "cost_hostility",
        0,
        10,
        "utility",
        "membership",
        "cost of sharing the alliance with a hostile member",
        "M07 (Azerbaijan objected to arms for Armenia), M08 (Georgia and Abkhazia)",
    ),
    Parameter(
        "disaffection_memory",
        0.001,
        1,
        "1/month",
        "membership",
        "monthly rate at which disaffection moves toward the current net cost of staying",
        "modelling choice; exits in membership_events.csv lag their grievances by 1-2 years",
    ),
    Parameter(
        "freeze_threshold",
        -5,
        5,
        "utility",
        "membership",
        "disaffection above which an active member freezes (or lapses at a renewal)",
        "modelling choice; status hysteresis (docs/model.md, step 6)",
    ),
    Parameter(
        "withdraw_gap",
        0,
        10,
        "utility",
        "membership",
        "how far disaffection, net of dependency, must pass the freeze threshold to withdraw",
        "modelling choice; Armenia frozen but not withdrawn (M21-M29)",
    ),
    Parameter(
        "thaw_gap",
        0,
        5,
        "utility",
        "membership",
        "how far below the freeze threshold disaffection must fall to resume participation",
        "modelling choice; hysteresis (a gap of 0 lets members flip every month)",
    ),
    Parameter(
        "rejoin_gap",
        0,
        5,
        "utility",
        "membership",
        "how far below the freeze threshold disaffection must fall for a withdrawn state to rejoin",
        "M11 (Uzbekistan rejoined 2006)",
    ),
    Parameter(
        "status_hazard",
        0,
        1,
        "1/month",
        "membership",
        "largest monthly probability of a status change when its margin is strongly met",
        "modelling choice; status moves take months (M17-M21)",
    ),
    Parameter(
        "support_weight",
        0,
        20,
        "utility",
        "membership",
        "pull toward backing Russia's call per unit of alignment minus outside option",
        "E18 (only Belarus, with no outside option, backed Russia)",
    ),
    Parameter(
        "support_threshold",
        -10,
        10,
        "utility",
        "membership",
        "weighted alignment minus outside option above which a member backs Russia's call",
        "E18 (only Belarus backed Russia)",
    ),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARED}

ParamValues = Mapping[str, float | np.ndarray]


def unknown_parameter(name: str) -> UserError:
    """The one-line error for a name that is not a declared parameter."""
    return UserError(f"unknown parameter '{name}'; see 'cstosim params' for the list")


@dataclass(frozen=True)
class ParameterSet:
    """A named, versioned set of values for every declared parameter."""

    name: str
    values: Mapping[str, float]
    sha256: str
    description: str = ""
    provenance: Mapping[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``name (sha …)``: how results name the set they were made with."""
        return f"{self.name} (sha {self.sha256[:12]})"

    def record(self) -> dict[str, str]:
        """The set's identity for ``meta.json``."""
        return {"name": self.name, "sha256": self.sha256}


def sets_dir() -> Path:
    """The folder of the shipped parameter-set files."""
    return Path(__file__).resolve().parent / "parameter_sets"


def default_set_name() -> str:
    """The name of the parameter set in force when none is named (``parameter_sets/DEFAULT``)."""
    return (sets_dir() / "DEFAULT").read_text(encoding="utf-8").strip()


def available_sets() -> list[str]:
    """Names of the parameter sets shipped with the package."""
    return sorted(p.stem for p in sets_dir().glob("*.json"))


def parse_set(raw: bytes, origin: str) -> ParameterSet:
    """A parameter set from the bytes of its file; problems raise a one-line :class:`UserError`."""
    try:
        data = json.loads(raw)
        name, values = data["name"], data["values"]
    except (ValueError, KeyError, TypeError):
        raise UserError(
            f"{origin}: not a parameter-set file; it needs 'name' and 'values' (JSON)"
        ) from None
    unknown = sorted(set(values) - set(PARAMETERS))
    if unknown:
        raise UserError(f"{origin}: values.{unknown[0]}: not a declared parameter; remove it")
    missing = [n for n in PARAMETERS if n not in values]
    if missing:
        raise UserError(f"{origin}: values.{missing[0]}: missing; give every declared parameter")
    for n, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise UserError(f"{origin}: values.{n}: {v!r} is not a number")
        PARAMETERS[n].check(v, origin=f"{origin}: values")
    return ParameterSet(
        name=str(name),
        values={n: float(values[n]) for n in PARAMETERS},
        sha256=hashlib.sha256(raw).hexdigest(),
        description=str(data.get("description", "")),
        provenance=data.get("provenance", {}),
    )


@lru_cache(maxsize=16)
def load_set(name: str | None = None) -> ParameterSet:
    """A shipped set by name, or a set file by path; ``None`` gives the default set."""
    name = name or default_set_name()
    path = Path(name)
    if path.suffix != ".json":
        path = sets_dir() / f"{name}.json"
        if not path.is_file():
            raise UserError(
                f"parameter set '{name}': unknown; use one of {', '.join(available_sets())} "
                "or a path to a .json set file"
            )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the parameter set ({exc.strerror})") from None
    return parse_set(raw, str(path))


class Params(Mapping[str, np.ndarray]):
    """Every parameter as an array over worlds, read by attribute: ``p.temperature``."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["_arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)


def check_values(values: ParamValues | None) -> None:
    """Raise :class:`UserError` for an unknown parameter or a value outside its declared range."""
    for name, value in (values or {}).items():
        if name not in PARAMETERS:
            raise unknown_parameter(name)
        PARAMETERS[name].check(value)


def resolve(
    overrides: ParamValues | None = None,
    n_worlds: int = 1,
    parameter_set: ParameterSet | None = None,
) -> Params:
    """Every parameter as an array ``(n_worlds,)``: the set's values updated by ``overrides``."""
    check_values(overrides)
    values: dict[str, float | np.ndarray] = dict((parameter_set or load_set()).values)
    values.update(overrides or {})
    out = {}
    for name, value in values.items():
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            arr = np.full(n_worlds, float(arr))
        elif arr.shape != (n_worlds,):
            raise UserError(
                f"parameter '{name}' has shape {arr.shape}; give a scalar or {n_worlds} values"
            )
        out[name] = arr
    return Params(out)


def defaults() -> dict[str, float]:
    """The values of the parameter set in force."""
    return dict(load_set().values)


def parameters_table(parameter_set: ParameterSet | None = None) -> str:
    """Every declaration, with the value of ``parameter_set`` (default: the set in force), as a
    Markdown table: the one generated in ``docs/parameters.md``."""
    pset = parameter_set or load_set()
    lines = [
        f"Values from the parameter set `{pset.name}`; ◆ marks a value on a bound of its range.",
        "",
        "| parameter | value | range | unit | stage | meaning | source |",
        "|---|---:|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        value = pset.values[p.name]
        mark = " ◆" if p.at_bound(value) else ""
        lines.append(
            f"| `{p.name}` | {value:.4g}{mark} | [{p.low}, {p.high}] | {p.unit} | {p.stage} | "
            f"{p.meaning} | {p.source} |"
        )
    return "\n".join(lines)
