"""The alliance model: one Mesa model advancing ``n_worlds`` worlds of one scenario at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import mesa
import numpy as np
import pandas as pd

from . import rules
from .agents import MemberState, Russia
from .facts import (
    MEMBER_FACTS,
    PEACEKEEPING_POOL,
    WORLD_FACTS,
    baseline_affinity,
    baseline_member_facts,
    baseline_world_facts,
)
from .parameters import ParamValues, resolve
from .records import Recorder, steps_table
from .scenario import Event, Scenario
from .streams import WorldStreams
from .vocabulary import (
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

#: Crisis kinds after which an attacked member that asked nothing still learns (rules.learn).
_UNASKED_LEARNING = ("external_aggression", "disputed_territory_conflict", "intra_member_clash")
FactValues = Mapping[str, float | np.ndarray]


def fact_key_error(key: str) -> str:
    """Message for a per-world fact override key that is not 'MEMBER.fact' or 'world.fact'."""
    return (
        f"unknown fact '{key}'; use MEMBER.fact (facts: {', '.join(MEMBER_FACTS)}) or "
        f"world.fact (facts: {', '.join(WORLD_FACTS)})"
    )


class AllianceModel(mesa.Model):
    """The CSTO alliance in ``n_worlds`` parallel worlds (``docs/model.md``).

    ``parameters`` override global parameters (scalars or per-world arrays); ``facts`` override
    facts per world for sweeps, keyed ``'TJK.dependency'`` or ``'world.integration'``. Worlds are
    numbered from ``world_offset``; a world's random numbers depend only on ``seed`` and its number
    (modulo ``stream_period`` if given: common random numbers across the points of a sweep).
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
    ) -> None:
        super().__init__(rng=np.random.SeedSequence(seed))
        self.situation = scenario.situation()  # the model never sees [expected]
        self.n_worlds = n_worlds
        self.seed = seed
        self.p = resolve(parameters, n_worlds)
        self.streams = WorldStreams(seed, world_offset, world_offset + n_worlds, stream_period)
        self.world_ids = np.arange(world_offset, world_offset + n_worlds, dtype=np.int64)
        self.recorder = Recorder(self.world_ids, log_worlds)
        self.step_index = 0

        member_facts, world = self._facts(facts or {})
        self.integration = world["integration"]
        self.affinity = baseline_affinity()
        for a in self.situation.affinity:
            i, j = ACTOR_INDEX[a.a], ACTOR_INDEX[a.b]
            self.affinity[i, j] = self.affinity[j, i] = a.value

        self.members: list[MemberState] = []
        for i, code in enumerate(MEMBERS):
            own = {name: member_facts[name][:, i].copy() for name in MEMBER_FACTS}
            status = np.full(n_worlds, Status[self.situation.members[code].upper()], dtype=np.int8)
            if code == "RUS":
                agent = Russia(self, code, own, status, world["russia_bandwidth"])
            else:
                agent = MemberState(self, code, own, status)
            self.members.append(agent)
        self.russia: Russia = self.members[RUSSIA]  # type: ignore[assignment]
        self.by_code = {m.code: m for m in self.members}
        for m in self.members:
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
        for f in self.situation.world:
            world[f.field][:] = f.value
        for key, value in overrides.items():
            owner, _, name = key.partition(".")
            arr = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            if not (np.all(arr >= 0) and np.all(arr <= 1)):
                raise ValueError(f"fact '{key}' must lie in [0, 1]")
            if owner == "world" and name in WORLD_FACTS:
                world[name] = arr.copy()
            elif owner in MEMBERS and name in MEMBER_FACTS:
                member[name][:, MEMBERS.index(owner)] = arr
            else:
                raise KeyError(fact_key_error(key))
        return member, world

    # --- helpers the agents read ----------------------------------------------------------------
    def active_matrix(self, exclude: MemberState | None = None) -> np.ndarray:
        """``(W, M)``: which states are active in each world, ``exclude`` masked out."""
        act = np.stack([m.status == Status.ACTIVE for m in self.members], axis=1)
        if exclude is not None:
            act[:, exclude.index] = False
        return act

    def hostility_toward_members(self, member: MemberState) -> np.ndarray:
        """Largest hostility ``max(0, −affinity)`` of ``member`` toward another active member."""
        row = self.affinity[member.actor, : len(self.members)]
        others = [m for m in self.members if m is not member and row[m.index] < 0]
        if not others:
            return np.zeros(self.n_worlds)
        active = np.stack([m.status == Status.ACTIVE for m in others], axis=1)
        return rules.hostility(row[[m.index for m in others]], active)

    def reputation(self) -> np.ndarray:
        """The alliance's reputation: mean trust of its active members other than Russia."""
        act = self.active_matrix(exclude=self.russia)
        trust = np.stack([m.trust for m in self.members], axis=1)
        return (trust * act).sum(axis=1) / np.maximum(act.sum(axis=1), 1)

    def date(self) -> str:
        return self.situation.date_of(self.step_index)

    # --- one month ------------------------------------------------------------------------------
    def step(self) -> None:
        """Perceive, invoke, deliberate, respond, learn, weigh membership (brief §3)."""
        t, date = self.step_index, self.date()
        onset = self.onsets.get(t, [])
        self._perceive(t, date, onset)
        for event in onset:
            if event.kind in CRISIS_KINDS:
                self._crisis(event, t, date)
        self._membership(t, date)
        self.recorder.dates.append(date)
        self.recorder.aggregate(self.members, self.russia.bandwidth)
        self.step_index += 1

    def run(self) -> dict[str, pd.DataFrame]:
        """Run every step of the scenario and return its tables (``docs/results.md``)."""
        self.run_to_end()
        tables = self.recorder.world_tables(self.members)
        tables["steps"] = steps_table(self.recorder.steps, self.recorder.dates)
        return tables

    def run_to_end(self) -> None:
        """Advance every remaining step of the scenario."""
        while self.step_index < self.situation.n_steps:
            self.step()

    # --- stage 1: perceive ----------------------------------------------------------------------
    def _active(self, t: int) -> list[Event]:
        return [e for start, stop, e in self.spans if start <= t < stop]

    def _perceive(self, t: int, date: str, onset: list[Event]) -> None:
        for event in onset:
            if event.kind == "policy_shock":
                self._shock(event, t, date)
        active = self._active(t)
        external, internal = defaultdict(float), defaultdict(float)
        war_burden = 0.0
        for e in active:
            if e.kind == "internal_unrest":
                internal[e.target] = max(internal[e.target], e.severity)
            elif e.kind == "nonmember_war_by_member":
                war_burden = max(war_burden, e.severity) if e.source == "RUS" else war_burden
            elif e.kind in CRISIS_KINDS:
                external[e.target] = max(external[e.target], e.severity)
                if e.kind == "intra_member_clash":
                    external[e.source] = max(external[e.source], e.severity)
        for m in self.members:
            m.perceive(external[m.code], internal[m.code], self.p["threat_decay"])
        for e in active:
            if e.shock == "political_support_request":
                for m in self.members:
                    if m.code != e.source:
                        pressure = e.severity * ~self.support_backs[e.id][:, m.index]
                        m.entrapment = np.maximum(m.entrapment, pressure)
        self.russia.recover(1.0 - self.p["war_burden"] * war_burden, self.p["bandwidth_recovery"])

    def _shock(self, e: Event, t: int, date: str) -> None:
        """Apply a policy shock's change of facts at its onset (``docs/model.md``)."""
        target = self.by_code.get(e.target)
        s = e.severity
        if e.shock == "outside_offer" and target is not None:
            target.outside_option = target.outside_option + s * (1 - target.outside_option)
        elif e.shock == "outside_rebuff" and target is not None:
            target.outside_option = target.outside_option * (1 - s)
        elif e.shock == "charter_change":
            self.integration = self.integration + s * (1 - self.integration)
        elif e.shock == "capacity_drain" and target is self.russia:
            self.russia.bandwidth = self.russia.bandwidth * (1 - s)
        elif e.shock == "capacity_drain" and target is not None:
            target.capacity = target.capacity * (1 - s)
        elif e.shock == "capacity_restore":
            self.russia.bandwidth = self.russia.bandwidth + s * (1 - self.russia.bandwidth)
        elif e.shock == "political_support_request":
            self._support_request(e)
        elif e.shock == "treaty_renewal":
            u = self.streams.uniform(len(MEMBERS))
            for m in self.members[1:]:
                new = rules.renewal_lapse(m.status, m.disaffection, u[:, m.index], self.p)
                self.recorder.status_change(m.code, t, date, m.status, new)
                m.status = new

    def _support_request(self, e: Event) -> None:
        u = self.streams.uniform(len(MEMBERS))
        backs = np.zeros((self.n_worlds, len(MEMBERS)), dtype=bool)
        for m in self.members:
            if m.code == e.source:
                continue
            prob = rules.backs_support_probability(m.alignment, m.outside_option, self.p)
            backs[:, m.index] = (u[:, m.index] < prob) & (m.status == Status.ACTIVE)
            if self.situation.members[m.code] != "never":
                self.recorder.backing(e.id, m.code, backs[:, m.index])
        self.support_backs[e.id] = backs

    # --- stages 2-5: a crisis -------------------------------------------------------------------
    def _crisis(self, e: Event, t: int, date: str) -> None:
        p, n = self.p, self.n_worlds
        scope = rules.treaty_scope(e.kind, e.framed_foreign, p["internal_scope"])
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
            for m in self.members:
                if m is target or m.code == e.source:
                    continue
                drawn = rules.stance(
                    m.willingness(e, target, scope), p["temperature"], u_stance[:, m.index], p
                )
                stances[:, m.index] = np.where(m.status == Status.ACTIVE, drawn, Stance.ABSTAIN)
        any_block = (stances == Stance.BLOCK).any(axis=1)
        response = rules.council_response(
            request, asked, stances[:, RUSSIA], any_block, member_target
        )
        size = rules.deployment_size(response, e.severity, self.russia.bandwidth, PEACEKEEPING_POOL)
        self.recorder.crisis(e, t, date, request, asked, response, size)
        self._learn(e, target, request, asked, response)
        self._log_crisis(e, t, date, request, asked, stances, response)

    def _learn(self, e: Event, target: MemberState | None, request, asked, response) -> None:
        if target is None:
            return
        p = self.p
        asked_mask = request > Request.NONE
        sat = rules.satisfaction(response, asked)
        target.learn(sat, p["learn_own"], asked_mask)
        for m in self.members:
            if m is not target:
                m.learn(sat, p["learn_spill"], asked_mask & (m.status == Status.ACTIVE))
        if e.kind in _UNASKED_LEARNING:
            seen = rules.tangible_help(response)
            affected = [target] + (
                [self.by_code[e.source]] if e.kind == "intra_member_clash" else []
            )
            for m in affected:
                m.learn(seen, p["learn_need"] * e.severity, ~asked_mask & m.is_party())

    def _log_crisis(self, e: Event, t, date, request, asked, stances, response) -> None:
        rec = self.recorder
        for i in rec.logged:
            rec.note(
                i,
                t,
                date,
                "invoke",
                e.target,
                e.id,
                f"request={REQUEST_NAMES[request[i]]} asked={RUNG_NAMES[asked[i]]}",
            )
            if request[i] == Request.ASSISTANCE:
                votes = ", ".join(
                    f"{m.code}:{Stance(stances[i, m.index]).name.lower()}"
                    for m in self.members
                    if m.status[i] == Status.ACTIVE and m.code != e.target
                )
                rec.note(i, t, date, "deliberate", "council", e.id, votes)
            rec.note(i, t, date, "respond", "council", e.id, RUNG_NAMES[response[i]])

    # --- stage 6: membership --------------------------------------------------------------------
    def _membership(self, t: int, date: str) -> None:
        u = self.streams.uniform(len(MEMBERS))
        new = [m.weigh_membership(u[:, m.index]) for m in self.members]
        for m, status in zip(self.members, new, strict=True):
            self.recorder.status_change(m.code, t, date, m.status, status)
            m.status = status
