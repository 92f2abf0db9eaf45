"""Global behavioural parameters: each declared once, valued by one named parameter set.

A declaration (:class:`Parameter`) holds what a parameter *is*: its prior range, unit, stage,
meaning and source. What it is *worth* comes from a versioned parameter-set file in
``parameter_sets/`` (e.g. ``hand-model2.1.json``), chosen by name; the set
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
from .schema import read_limited


@dataclass(frozen=True)
class Parameter:
    """One global parameter: its prior range, unit, stage, meaning and source.

    ``fit_low``, where given, is where a fit's search starts instead of ``low``: the record names
    the term as a cause, so a fit may not switch it off. A user and the paired runs of
    ``cstosim drivers`` may still set any value in ``[low, high]``, 0 included.
    """

    name: str
    low: float
    high: float
    unit: str
    stage: str
    meaning: str
    source: str
    fit_low: float | None = None

    @property
    def search(self) -> tuple[float, float]:
        """The range a fit searches."""
        return (self.low if self.fit_low is None else self.fit_low), self.high

    def check(self, value: float | np.ndarray, origin: str = "parameter") -> None:
        """Raise :class:`UserError` naming the bound if ``value`` leaves [low, high]."""
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or arr.min() < self.low or arr.max() > self.high:
            raise UserError(
                f"{origin} '{self.name}' = {value!r} is outside [{self.low}, {self.high}]"
                f" ({self.unit}); choose a value in that range"
            )

    def at_bound(self, value: float) -> bool:
        """Whether ``value`` sits on either end of the prior range or of the fit's search."""
        return bool(any(np.isclose(value, end) for end in (self.low, *self.search)))


_DECLARED: tuple[Parameter, ...] = (
    Parameter(
        "need_weight",
        0,
        20,
        "utility",
        "appeal",
        "pull toward an appeal per unit of capacity gap times the help expected from the provider "
        "asked",
        "docs/model.md, step 2: a state asks when the crisis exceeds what it can meet alone (E08, "
        "E17, E19)",
    ),
    Parameter(
        "ask_cost",
        0,
        8,
        "utility",
        "appeal",
        "political cost of taking a crisis to an outside provider at all",
        "most crises drew no request (E05, E12, E14, E18, E20 against E08, E15, E17, E19)",
    ),
    Parameter(
        "sovereignty_weight",
        0,
        10,
        "utility",
        "appeal, membership",
        "cost of foreign forces or mandates per unit of sovereignty sensitivity (times the need, "
        "or the integration)",
        "M09, M13: Uzbekistan's stated rejection of Russian forces and of deeper integration",
    ),
    Parameter(
        "consult_weight",
        0,
        10,
        "utility/severity",
        "appeal",
        "pull toward Art. 2 consultations per unit of severity, where they are admissible",
        "CST Art. 2 (M01): joint consultations when a member's security is threatened",
    ),
    Parameter(
        "treaty_weight",
        -5,
        5,
        "utility/severity",
        "appeal",
        "net value of an Art. 4 request beyond the help it brings, where the treaty's scope holds, "
        "per unit of severity: the obligation it puts on every member, as far as the attack's "
        "gravity carries the charge of aggression",
        "E17, E19: Art. 4 invoked where it applied, and only for grave attacks (CST Art. 4, M01)",
    ),
    Parameter(
        "troops_gap",
        0.05,
        0.8,
        "share of a crisis",
        "appeal",
        "capacity gap above which a state asks for troops rather than material help",
        "E08, E17, E19 asked for troops; E15 asked for border support",
    ),
    Parameter(
        "regime_motive",
        0,
        12,
        "utility",
        "Russia",
        "Russia's stake in an aligned government's survival, per unit of alignment times severity",
        "E17: Russia carried the first collective deployment to save Tokayev's government",
    ),
    Parameter(
        "territory_motive",
        0,
        12,
        "utility/severity",
        "Russia",
        "Russia's stake in defending an ally's recognised territory, per unit of severity",
        "E19: Art. 4 invoked for Armenia proper; E12: Moscow's reading excludes Karabakh",
    ),
    Parameter(
        "reputation_motive",
        0,
        6,
        "utility/severity",
        "Russia",
        "Russia's stake in the alliance's credibility when a party is hit, per unit of severity",
        "E14, E20: the alliance spoke when members clashed; S003 on the CSTO's credibility",
    ),
    Parameter(
        "ties_weight",
        0,
        10,
        "utility",
        "Russia, Council",
        "cost of acting against an aggressor Russia has working ties with, per unit of affinity",
        "E12, E19, S003: Russia's ties with Azerbaijan",
    ),
    Parameter(
        "bandwidth_weight",
        0,
        10,
        "utility",
        "Russia",
        "how far lost bandwidth lowers Russia's willingness to act, per unit of capacity lost",
        "E18, E19, S004: the war in Ukraine pulled forces away from 2022",
    ),
    Parameter(
        "arms_cut",
        0,
        6,
        "utility",
        "Russia, Council",
        "willingness Russia needs to send arms or material (bilaterally) or back a mission (in the"
        " Council)",
        "E08 (humanitarian supplies), E15 (arms deliveries), E19 (a mission)",
    ),
    Parameter(
        "troops_margin",
        0,
        6,
        "utility",
        "Russia, Council",
        "further willingness Russia needs to send troops or back a deployment",
        "E17: the one collective deployment; E08: troops refused",
    ),
    Parameter(
        "affinity_weight",
        0,
        10,
        "utility/affinity",
        "Council",
        "members' solidarity with the target against the aggressor, per unit of affinity; also how"
        " much the Council speaks unasked",
        "E19, S003: Central Asian members lean toward Azerbaijan; Lukashenko on Aliyev",
    ),
    Parameter(
        "precedent_weight",
        0,
        12,
        "utility",
        "Council",
        "a member's fear of the precedent of intervening in unrest not framed as foreign-backed, "
        "per unit of its sovereignty sensitivity",
        "E08: refused as 'internal'; M13: Uzbekistan opposed collective forces in internal "
        "conflicts",
    ),
    Parameter(
        "block_cut",
        0,
        8,
        "utility",
        "Council",
        "how far below indifference a member must be before it blocks under consensus",
        "E08: Belarus delayed the assistance plan; blocks are rare (M20, M22: Armenia abstained "
        "rather than block)",
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
        "grievance_fade",
        0.005,
        0.2,
        "1/month",
        "membership",
        "share of a grievance that fades each month",
        "M17-M21: Armenia's steps came 4 to 17 months after the unmet request of E19",
    ),
    Parameter(
        "grievance_weight",
        0,
        20,
        "utility",
        "membership",
        "pressure to leave per unit of grievance (unmet requests, blocks, resented integration, "
        "entrapment) and of outside pull: a grievance weighs as far as there is somewhere to turn",
        "M21: 'treaty not implemented with regard to Armenia'; M13. The documented freezes and "
        "suspensions state a grievance as their reason, so a fit searches from 2, where a grave "
        "unmet request (0.8) with a Western patron at hand (outside pull about 0.7) weighs about "
        "one unit of a state's resolve",
        fit_low=2,
    ),
    Parameter(
        "protection_weight",
        0,
        20,
        "utility",
        "membership",
        "value of the protection a member expects: trust times threat times Russia's free "
        "bandwidth",
        "docs/model.md, step 6; S004: Russia's bandwidth after 2022",
    ),
    Parameter(
        "dependency_weight",
        0,
        20,
        "utility",
        "membership, support",
        "value of staying, and of backing Russia, per unit of dependency on Russia",
        "indicators.csv (remittances, trade, arms); M15: Kyrgyzstan's membership 'inviolable'",
    ),
    Parameter(
        "outside_weight",
        0,
        20,
        "utility",
        "membership, support",
        "pull of outside patrons, each weighted by its rivalry with Russia",
        "M07-M09: Western and GUAM orientation at the 1999 exits; the Armenian turn to the EU and "
        "US",
    ),
    Parameter(
        "freeze_threshold",
        -10,
        30,
        "utility",
        "membership",
        "pressure to leave at which a member freezes its participation, or lets the treaty lapse "
        "at a renewal",
        "M21, M22 (freeze); M07-M09 (lapse at the 1999 window)",
    ),
    Parameter(
        "withdraw_margin",
        0,
        15,
        "utility",
        "membership",
        "further pressure at which a frozen member gives notice; as far below the threshold it "
        "thaws",
        "M29: Armenia frozen for two years, no notice, no thaw",
    ),
    Parameter(
        "support_cost",
        0,
        20,
        "utility/severity",
        "support",
        "cost of backing Russia's call for political support, per unit of severity of the demand",
        "E18: only Belarus backed Russia; Kazakhstan refused recognition and sanctions help",
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
    raw = read_limited(path, "parameter set", "check the path or name a shipped set")
    try:
        return parse_set(raw, str(path))
    except RecursionError:
        raise UserError(f"{path}: nested too deep to be a parameter set; check the file") from None


class Params(Mapping[str, np.ndarray]):
    """Every parameter as an array over worlds, read by attribute: ``p.need_weight``."""

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
        f"Values from the parameter set `{pset.name}`; ◆ marks a value on a bound of its range or"
        " of a fit's search (given after the range where it differs).",
        "",
        "| parameter | value | range | unit | stage | meaning | source |",
        "|---|---:|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        value = pset.values[p.name]
        mark = " ◆" if p.at_bound(value) else ""
        span = f"[{p.low}, {p.high}]" + ("" if p.fit_low is None else f", fit from {p.fit_low}")
        lines.append(
            f"| `{p.name}` | {value:.4g}{mark} | {span} | {p.unit} | {p.stage} | "
            f"{p.meaning} | {p.source} |"
        )
    return "\n".join(lines)
