"""Mesa agents: every attribute is an array over worlds; every method gathers inputs for a rule.

Why arrays over worlds rather than one agent per world: a batch or sweep needs 10^5-10^7
replicate runs, and numpy over replicates is about a hundred times faster than Python over
agents (``docs/model.md``). With ``n_worlds = 1`` these are ordinary Mesa agents.

A state's trust counts and grievance live in arrays the model holds for all states at once, so
that a month's forgetting is one operation; each agent reads and writes its own slice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..inputs.vocabulary import (
    ACTOR_INDEX,
    MEMBER_INDEX,
    PATRON_FACTS,
    PATRONS,
    Provider,
    Scope,
    Status,
)
from .rules import appeal, council, membership, russia, support, trust
from .rules.choice import softmax_choice
from .rules.perceive import (
    bandwidth_ceiling,
    decay_toward,
    recover_bandwidth,
    western_alignment_shift,
)

#: Columns of ``MemberState.ties`` that hold the Western (EU) and the US ties.
_WESTERN = [PATRONS.index("WEST"), PATRONS.index("US")]

if TYPE_CHECKING:
    from ..inputs.scenario import Event
    from .model import AllianceModel


class MemberState(mesa.Agent):
    """A treaty state: perceives threats, appeals for help, takes stances, weighs staying."""

    model: AllianceModel

    def __init__(self, model: AllianceModel, code: str, facts: dict[str, np.ndarray]) -> None:
        super().__init__(model)
        self.code = code
        self.index = MEMBER_INDEX[code]
        self.actor = ACTOR_INDEX[code]
        self.dependency = facts["dependency"]
        self.alignment = facts["alignment"]
        self.sovereignty = facts["sovereignty_sensitivity"]
        self.capacity = facts["capacity"]
        self.bilateral_patron = facts["bilateral_patron"]
        #: ties to each patron of ``PATRONS``, ``(W, P)``
        self.ties = np.stack([facts[f] for f in PATRON_FACTS.values()], axis=1)
        self.threat_baseline = facts["threat"]
        self.threat = facts["threat"].copy()
        self.unrest_baseline = facts["unrest"]
        self.unrest = facts["unrest"].copy()
        self.status = np.zeros(len(self.dependency), dtype=np.int8)  # set by the model
        self.notice = np.zeros(len(self.dependency), dtype=np.int8)  # months to a withdrawal

    # --- the model-held arrays of this state -----------------------------------------------------
    @property
    def help_count(self) -> np.ndarray:
        """Answers that helped, by provider and scope ``(W, 2, 3)`` (a view)."""
        return self.model.help_count[:, self.index]

    @property
    def fail_count(self) -> np.ndarray:
        """Answers that did not help, by provider and scope ``(W, 2, 3)`` (a view)."""
        return self.model.fail_count[:, self.index]

    @property
    def grievance(self) -> np.ndarray:
        """Accumulated grievance against the alliance ``(W,)`` (a view)."""
        return self.model.grievance[:, self.index]

    def expected_help(self, provider: Provider, scope: Scope) -> np.ndarray:
        """The help this state expects from ``provider`` in a crisis of ``scope``."""
        return trust.expected_help(
            self.help_count[:, provider, scope], self.fail_count[:, provider, scope]
        )

    def is_party(self) -> np.ndarray:
        """Worlds in which the state is bound by the treaty (active or frozen)."""
        return (self.status == Status.ACTIVE) | (self.status == Status.FROZEN)

    def is_active(self) -> np.ndarray:
        """Worlds in which the state takes part in the alliance."""
        return self.status == Status.ACTIVE

    # --- perceive -------------------------------------------------------------------------------
    def perceive(self, external: float, internal: float) -> None:
        """Threat and unrest rise to the severity of the crises under way, else fade back."""
        self.threat = decay_toward(self.threat, self.threat_baseline, external)
        self.unrest = decay_toward(self.unrest, self.unrest_baseline, internal)

    def take_offer(self, patron: int, ties_after: np.ndarray) -> None:
        """Set the ties to one patron after an offer or a rebuff; alignment follows Western ties."""
        before = self.ties[:, _WESTERN].max(axis=1)
        self.ties[:, patron] = ties_after
        self.alignment = western_alignment_shift(
            self.alignment, before, self.ties[:, _WESTERN].max(axis=1)
        )

    # --- appeal ---------------------------------------------------------------------------------
    def appeal(self, event: Event, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Choose none, a bilateral appeal, consultations or assistance by logit; returns the
        channel, the capacity gap and the asked rung on the chosen provider's ladder."""
        p = self.model.p
        need = appeal.capacity_gap(event.severity, self.capacity)
        scope = appeal.trust_scope(event.kind)
        prior = Scope.TERRITORIAL if scope is None else scope
        active = self.is_active()
        admissible = (
            appeal.bilateral_admissible(event.kind, event.framed_foreign, event.regime_at_risk),
            active & appeal.art2_admissible(event.kind, event.framed_foreign),
            active & appeal.art4_admissible(event.kind, event.framed_foreign),
        )
        utilities = appeal.appeal_utilities(
            event.severity,
            need,
            (
                self.expected_help(Provider.RUSSIA, prior),
                self.expected_help(Provider.COLLECTIVE, prior),
            ),
            appeal.patron_against(self.bilateral_patron, self.model.aggressor_patron(event)),
            self.sovereignty,
            admissible,
            need_weight=p.need_weight,
            ask_cost=p.ask_cost,
            sovereignty_weight=p.sovereignty_weight,
            consult_weight=p.consult_weight,
            treaty_weight=p.treaty_weight,
        )
        _, channel = softmax_choice(utilities, u)
        channel = channel.astype(np.int8)
        return channel, need, appeal.asked_rungs(channel, need, scope, p.troops_gap)

    # --- deliberate -----------------------------------------------------------------------------
    def blocks(self, event: Event, target: MemberState, noise: np.ndarray) -> np.ndarray:
        """Whether this state, if active, blocks collective action for ``target``."""
        aff, p = self.model.affinity, self.model.p
        source = aff[self.actor, ACTOR_INDEX[event.source]] if event.source else 0.0
        unframed = council.called_internal(event.kind, event.framed_foreign)
        drawn = council.blocks(
            aff[self.actor, target.actor],
            source,
            self.sovereignty,
            unframed,
            noise,
            affinity_weight=p.affinity_weight,
            precedent_weight=p.precedent_weight,
            block_cut=p.block_cut,
        )
        return drawn & self.is_active()

    def backs(self, severity: float, noise: np.ndarray) -> np.ndarray:
        """Whether this state, if active, backs Russia's call for political support."""
        p = self.model.p
        drawn = support.backs(
            self.dependency,
            self.alignment,
            self.outside(),
            severity,
            noise,
            dependency_weight=p.dependency_weight,
            outside_weight=p.outside_weight,
            support_cost=p.support_cost,
        )
        return drawn & self.is_active()

    # --- membership -----------------------------------------------------------------------------
    def outside(self) -> np.ndarray:
        """This state's outside option: its ties to each patron, weighted by rivalry with Russia."""
        return membership.outside_pull(self.ties, self.model.patron_rivalry)

    def leave_pressure(self) -> np.ndarray:
        """Pressure to leave the alliance, from this state's facts and the alliance around it."""
        m, p = self.model, self.model.p
        expected = np.maximum(
            self.expected_help(Provider.RUSSIA, Scope.TERRITORIAL),
            self.expected_help(Provider.COLLECTIVE, Scope.TERRITORIAL),
        )
        threat = np.maximum(self.threat, self.unrest)
        return membership.leave_pressure(
            self.grievance,
            self.outside(),
            self.sovereignty * m.integration,
            self.dependency,
            membership.protection(expected, threat, m.russia.bandwidth),
            grievance_weight=p.grievance_weight,
            outside_weight=p.outside_weight,
            sovereignty_weight=p.sovereignty_weight,
            dependency_weight=p.dependency_weight,
            protection_weight=p.protection_weight,
        )


class Russia(MemberState):
    """Russia: a member whose answers weigh its motives, ties and bandwidth."""

    def __init__(
        self, model: AllianceModel, code: str, facts: dict[str, np.ndarray], bandwidth: np.ndarray
    ) -> None:
        super().__init__(model, code, facts)
        self.bandwidth = bandwidth

    def recover(self, war_severity: float) -> None:
        """Bandwidth relaxes toward its ceiling, lowered while Russia wages a war."""
        ceiling = bandwidth_ceiling(war_severity, self.model.p.war_burden)
        self.bandwidth = recover_bandwidth(self.bandwidth, ceiling)

    def willingness(self, event: Event, target: MemberState | None) -> np.ndarray:
        """Russia's willingness to act for the target of ``event`` (its motives, each a term)."""
        m, p = self.model, self.model.p
        ties = m.ties_to_aggressor(event)
        alignment = target.alignment if target is not None else np.zeros(m.n_worlds)
        on_party = target.is_party() if target is not None else False
        crisis = russia.Crisis(event.kind, event.severity, event.regime_at_risk, ties)
        return russia.russia_willingness(
            crisis,
            alignment,
            on_party,
            self.bandwidth,
            regime_motive=p.regime_motive,
            territory_motive=p.territory_motive,
            reputation_motive=p.reputation_motive,
            ties_weight=p.ties_weight,
            bandwidth_weight=p.bandwidth_weight,
        )
