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
from dataclasses import dataclass

import mesa
import numpy as np

from ..inputs.facts import (
    PEACEKEEPING_POOL,
    baseline_affinity,
    baseline_member_facts,
    baseline_world_facts,
    parse_fact_key,
)
from ..inputs.parameters import ParameterSet, ParamValues, resolve
from ..inputs.scenario import AffinityOverride, Event, FactOverride, Scenario
from ..inputs.vocabulary import (
    ACTOR_INDEX,
    BILATERAL_NAMES,
    CHANNEL_NAMES,
    CRISIS_KINDS,
    MEMBER_FACTS,
    MEMBERS,
    PATRON_FACTS,
    PATRONS,
    REQUEST_NAMES,
    RUNG_NAMES,
    Channel,
    Provider,
    Request,
    Rung,
    Status,
)
from .agents import MemberState, Russia
from .records import Final, Recorder
from .rules import appeal, council, membership, russia, trust
from .rules.choice import logistic_noise
from .rules.perceive import shock_lower, shock_raise
from .streams import NoDraws, WorldStreams

FactValues = Mapping[str, float | np.ndarray]
#: Policy shocks that move one fact, and the rule that moves it (``docs/model.md``).
_FACT_SHOCKS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "charter_change": shock_raise,
    "capacity_drain": shock_lower,
    "capacity_restore": shock_raise,
}
#: Shocks after which members weigh their membership in the same month.
_OCCASION_SHOCKS = ("charter_change", "political_support_request", "summit", "treaty_renewal")
#: Member facts an agent holds as attributes, and the attribute that holds each.
_ATTRIBUTES = {
    "dependency": "dependency",
    "alignment": "alignment",
    "sovereignty_sensitivity": "sovereignty",
    "capacity": "capacity",
    "bilateral_patron": "bilateral_patron",
    "threat": "threat_baseline",
    "unrest": "unrest_baseline",
}


@dataclass(frozen=True)
class EndState:
    """Where each world of a finished run stands: what a run that continues it starts from.

    Arrays are over worlds (and members, in :data:`MEMBERS` order): statuses and notices, trust
    counts, grievances, each state's resolve, the member facts as events left them, integration
    and Russia's bandwidth; and the random streams, so that a continued world draws on as if it
    had never stopped.
    """

    scenario_id: str
    world_ids: np.ndarray
    status: np.ndarray
    notice: np.ndarray
    help_count: np.ndarray
    fail_count: np.ndarray
    grievance: np.ndarray
    resolve: np.ndarray
    facts: dict[str, np.ndarray]
    ties: np.ndarray
    integration: np.ndarray
    bandwidth: np.ndarray
    streams: WorldStreams


class AllianceModel(mesa.Model):
    """The CSTO alliance in ``n_worlds`` parallel worlds (``docs/model.md``).

    ``parameters`` override values of ``parameter_set`` (default: the set in force), as scalars or
    per-world arrays; ``facts`` override facts per world for sweeps, keyed ``'TJK.dependency'`` or
    ``'world.integration'``. Worlds are numbered from ``world_offset``; a world's random numbers
    depend only on ``seed`` and its number (modulo ``stream_period`` if given: common random
    numbers across the points of a sweep). ``start`` continues the worlds of another run. Without
    ``step_sums`` the per-step aggregates are not kept (a fit scores only per-world outcomes).
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
        start: EndState | None = None,
        step_sums: bool = True,
    ) -> None:
        super().__init__(rng=seed)
        self.rng, self.random = NoDraws("rng"), NoDraws("random")
        self.situation = scenario  # a Scenario has no place for [expected]
        self.n_worlds = n_worlds
        self.p = resolve(parameters, n_worlds, parameter_set)
        self.world_ids = np.arange(world_offset, world_offset + n_worlds, dtype=np.int64)
        self.streams = (
            start.streams
            if start is not None
            else WorldStreams(seed, world_offset, world_offset + n_worlds, stream_period)
        )
        self.recorder = Recorder(self.world_ids, log_worlds, step_sums)
        self.affinity = baseline_affinity()
        for a in scenario.affinity:
            if a.date is None:
                self._set_affinity(a)
        self._rivalry()
        self._build(facts or {}, start)
        self._schedule()

    # --- set-up ---------------------------------------------------------------------------------
    def _build(self, overrides: FactValues, start: EndState | None) -> None:
        """Facts and states: the baseline, or the end state continued, then the scenario's
        undated overrides, then per-world overrides; then the agents."""
        n, m = self.n_worlds, len(MEMBERS)
        member, world = _starting_facts(self.situation, n, start)
        for key, value in overrides.items():
            owner, name = parse_fact_key(key)
            arr = np.broadcast_to(np.asarray(value, dtype=float), (n,))
            if owner == "world":
                world[name] = arr.copy()
            else:
                member[name][:, MEMBERS.index(owner)] = arr
        self.integration = world["integration"]
        prior_help, prior_fail = trust.prior_counts(member["trust"])
        shape = (n, m, len(Provider), 3)
        self.prior_help = np.broadcast_to(prior_help[:, :, None, None], shape).copy()
        self.prior_fail = np.broadcast_to(prior_fail[:, :, None, None], shape).copy()
        if start is None:
            self.help_count, self.fail_count = self.prior_help.copy(), self.prior_fail.copy()
            self.grievance = np.zeros((n, m))
            self.resolve = membership.resolve(self.streams.uniform(m))
        else:
            self.help_count, self.fail_count = start.help_count.copy(), start.fail_count.copy()
            self.grievance = start.grievance.copy()
            self.resolve = start.resolve.copy()
        for i, code in enumerate(MEMBERS):
            own = {name: member[name][:, i].copy() for name in MEMBER_FACTS}
            if code == "RUS":
                Russia(self, code, own, world["russia_bandwidth"].copy())
            else:
                MemberState(self, code, own)
        #: Index into the registry by state code; ``self.agents`` stays the one list of states.
        self.by_code: dict[str, MemberState] = {a.code: a for a in self.states}
        self.russia: Russia = self.by_code["RUS"]
        for i, a in enumerate(self.states):
            if start is None:
                status = Status[self.situation.members[a.code].upper()]
                a.status = np.full(n, status, dtype=np.int8)
            else:
                a.status, a.notice = start.status[:, i].copy(), start.notice[:, i].copy()

    def _schedule(self) -> None:
        """Onsets and spans of events, dated facts, summits, and the months that give occasion."""
        sc = self.situation
        self.onsets: dict[int, list[Event]] = defaultdict(list)
        self.spans: list[tuple[int, int, Event]] = []
        for e in sc.events:
            start = sc.step_of(e.date)
            self.onsets[start].append(e)
            self.spans.append((start, start + e.duration_months, e))
        self.dated: dict[int, list[FactOverride]] = defaultdict(list)
        for f in sc.facts:
            if f.date is not None:
                self.dated[sc.step_of(f.date)].append(f)
        self.dated_affinity: dict[int, list[AffinityOverride]] = defaultdict(list)
        for a in sc.affinity:
            if a.date is not None:
                self.dated_affinity[sc.step_of(a.date)].append(a)
        dated_summits = {t for t, es in self.onsets.items() if any(e.shock == "summit" for e in es)}
        yearly = {
            t for t in range(sc.n_steps) if int(sc.date_of(t)[5:7]) == membership.SUMMIT_MONTH
        }
        self.summits = dated_summits or yearly
        crisis_months = {
            t for t, es in self.onsets.items() if any(e.kind in CRISIS_KINDS for e in es)
        }
        shock_months = {
            t for t, es in self.onsets.items() if any(e.shock in _OCCASION_SHOCKS for e in es)
        }
        #: Months in which some world may weigh its membership; noise is drawn in these only.
        self.occasion_months = self.summits | crisis_months | shock_months
        self.support_backs: dict[str, np.ndarray] = {}

    # --- what the agents read -------------------------------------------------------------------
    @property
    def states(self) -> list[MemberState]:
        """The nine states, in the registry's (and :data:`MEMBERS`') order."""
        return list(self.agents)

    @property
    def month(self) -> int:
        """Index of the month being simulated (0 for the scenario's first month)."""
        return int(self.time) - 1

    def date(self) -> str:
        """'YYYY-MM' of the month being simulated."""
        return self.situation.date_of(self.month)

    def trust_in_alliance(self) -> np.ndarray:
        """``(W, M)``: the help each state expects from the collective to defend its territory."""
        terr = 0  # Scope.TERRITORIAL
        h = self.help_count[:, :, Provider.COLLECTIVE, terr]
        f = self.fail_count[:, :, Provider.COLLECTIVE, terr]
        return trust.expected_help(h, f)

    # --- one month ------------------------------------------------------------------------------
    def step(self) -> None:
        """Perceive, appeal, deliberate, respond, learn, weigh membership (``docs/model.md``)."""
        t, date = self.month, self.date()
        onset = self.onsets.get(t, [])
        self._forget()
        self._aggrieved = np.zeros(self.grievance.shape, dtype=bool)
        for f in self.dated.get(t, []):
            self._set_fact(f)
        for aff in self.dated_affinity.get(t, []):
            self._set_affinity(aff)
        for event in onset:
            if event.kind == "policy_shock":
                self._shock(event, t, date)
        self._perceive(t)
        for event in onset:
            if event.kind in CRISIS_KINDS:
                self._crisis(event, t, date)
        self._membership(t, date, renewal=any(e.shock == "treaty_renewal" for e in onset))
        self.recorder.dates.append(date)
        if self.recorder.step_sums:
            self.recorder.aggregate(
                self.trust_in_alliance().T,
                np.stack([a.status for a in self.agents]),
                np.stack([a.threat for a in self.agents]),
                self.grievance.T,
                self.russia.bandwidth,
            )

    def run_to_end(self) -> None:
        """Advance every remaining month of the scenario."""
        if self.time < self.situation.n_steps:
            self.run_until(self.situation.n_steps)

    def final(self) -> Final:
        """Each world's state now, for the members table."""
        status = np.stack([a.status for a in self.agents], axis=1)
        return Final(status, self.trust_in_alliance(), self.grievance.copy())

    def end_state(self) -> EndState:
        """Where each world stands now, for a run that continues this one."""
        states = self.states
        facts = {
            name: np.stack([getattr(a, _ATTRIBUTES[name]) for a in states], axis=1)
            for name in _ATTRIBUTES
        }
        return EndState(
            scenario_id=self.situation.id,
            world_ids=self.world_ids,
            status=np.stack([a.status for a in states], axis=1),
            notice=np.stack([a.notice for a in states], axis=1),
            help_count=self.help_count.copy(),
            fail_count=self.fail_count.copy(),
            grievance=self.grievance.copy(),
            resolve=self.resolve.copy(),
            facts=facts,
            ties=np.stack([a.ties for a in states], axis=1),
            integration=self.integration.copy(),
            bandwidth=self.russia.bandwidth.copy(),
            streams=self.streams,
        )

    # --- stage 1: perceive ----------------------------------------------------------------------
    def _forget(self) -> None:
        """A month on: learnt trust fades toward the prior, grievances fade."""
        self.help_count = trust.forget(self.help_count, self.prior_help)
        self.fail_count = trust.forget(self.fail_count, self.prior_fail)
        self.grievance = membership.fade(self.grievance, self.p.grievance_fade[:, None])

    def _perceive(self, t: int) -> None:
        active = [e for start, stop, e in self.spans if start <= t < stop]
        external, internal, war = _pressures(active)
        for a in self.agents:
            a.perceive(external[a.code], internal[a.code])
        self.russia.recover(war)

    def _set_affinity(self, a: AffinityOverride) -> None:
        """A pair's affinity (symmetric), and the patrons' rivalry with Russia that follows."""
        i, j = ACTOR_INDEX[a.a], ACTOR_INDEX[a.b]
        self.affinity[i, j] = self.affinity[j, i] = a.value
        self._rivalry()

    def _rivalry(self) -> None:
        """Each patron's rivalry with Russia, read from the affinity matrix."""
        russia_row = self.affinity[ACTOR_INDEX["RUS"]]
        self.patron_rivalry = membership.rivalry(russia_row[[ACTOR_INDEX[p] for p in PATRONS]])

    def _set_fact(self, f: FactOverride) -> None:
        """A dated fact takes its value this month (Western ties carry alignment with them)."""
        agent = self.by_code[f.member]
        value = np.full(self.n_worlds, f.value)
        if f.field in PATRON_FACTS.values():
            agent.take_offer(list(PATRON_FACTS.values()).index(f.field), value)
        elif f.field == "trust":
            i = agent.index
            self.prior_help[:, i], self.prior_fail[:, i] = (
                x[:, None, None] for x in trust.prior_counts(value)
            )
        else:
            setattr(agent, _ATTRIBUTES[f.field], value)

    def _shock(self, e: Event, t: int, date: str) -> None:
        """Apply a policy shock at its onset (``docs/model.md``)."""
        target = self.by_code.get(e.target)
        if e.shock in ("outside_offer", "outside_rebuff") and target is not None:
            patron = PATRONS.index(e.source) if e.source in PATRONS else 0
            move = shock_raise if e.shock == "outside_offer" else shock_lower
            target.take_offer(patron, move(target.ties[:, patron], e.severity))
        elif e.shock == "charter_change":
            self.integration = shock_raise(self.integration, e.severity)
            for a in self.agents:
                self._aggrieve(a, membership.resented_integration(e.severity, a.sovereignty))
        elif e.shock in _FACT_SHOCKS:
            if e.shock == "capacity_restore" or target is self.russia:
                self.russia.bandwidth = _FACT_SHOCKS[e.shock](self.russia.bandwidth, e.severity)
            elif target is not None:
                target.capacity = shock_lower(target.capacity, e.severity)
        elif e.shock == "political_support_request":
            self._support_request(e)

    def _aggrieve(self, a: MemberState, amount: np.ndarray | float) -> None:
        """Add a grievance to an active state; it then weighs its membership this month."""
        grieved = np.asarray(amount) * a.is_active()
        self.grievance[:, a.index] += grieved
        self._aggrieved[:, a.index] |= grieved > 0

    def _support_request(self, e: Event) -> None:
        u = self.streams.uniform(len(MEMBERS))
        backs = np.zeros((self.n_worlds, len(MEMBERS)), dtype=bool)
        for a in self.agents:
            if a.code == e.source:
                continue
            backs[:, a.index] = a.backs(e.severity, logistic_noise(u[:, a.index]))
            if self.situation.members[a.code] != "never":
                self.recorder.backing(e.id, a.code, backs[:, a.index])
            self._aggrieve(a, membership.entrapment(e.severity) * ~backs[:, a.index])
        self.support_backs[e.id] = backs

    # --- stages 2-5: a crisis -------------------------------------------------------------------
    def _crisis(self, e: Event, t: int, date: str) -> None:
        n = self.n_worlds
        u_appeal, u_russia, u_speak = (self.streams.uniform() for _ in range(3))
        u_block = self.streams.uniform(len(MEMBERS))
        target = self.by_code.get(e.target)
        zero = np.zeros(n, dtype=np.int8)
        # a war Russia wages on an outsider: nobody appeals and Russia does not answer itself; the
        # Council speaks for it only if every other active party backed its call for support
        if target is None or e.source == "RUS":
            response = np.where(self._war_backed(e, t), Rung.STATEMENT, Rung.NONE).astype(np.int8)
            self.recorder.crisis(
                e, t, date, zero, zero, response, zero, zero, np.zeros(n), zero > 0
            )
            return
        latent = self.russia.willingness(e, target) + logistic_noise(u_russia)
        channel, need, asked_own = target.appeal(e, u_appeal)
        p = self.p
        bilateral = channel == Channel.BILATERAL
        alongside = appeal.treaty_alongside(e.kind, channel, target.bilateral_patron)
        to_russia = bilateral | alongside
        asked_russia = np.where(
            bilateral,
            asked_own,
            appeal.asked_rungs(
                np.full(n, Channel.BILATERAL), need, appeal.trust_scope(e.kind), p.troops_gap
            ),
        )
        cap = np.where(to_russia, asked_russia, russia.unasked_ceiling(e.kind))
        cap = np.minimum(cap, russia.ceiling_against(self.aggressor_patron(e)))
        answer = russia.bilateral_rung(
            latent, cap, arms_cut=p.arms_cut, troops_margin=p.troops_margin
        )
        own_territory = e.kind not in ("disputed_territory_conflict", "intra_member_clash")
        referred = (
            bilateral
            & target.is_active()
            & russia.refers_to_council(asked_own, answer, own_territory)
        )
        request, asked = _collective_request(channel, asked_own, referred)
        blocked = np.zeros((n, len(MEMBERS)), dtype=bool)
        if np.any(request == Request.ASSISTANCE):
            for a in self.agents:
                if a is target or a is self.russia or a.code == e.source:
                    continue
                blocked[:, a.index] = a.blocks(e, target, logistic_noise(u_block[:, a.index]))
        any_block = blocked.any(axis=1)
        stance = russia.council_stance(latent, arms_cut=p.arms_cut, troops_margin=p.troops_margin)
        speaks = council.speaks_unasked(
            e.severity,
            not council.called_internal(e.kind, e.framed_foreign),
            self.ties_to_aggressor(e),
            self._internal_caution(e),
            logistic_noise(u_speak),
            affinity_weight=p.affinity_weight,
            ties_weight=p.ties_weight,
            precedent_weight=p.precedent_weight,
        )
        response = council.council_answer(
            request, asked, stance, any_block, target.is_party(), speaks
        )
        size = council.deployment_size(
            response, e.severity, self.russia.bandwidth, PEACEKEEPING_POOL
        )
        own = russia.own_beside(answer, response)
        self.recorder.crisis(e, t, date, request, asked, response, channel, own, size, to_russia)
        self._learn(e, target, channel, to_russia, (asked_russia, answer), (asked, response))
        self._log_crisis(e, t, date, channel, own, request, blocked, response)

    def _war_backed(self, e: Event, t: int) -> np.ndarray:
        """Per world, whether every other active party backed the calls for political support
        that the war's source made this month."""
        calls = [
            self.support_backs[c.id]
            for c in self.onsets.get(t, [])
            if c.shock == "political_support_request" and c.source == e.source
        ]
        active = np.stack([a.is_active() for a in self.agents], axis=1)
        active[:, [a.code == e.source for a in self.agents]] = False
        return council.backs_a_partys_war(calls, active)

    def _internal_caution(self, e: Event) -> np.ndarray:
        """The active members' mean sovereignty sensitivity, in unrest not framed as foreign-backed
        (the Charter's non-interference); 0 otherwise."""
        if not council.called_internal(e.kind, e.framed_foreign):
            return np.zeros(self.n_worlds)
        active = np.stack([a.is_active() for a in self.agents], axis=1)
        sovereignty = np.stack([a.sovereignty for a in self.agents], axis=1)
        return (sovereignty * active).sum(axis=1) / np.maximum(active.sum(axis=1), 1)

    def aggressor_patron(self, e: Event) -> np.ndarray | float:
        """How far Russia is bound to the aggressor of ``e`` (its ``bilateral_patron`` fact) if it
        is one of the nine states, else 0."""
        aggressor = self.by_code.get(e.source) if e.source else None
        return 0.0 if aggressor is None else aggressor.bilateral_patron

    def ties_to_aggressor(self, e: Event) -> np.ndarray:
        """Russia's affinity with the aggressor of ``e`` per world, where the aggressor is not a
        party to the treaty there (an outsider, or a former party: Azerbaijan in E12 and E19); 0
        for a party (a clash between members, E14 and E20) or a crisis without an aggressor."""
        n = self.n_worlds
        if e.source is None or e.source == "RUS":
            return np.zeros(n)
        value = float(self.affinity[ACTOR_INDEX["RUS"], ACTOR_INDEX[e.source]])
        aggressor = self.by_code.get(e.source)
        if aggressor is None:
            return np.full(n, value)
        return np.where(aggressor.is_party(), 0.0, value)

    def _learn(
        self,
        e: Event,
        target: MemberState,
        channel: np.ndarray,
        to_russia: np.ndarray,
        bilateral: tuple[np.ndarray, np.ndarray],
        collective: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """The requester learns about each provider it asked, under the crisis's scope; the other
        active members learn more weakly; an answer below the ask leaves a grievance."""
        scope = appeal.trust_scope(e.kind)
        to_collective = (channel == Channel.CONSULTATIONS) | (channel == Channel.ASSISTANCE)
        asked_any = to_russia | to_collective
        if scope is None or not np.any(asked_any):
            return
        met_russia = (bilateral[1] >= bilateral[0]).astype(float)
        met_collective = (collective[1] >= collective[0]).astype(float)
        for provider, seen, success in (
            (Provider.RUSSIA, to_russia, met_russia),
            (Provider.COLLECTIVE, to_collective, met_collective),
        ):
            for a in self.agents:
                weight = np.where(a is target, 1.0, trust.SPILLOVER * a.is_active()) * seen
                i = a.index
                self.help_count[:, i, provider, scope], self.fail_count[:, i, provider, scope] = (
                    trust.observe(
                        self.help_count[:, i, provider, scope],
                        self.fail_count[:, i, provider, scope],
                        success,
                        weight,
                    )
                )
        # the alliance's answer is what membership is judged by, where the alliance was asked
        met = np.where(to_collective, met_collective, met_russia)
        self._aggrieve(target, membership.unmet(e.severity, met) * asked_any)

    def _log_crisis(self, e, t, date, channel, answer, request, blocked, response) -> None:
        rec = self.recorder
        for i in rec.logged:
            detail = (
                f"appeal={CHANNEL_NAMES[channel[i]]} russia={BILATERAL_NAMES[answer[i]]} "
                f"request={REQUEST_NAMES[request[i]]}"
            )
            rec.note(i, t, date, "appeal", e.target, e.id, detail)
            if request[i] == Request.ASSISTANCE:
                blockers = [MEMBERS[j] for j in np.flatnonzero(blocked[i])]
                votes = "blocked by " + ", ".join(blockers) if blockers else "no block"
                rec.note(i, t, date, "deliberate", "council", e.id, votes)
            rec.note(i, t, date, "respond", "council", e.id, RUNG_NAMES[response[i]])

    # --- stage 6: membership --------------------------------------------------------------------
    def _membership(self, t: int, date: str, renewal: bool) -> None:
        for a in self.agents:
            pending = a.notice > 0
            if np.any(pending):
                a.notice = np.where(pending, a.notice - 1, 0).astype(np.int8)
                due = pending & (a.notice == 0)
                self._change(a, t, date, np.where(due, Status.WITHDRAWN, a.status))
        if t not in self.occasion_months:
            return
        summit = t in self.summits
        active = np.stack([a.is_active() for a in self.agents], axis=1)
        p = self.p
        for a in self.states[1:]:  # Russia never leaves its own alliance
            noise = self.resolve[:, a.index]
            pressure = a.leave_pressure()
            if renewal:
                self._change(
                    a,
                    t,
                    date,
                    membership.lapse(
                        a.status, pressure, noise, freeze_threshold=p.freeze_threshold
                    ),
                )
                continue
            # at a summit, the aggrieved and those already out of the active status weigh a change
            aggrieved = self.grievance[:, a.index] >= membership.AGGRIEVED
            at_summit = summit & (aggrieved | (a.status != Status.ACTIVE))
            occasion = (at_summit | self._aggrieved[:, a.index]) & (a.notice == 0)
            hostile = self.affinity[a.actor, : len(MEMBERS)] <= -1.0
            blocked = (active & hostile[None, :]).any(axis=1)
            new, notice = membership.decide(
                a.status,
                pressure,
                noise,
                occasion,
                blocked,
                p.dependency_weight * a.dependency,
                freeze_threshold=p.freeze_threshold,
                withdraw_margin=p.withdraw_margin,
            )
            a.notice = np.where(notice, membership.NOTICE_MONTHS, a.notice).astype(np.int8)
            self._change(a, t, date, new)

    def _change(self, a: MemberState, t: int, date: str, new: np.ndarray) -> None:
        self.recorder.status_change(a.code, t, date, a.status, new)
        a.status = new.astype(np.int8)


def _starting_facts(
    sc: Scenario, n: int, start: EndState | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Member facts ``(W, M)`` and world facts ``(W,)`` at the start of a run: the baseline (or
    the end state continued), with the scenario's undated overrides on top."""
    base = baseline_member_facts()
    member = {k: np.tile(np.asarray(base[k], dtype=float), (n, 1)) for k in MEMBER_FACTS}
    world = {k: np.full(n, float(v)) for k, v in baseline_world_facts().items()}
    if start is not None:
        for name, values in start.facts.items():
            member[name] = values.copy()
        for k, fact in enumerate(PATRON_FACTS.values()):
            member[fact] = start.ties[:, :, k].copy()
        world["integration"] = start.integration.copy()
        world["russia_bandwidth"] = start.bandwidth.copy()
    for f in sc.facts:
        if f.date is None:
            member[f.field][:, MEMBERS.index(f.member)] = f.value
    for wf in sc.world:
        world[wf.field][:] = wf.value
    return member, world


def _collective_request(
    channel: np.ndarray, asked_own: np.ndarray, referred: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What reached the alliance, and the rung asked of it: the state's own Art. 2 or Art. 4
    request, or a request for troops Russia passed on (E08)."""
    request = np.where(channel == Channel.ASSISTANCE, Request.ASSISTANCE, Request.NONE)
    request = np.where(channel == Channel.CONSULTATIONS, Request.CONSULTATIONS, request)
    request = np.where(referred, Request.ASSISTANCE, request).astype(np.int8)
    collective = (channel == Channel.ASSISTANCE) | (channel == Channel.CONSULTATIONS)
    asked = np.where(collective, asked_own, Rung.NONE)
    asked = np.where(referred, Rung.DEPLOYMENT, asked)
    return request, asked.astype(np.int8)


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
