"""Facts about the states: starting values derived from the indicator tables, with provenance.

Facts differ from parameters: a scenario may override a fact for its moment (with a source), but
never a parameter. All member facts lie in [0, 1]; affinities lie in [-1, 1].

Where the numbers come from (details, sources and the resulting table: ``docs/facts.md``):

- ``data/indicators.csv``: the rows of the shared indicator table that feed a number, copied
  unchanged, plus ``value_used`` (the one number read from the ``value`` text) and ``reading``
  (how it was read).
- ``data/codings.csv``: codings the indicator table lacks (bases, EAEU, ties, exits, threats),
  one row per (member, coding) with a basis and a source. Imputed values say so in ``basis``.
- ``data/affinity.csv``: pairwise affinities on the scale -1 (at war, or occupying the other's
  territory), -0.5 (hostile: border wars, territorial grievance), 0 (neutral), 0.5 (friendly:
  documented ties), 1 (union state or closest ally). Pairs not listed are 0.

The reference moment is the early 2020s, when most documented crises happen. Ties that grew out
of those crises (Armenia's Western turn after 2022) are left to the scenarios as events, so the
baseline does not already contain the outcome.

Weighting, one small pure function per fact:

- ``dependency``: mean of the available normalised components: remittances % GDP / 50 (capped at
  1), share of remittances from Russia, share of trade with Russia, share of arms imports from
  Russia, Russian base (0, 0.5, 1), EAEU member (0/1). Missing components are left out.
- ``alignment``: mean of EAEU, union state, Russian base, SCO and ``1 - western ties`` (Western
  ties count as 0 under Western sanctions). The UN General Assembly ES-11 votes on Ukraine are
  not read: they are an outcome of the Ukraine-war scenario, so using them would be circular.
- ``sovereignty_sensitivity``: ``0.25 + 0.25 * exits + 0.25 * rejected_foreign_forces``, capped
  at 1, from the membership history.
- ``capacity``: ``personnel / (personnel + 50,000)`` from low-confidence IISS figures.
- ``bilateral_patron``: the larger of a Russian base (0, 0.5, 1) and a bilateral defence treaty
  with Russia (0/1): a patron at hand for a bilateral appeal.
- ``ties_<patron>`` for the West (EU and Europe), the US, China, Turkey and Iran: 0 none, 0.5 a
  working or economic partnership, 1 security ties (arms, bases, defence industry); Western and US
  ties count as 0 under Western sanctions.
- ``trust``: a uniform prior, 0.6 for parties and 0.3 for the former parties.
- ``threat``: ``0.1 + 0.4 * territory held by a hostile state + 0.2 * border with an
  insurgent-held state + 0.2 * interstate border dispute``; ``unrest``: 0.1 everywhere.

Russia, by convention: dependency 1, alignment 1, capacity 1, outside option 0; its other facts
follow the common rules.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

import numpy as np

from .errors import UserError
from .vocabulary import ACTOR_INDEX, ACTORS, MEMBER_FACTS, MEMBERS, PATRON_FACTS, WORLD_FACTS


def parse_fact_key(key: str) -> tuple[str, str]:
    """``'TJK.dependency'`` or ``'world.integration'`` as (owner, fact); UserError otherwise."""
    owner, _, name = key.partition(".")
    if (owner == "world" and name in WORLD_FACTS) or (owner in MEMBERS and name in MEMBER_FACTS):
        return owner, name
    raise UserError(
        f"unknown fact '{key}'; use MEMBER.fact (facts: {', '.join(MEMBER_FACTS)}) or "
        f"world.fact (facts: {', '.join(WORLD_FACTS)})"
    )


def check_fact(key: str, value: float | np.ndarray) -> None:
    """Raise :class:`UserError` for an unknown fact key or a value outside [0, 1]."""
    parse_fact_key(key)
    arr = np.asarray(value, dtype=float)
    if not (np.all(np.isfinite(arr)) and np.all(arr >= 0) and np.all(arr <= 1)):
        raise UserError(f"fact '{key}' = {value!r} is outside [0, 1]; choose a value in that range")


#: Collective peacekeeping forces: up to 3,000 troops and about 600 police (S001).
PEACEKEEPING_POOL = 3600

_DATA_PACKAGE = "cstosim.inputs.data"

# Conventions of the weighting (documented in docs/facts.md).
_REMITTANCE_SATURATION = 50.0  # remittances at 50% of GDP count as full dependency
_PERSONNEL_HALF = 50_000.0  # active personnel at which capacity is one half
_TRUST_PARTY = 0.6  # uniform prior for parties to the treaty
_TRUST_FORMER = 0.3  # uniform prior for the states that left
_SOVEREIGNTY_BASE = 0.25  # every state minds foreign troops a little
_SOVEREIGNTY_STEP = 0.25  # per exit from the treaty, and for a stated rejection of forces
_THREAT_BASE = 0.1  # chronic external threat with nothing documented
_UNREST_BASE = 0.1  # chronic internal unrest; episodes enter as events, not baselines
#: Depth of integration in the post-2009 era: a standing CRRF and peacekeeping pool, but
#: consensus decisions and no mandate on internal matters unless framed as aggression.
_INTEGRATION = 0.4
_RUSSIA_BANDWIDTH = 1.0  # before February 2022; the Ukraine war drains it through events
#: The ordinal affinity scale; every row of affinity.csv takes one of these values.
_AFFINITY_SCALE: frozenset[float] = frozenset({-1.0, -0.5, 0.0, 0.5, 1.0})

#: Which measures feed each dependency component, first match wins, and how to normalise.
_DEPENDENCY_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("remittances", ("remittances_pct_gdp", "remittances_net_pct_gdp")),
    (
        "remittances_from_russia",
        ("remittances_from_russia_share", "migration_flows_to_russia_share"),
    ),
    ("trade_with_russia", ("trade_with_russia_share",)),
    ("arms_from_russia", ("arms_imports_from_russia_share",)),
    ("russian_base", ("russian_base",)),
    ("eaeu", ("eaeu",)),
)


# --- data ----------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _table(name: str) -> tuple[Mapping[str, str], ...]:
    """Rows of a packaged csv file in ``cstosim.inputs.data``."""
    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _measures() -> Mapping[tuple[str, str], float]:
    """Every number by (member, name): ``value_used`` of indicators.csv, ``value`` of codings.csv.

    A name is either an indicator or a coding for a given member, never both.
    """
    out: dict[tuple[str, str], float] = {}
    rows = [(r["member"], r["indicator"], r["value_used"]) for r in _table("indicators.csv")]
    rows += [(r["member"], r["coding"], r["value"]) for r in _table("codings.csv")]
    for member, name, text in rows:
        if member not in MEMBERS:
            raise ValueError(f"unknown member '{member}' in the facts data")
        if (member, name) in out:
            raise ValueError(f"'{name}' for {member} is given twice in the facts data")
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"'{name}' for {member} is not a finite number: {text!r}")
        out[(member, name)] = value
    return out


def _maybe(member: str, *names: str) -> float | None:
    """The first of ``names`` documented for ``member``, or None."""
    for name in names:
        value = _measures().get((member, name))
        if value is not None:
            return value
    return None


def _need(member: str, name: str) -> float:
    value = _maybe(member, name)
    if value is None:
        raise KeyError(f"no '{name}' for {member} in data/indicators.csv or data/codings.csv")
    return value


# --- the weighting: one small pure function per fact ---------------------------------------------


def remittance_component(pct_gdp: float) -> float:
    """Remittances as a share of GDP, saturating at 50% of GDP."""
    return min(1.0, pct_gdp / _REMITTANCE_SATURATION)


def dependency(components: Iterable[float]) -> float:
    """Mean of the available normalised components (each in [0, 1])."""
    values = list(components)
    if not values:
        raise ValueError("dependency needs at least one documented component")
    return float(np.mean(values))


def open_western_ties(western_ties: float, western_sanctions: float) -> float:
    """Western ties that remain usable: none under Western sanctions."""
    return western_ties * (1.0 - western_sanctions)


def alignment(
    eaeu: float, union_state: float, russian_base: float, sco: float, western: float
) -> float:
    """Mean of structural ties to Moscow and the absence of usable Western ties."""
    return (eaeu + union_state + russian_base + sco + (1.0 - western)) / 5.0


def sovereignty_sensitivity(exits: float, rejected_foreign_forces: float) -> float:
    """Regime history: a base level, raised by exits from the treaty and stated rejections."""
    raw = _SOVEREIGNTY_BASE + _SOVEREIGNTY_STEP * (exits + rejected_foreign_forces)
    return min(1.0, raw)


def capacity(personnel: float) -> float:
    """Own forces, saturating: one half at 50,000 active personnel."""
    return personnel / (personnel + _PERSONNEL_HALF)


def bilateral_patron(russian_base: float, bilateral_treaty: float) -> float:
    """A patron at hand for a bilateral appeal: a Russian base or a bilateral defence treaty."""
    return max(russian_base, bilateral_treaty)


def trust(former_party: float) -> float:
    """Uniform prior: parties expect help more than the states that left."""
    return _TRUST_PARTY + (_TRUST_FORMER - _TRUST_PARTY) * former_party


def threat(territory_held: float, insurgent_border: float, border_dispute: float) -> float:
    """Chronic external threat: a base level plus documented standing threats."""
    return min(1.0, _THREAT_BASE + 0.4 * territory_held + 0.2 * (insurgent_border + border_dispute))


# --- applying the weighting to the data ----------------------------------------------------------


def dependency_components(member: str) -> dict[str, float]:
    """The normalised dependency components documented for ``member`` (Russia has none)."""
    if member == "RUS":
        return {}
    out: dict[str, float] = {}
    for component, names in _DEPENDENCY_SOURCES:
        raw = _maybe(member, *names)
        if raw is None:
            continue
        if component == "remittances":
            out[component] = remittance_component(raw)
        elif component in ("russian_base", "eaeu"):
            out[component] = raw
        else:
            out[component] = raw / 100.0
    return out


def _patron_ties(member: str) -> dict[str, float]:
    """Ties to each outside patron; Western and US ties are closed by Western sanctions."""
    sanctions = _need(member, "western_sanctions")
    ties = {fact: _need(member, fact) for fact in PATRON_FACTS.values()}
    for western in (PATRON_FACTS["WEST"], PATRON_FACTS["US"]):
        ties[western] = open_western_ties(ties[western], sanctions)
    return ties


def _derive(member: str) -> dict[str, float]:
    """All member facts of one state."""
    facts = {
        "trust": trust(_need(member, "former_party")),
        "sovereignty_sensitivity": sovereignty_sensitivity(
            _need(member, "exits"), _need(member, "rejected_foreign_forces")
        ),
        "threat": threat(
            _need(member, "territory_held_by_hostile_state"),
            _need(member, "insurgent_border"),
            _need(member, "interstate_border_dispute"),
        ),
        "unrest": _UNREST_BASE,
    }
    if member == "RUS":  # conventions: the patron depends on itself and has no outside option
        facts.update(dependency=1.0, alignment=1.0, capacity=1.0, bilateral_patron=1.0)
        facts.update(dict.fromkeys(PATRON_FACTS.values(), 0.0))
        return facts
    ties = _patron_ties(member)
    western = max(ties[PATRON_FACTS["WEST"]], ties[PATRON_FACTS["US"]])
    facts.update(ties)
    facts.update(
        dependency=dependency(dependency_components(member).values()),
        alignment=alignment(
            _need(member, "eaeu"),
            _need(member, "union_state"),
            _need(member, "russian_base"),
            _need(member, "sco"),
            western,
        ),
        capacity=capacity(_need(member, "active_military_personnel")),
        bilateral_patron=bilateral_patron(
            _need(member, "russian_base"), _need(member, "bilateral_defence_treaty")
        ),
    )
    return facts


@lru_cache(maxsize=1)
def _member_fact_table() -> Mapping[str, tuple[float, ...]]:
    derived = [_derive(member) for member in MEMBERS]
    table = {name: tuple(float(d[name]) for d in derived) for name in MEMBER_FACTS}
    for name, values in table.items():
        if not all(0.0 <= v <= 1.0 for v in values):
            raise ValueError(f"member fact '{name}' left [0, 1]: {values}")
    return table


def baseline_member_facts() -> dict[str, np.ndarray]:
    """Each member fact as an array over :data:`MEMBERS`, values in [0, 1] (a fresh copy)."""
    return {name: np.array(values, dtype=float) for name, values in _member_fact_table().items()}


def baseline_world_facts() -> dict[str, float]:
    """Alliance-wide facts at the start: integration depth and Russia's free bandwidth."""
    return {"integration": _INTEGRATION, "russia_bandwidth": _RUSSIA_BANDWIDTH}


@lru_cache(maxsize=1)
def _affinity_matrix() -> np.ndarray:
    n = len(ACTORS)
    matrix = np.eye(n)
    seen: set[frozenset[str]] = set()
    for row in _table("affinity.csv"):
        a, b, value = row["a"], row["b"], float(row["value"])
        pair = frozenset((a, b))
        if a not in ACTOR_INDEX or b not in ACTOR_INDEX or a == b:
            raise ValueError(f"affinity.csv: bad pair {a}-{b}")
        if value not in _AFFINITY_SCALE:
            raise ValueError(f"affinity.csv: {a}-{b} = {value} is not on the scale")
        if pair in seen:
            raise ValueError(f"affinity.csv: {a}-{b} is given twice")
        seen.add(pair)
        i, j = ACTOR_INDEX[a], ACTOR_INDEX[b]
        matrix[i, j] = matrix[j, i] = value
    matrix.setflags(write=False)
    return matrix


def baseline_affinity() -> np.ndarray:
    """Symmetric affinity matrix over :data:`ACTORS`, in [-1, 1], unit diagonal (a fresh copy)."""
    return _affinity_matrix().copy()


def facts_table() -> str:
    """The baseline member facts as a Markdown table (pasted into ``docs/facts.md``)."""
    facts = baseline_member_facts()
    lines = [
        "| member | " + " | ".join(MEMBER_FACTS) + " |",
        "|---|" + "---:|" * len(MEMBER_FACTS),
    ]
    for k, member in enumerate(MEMBERS):
        cells = " | ".join(f"{facts[name][k]:.3f}" for name in MEMBER_FACTS)
        lines.append(f"| {member} | {cells} |")
    return "\n".join(lines)
