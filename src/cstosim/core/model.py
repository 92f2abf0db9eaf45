"""The alliance model: one Mesa model advancing ``n_worlds`` worlds of one scenario at once.

The model sequences the stages of a month; the agents gather inputs; the rules
(:mod:`cstosim.core.rules`) decide. Mesa keeps the clock (``model.time``: month ``t`` runs while
the clock moves from ``t`` to ``t + 1``) and the agent registry (``model.agents``, in the order
of :data:`~cstosim.inputs.vocabulary.MEMBERS`). All randomness comes from per-world streams
(:mod:`cstosim.core.streams`); Mesa's own generators are replaced by a guard that raises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import mesa
import numpy as np

from ..inputs.facts import (
    MEMBER_FACTS,
    PEACEKEEPING_POOL,
    baseline_affinity,
    baseline_member_facts,
    baseline_world_facts,
    parse_fact_key,
)
from ..inputs.parameters import ParameterSet, ParamValues, resolve
from ..inputs.scenario import Event, Scenario
from ..inputs.vocabulary import (
    ACTOR_INDEX,
    CRISIS_KINDS,
    MEMBERS,
    REQUEST_NAMES,
    RUNG_NAMES,
    RUSSIA,
    Request,
    Stance,
    Status,
)
from . import rules
from .agents import MemberState, Russia
from .records import Recorder
from .streams import NoDraws, WorldStreams

#: Crisis kinds after which an attacked member that asked nothing still learns (rules.learn).
_UNASKED_LEARNING = ("external_aggression", "disputed_territory_conflict", "intra_member_clash")
#: Policy shocks that move one fact, and the rule that moves it (``docs/model.md``).
_FACT_SHOCKS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "outside_offer": rules.shock_raise,
    "outside_rebuff": rules.shock_lower,
    "charter_change": rules.shock_raise,
    "capacity_drain": rules.shock_lower,
    "capacity_restore": rules.shock_raise,
}
FactValues = Mapping[str, float | np.ndarray]


class AllianceModel(mesa.Model):
    """The CSTO alliance in ``n_worlds`` parallel worlds (``docs/model.md``).

    ``parameters`` override values of ``parameter_set`` (default: the set in force), as scalars or
    per-world arrays; ``facts`` override facts per world for sweeps, keyed ``'TJK.dependency'`` or
    ``'world.integration'``. Worlds are numbered from ``world_offset``; a world's random numbers
    depend only on ``seed`` and its number (modulo ``stream_period`` if given: common random
    numbers across the points of a sweep).
    """

    def __init__(
        self,
        scenario: Scenario,
        n_worlds: int = 1,
        seed: int = 0,
        parameters: ParamValues | None = None,
        facts: FactValues | None = None,
        world_offset: int = 0,
        log_worlds: int = 0,
        stream_period: int | None = None,
        parameter_set: ParameterSet | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.rng, self.random = NoDraws("rng"), NoDraws("random")
        self.situation = scenario  # a Scenario has no place for [expected]
        self.n_worlds = n_worlds
        self.p = resolve(parameters, n_worlds, parameter_set)
        self.streams = WorldStreams(seed, world_offset, world_offset + n_worlds, stream_period)
        self.world_ids = np.arange(world_offset, world_offset + n_worlds, dtype=np.int64)
        self.recorder = Recorder(self.world_ids, log_worlds)

        member_facts, world = self._facts(facts or {})
        self.integration = world["integration"]
        self.affinity = baseline_affinity()
        for a in self.situation.affinity:
            i, j = ACTOR_INDEX[a.a], ACTOR_INDEX[a.b]
            self.affinity[i, j] = self.affinity[j, i] = a.value

        for i, code in enumerate(MEMBERS):
            own = {name: member_facts[name][:, i].copy() for name in MEMBER_FACTS}
            status = np.full(n_worlds, Status[self.situation.members[code].upper()], dtype=np.int8)
            if code == "RUS":
                Russia(self, code, own, status, world["russia_bandwidth"])
            else:
                MemberState(self, code, own, status)
        #: Index into the registry by state code; ``self.agents`` stays the one list of states.
        self.by_code: dict[str, MemberState] = {m.code: m for m in self.states}
        self.russia: Russia = self.by_code["RUS"]
        for m in self.states:
            m.disaffection = m.net_cost()

        self.onsets: dict[int, list[Event]] = defaultdict(list)
        self.spans: list[tuple[int, int, Event]] = []
        for e in self.situation.events:
            start = self.situation.step_of(e.date)
            self.onsets[start].append(e)
            self.spans.append((start, start + e.duration_months, e))
        self.support_backs: dict[str, np.ndarray] = {}

    # --- set-up ---------------------------------------------------------------------------------
    def _facts(self, overrides: FactValues) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Baseline facts, then the scenario's overrides, then per-world overrides; all (W, ...)."""
        n = self.n_worlds
        base = baseline_member_facts()
        member = {k: np.tile(np.asarray(base[k], dtype=float), (n, 1)) for k in MEMBER_FACTS}
        for f in self.situation.facts:
            member[f.field][:, MEMBERS.index(f.member)] = f.value
        world = {k: np.full(n, float(v)) for k, v in baseline_world_facts().items()}
        for wf in self.situation.world:
            world[wf.field][:] = wf.value
        for key, value in overrides.items():
            owner, name = parse_fact_key(key)
            arr = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            if owner == "world":
                world[name] = arr.copy()
            else:
                member[name][:, MEMBERS.index(owner)] = arr
        return member, world

    # --- what the agents read -------------------------------------------------------------------
    @property
    def states(self) -> list[MemberState]:
        """The nine states, in the registry's (and :data:`MEMBERS`') order."""
        return list(self.agents)

    @property
    def month(self) -> int:
        """Index of the month being simulated (0 for the scenario's first month)."""
        return int(self.time) - 1

    def active_matrix(self, exclude: MemberState | None = None) -> np.ndarray:
        """``(W, M)``: which states are active in each world, ``exclude`` masked out."""
        act = np.stack([m.status == Status.ACTIVE for m in self.agents], axis=1)
        if exclude is not None:
            act[:, exclude.index] = False
        return act

    def hostility_toward_members(self, member: MemberState) -> np.ndarray:
        """Largest hostility ``max(0, −affinity)`` of ``member`` toward another active member."""
        row = self.affinity[member.actor, : len(MEMBERS)]
        others = [m for m in self.agents if m is not member and row[m.index] < 0]
        if not others:
            return np.zeros(self.n_worlds)
        active = np.stack([m.status == Status.ACTIVE for m in others], axis=1)
        return rules.hostility(row[[m.index for m in others]], active)

    def reputation(self) -> np.ndarray:
        """The alliance's reputation: mean trust of its active members other than Russia."""
        trust = np.stack([m.trust for m in self.agents], axis=1)
        return rules.reputation(trust, self.active_matrix(exclude=self.russia))

    def date(self) -> str:
        """'YYYY-MM' of the month being simulated."""
        return self.situation.date_of(self.month)

    # --- one month ------------------------------------------------------------------------------
    def step(self) -> None:
        """Perceive, invoke, deliberate, respond, learn, weigh membership (``docs/model.md``)."""
        t, date = self.month, self.date()
        onset = self.onsets.get(t, [])
        self._perceive(t, date, onset)
        for event in onset:
            if event.kind in CRISIS_KINDS:
                self._crisis(event, t, date)
        self._membership(t, date)
        self.recorder.dates.append(date)
        self.recorder.aggregate(self.states, self.russia.bandwidth)

    def run_to_end(self) -> None:
        """Advance every remaining month of the scenario."""
        if self.time < self.situation.n_steps:
            self.run_until(self.situation.n_steps)

    # --- stage 1: perceive ----------------------------------------------------------------------
    def _active(self, t: int) -> list[Event]:
        return [e for start, stop, e in self.spans if start <= t < stop]

    def _perceive(self, t: int, date: str, onset: list[Event]) -> None:
        for event in onset:
            if event.kind == "policy_shock":
                self._shock(event, t, date)
        active = self._active(t)
        external, internal, war_burden = _pressures(active)
        for m in self.agents:
            m.perceive(external[m.code], internal[m.code], self.p.threat_decay)
        for e in active:
            if e.shock == "political_support_request":
                for m in self.agents:
                    if m.code != e.source:
                        m.press(e.severity, self.support_backs[e.id][:, m.index])
        self.russia.recover(war_burden)

    def _shock(self, e: Event, t: int, date: str) -> None:
        """Apply a policy shock at its onset (``docs/model.md``)."""
        if e.shock in _FACT_SHOCKS:
            subject = self._shock_subject(e)
            if subject is not None:
                owner, attr = subject
                setattr(owner, attr, _FACT_SHOCKS[e.shock](getattr(owner, attr), e.severity))
        elif e.shock == "political_support_request":
            self._support_request(e)
        elif e.shock == "treaty_renewal":
            u = self.streams.uniform(len(MEMBERS))
            for m in self.states[1:]:
                new = m.lapse_at_renewal(u[:, m.index])
                self.recorder.status_change(m.code, t, date, m.status, new)
                m.status = new

    def _shock_subject(self, e: Event) -> tuple[object, str] | None:
        """Which fact a fact-moving shock moves: (its owner, its attribute), or None."""
        target = self.by_code.get(e.target)
        if e.shock == "charter_change":
            return self, "integration"
        if e.shock == "capacity_restore" or (e.shock == "capacity_drain" and target is self.russia):
            return self.russia, "bandwidth"
        if target is None:
            return None
        return target, "capacity" if e.shock == "capacity_drain" else "outside_option"

    def _support_request(self, e: Event) -> None:
        u = self.streams.uniform(len(MEMBERS))
        backs = np.zeros((self.n_worlds, len(MEMBERS)), dtype=bool)
        for m in self.agents:
            if m.code == e.source:
                continue
            backs[:, m.index] = m.backs_support(u[:, m.index])
            if self.situation.members[m.code] != "never":
                self.recorder.backing(e.id, m.code, backs[:, m.index])
        self.support_backs[e.id] = backs

    # --- stages 2-5: a crisis -------------------------------------------------------------------
    def _crisis(self, e: Event, t: int, date: str) -> None:
        n = self.n_worlds
        scope = rules.treaty_scope(e.kind, e.framed_foreign, self.p.internal_scope)
        u_invoke, u_stance = self.streams.uniform(), self.streams.uniform(len(MEMBERS))
        target = self.by_code.get(e.target)
        if target is None:  # a war waged by a member on an outsider: nobody invokes
            request = asked = np.zeros(n, dtype=np.int8)
            member_target = np.zeros(n, dtype=bool)
        else:
            request, asked = target.invoke(e, scope, u_invoke)
            member_target = target.is_party()

        stances = np.full((n, len(MEMBERS)), Stance.ABSTAIN, dtype=np.int8)
        if target is not None and np.any(request == Request.ASSISTANCE):
            for m in self.agents:
                if m is target or m.code == e.source:
                    continue
                will = m.willingness(e, target, scope)
                stances[:, m.index] = m.take_stance(will, u_stance[:, m.index])
        any_block = (stances == Stance.BLOCK).any(axis=1)
        response = rules.council_response(
            request, asked, stances[:, RUSSIA], any_block, member_target
        )
        size = rules.deployment_size(response, e.severity, self.russia.bandwidth, PEACEKEEPING_POOL)
        self.recorder.crisis(e, t, date, request, asked, response, size)
        if target is not None:
            self._learn(e, target, request, asked, response)
        self._log_crisis(e, t, date, request, asked, stances, response)

    def _learn(
        self,
        e: Event,
        target: MemberState,
        request: np.ndarray,
        asked: np.ndarray,
        response: np.ndarray,
    ) -> None:
        p = self.p
        asked_mask = request > Request.NONE
        sat = rules.satisfaction(response, asked)
        target.learn(sat, p.learn_own, asked_mask)
        for m in self.agents:
            if m is not target:
                m.learn(sat, p.learn_spill, asked_mask & (m.status == Status.ACTIVE))
        if e.kind in _UNASKED_LEARNING:
            seen = rules.tangible_help(response)
            affected = [target]
            if e.kind == "intra_member_clash" and e.source is not None:
                affected.append(self.by_code[e.source])
            for m in affected:
                m.learn(seen, p.learn_need * e.severity, ~asked_mask & m.is_party())

    def _log_crisis(
        self,
        e: Event,
        t: int,
        date: str,
        request: np.ndarray,
        asked: np.ndarray,
        stances: np.ndarray,
        response: np.ndarray,
    ) -> None:
        rec = self.recorder
        for i in rec.logged:
            detail = f"request={REQUEST_NAMES[request[i]]} asked={RUNG_NAMES[asked[i]]}"
            rec.note(i, t, date, "invoke", e.target, e.id, detail)
            if request[i] == Request.ASSISTANCE:
                votes = ", ".join(
                    f"{m.code}:{Stance(stances[i, m.index]).name.lower()}"
                    for m in self.agents
                    if m.status[i] == Status.ACTIVE and m.code != e.target
                )
                rec.note(i, t, date, "deliberate", "council", e.id, votes)
            rec.note(i, t, date, "respond", "council", e.id, RUNG_NAMES[response[i]])

    # --- stage 6: membership --------------------------------------------------------------------
    def _membership(self, t: int, date: str) -> None:
        u = self.streams.uniform(len(MEMBERS))
        new = [m.weigh_membership(u[:, m.index]) for m in self.agents]
        for m, status in zip(self.agents, new, strict=True):
            self.recorder.status_change(m.code, t, date, m.status, status)
            m.status = status


def _pressures(
    active: list[Event],
) -> tuple[defaultdict[str, float], defaultdict[str, float], float]:
    """The crises under way as pressure: external threat and internal unrest by state (the
    gravest crisis counts), and the severity of a war Russia wages."""
    external: defaultdict[str, float] = defaultdict(float)
    internal: defaultdict[str, float] = defaultdict(float)
    war = 0.0
    for e in active:
        if e.kind == "internal_unrest":
            internal[e.target] = max(internal[e.target], e.severity)
        elif e.kind == "nonmember_war_by_member":
            war = max(war, e.severity) if e.source == "RUS" else war
        elif e.kind in CRISIS_KINDS:
            external[e.target] = max(external[e.target], e.severity)
            if e.kind == "intra_member_clash" and e.source is not None:
                external[e.source] = max(external[e.source], e.severity)
    return external, internal, war
