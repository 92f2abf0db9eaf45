"""Mesa agents: every attribute is an array over worlds; every method gathers inputs for a rule.

Why arrays over worlds rather than one agent per world: a batch or sweep needs 10^5-10^7
replicate runs, and numpy over replicates is about a hundred times faster than Python over
agents (``docs/model.md``). With ``n_worlds = 1`` these are ordinary Mesa agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..inputs.vocabulary import ACTOR_INDEX, MEMBER_INDEX, Status
from . import rules

if TYPE_CHECKING:
    from ..inputs.scenario import Event
    from .model import AllianceModel


class MemberState(mesa.Agent):
    """A treaty state: perceives threats, invokes the treaty, takes stances, weighs staying."""

    model: AllianceModel

    def __init__(
        self, model: AllianceModel, code: str, facts: dict[str, np.ndarray], status: np.ndarray
    ) -> None:
        super().__init__(model)
        self.code = code
        self.index = MEMBER_INDEX[code]
        self.actor = ACTOR_INDEX[code]
        self.dependency = facts["dependency"]
        self.alignment = facts["alignment"]
        self.trust = facts["trust"]
        self.sovereignty_sensitivity = facts["sovereignty_sensitivity"]
        self.capacity = facts["capacity"]
        # one outside option from the patron ties, until the patron-specific rules replace it
        west = np.maximum(facts["ties_west"], facts["ties_us"])
        other = np.maximum(
            np.maximum(facts["ties_china"], facts["ties_turkey"]), facts["ties_iran"]
        )
        self.outside_option = (west + other) / 2
        self.threat_baseline = facts["threat"]
        self.threat = facts["threat"].copy()
        self.unrest_baseline = facts["unrest"]
        self.unrest = facts["unrest"].copy()
        self.status = status
        self.entrapment = np.zeros_like(self.trust)
        self.disaffection = np.zeros_like(self.trust)  # set by the model once all states exist

    # --- perceive -------------------------------------------------------------------------------
    def perceive(self, external: float, internal: float, decay: np.ndarray) -> None:
        """Threat rises to the severity of active crises, else fades toward its baseline."""
        self.threat = rules.decay_toward(self.threat, self.threat_baseline, decay, external)
        self.unrest = rules.decay_toward(self.unrest, self.unrest_baseline, decay, internal)
        self.entrapment = rules.fade(self.entrapment, decay)

    def press(self, severity: float, backs: np.ndarray) -> None:
        """Feel the pressure of a call for support this state did not back."""
        self.entrapment = rules.entrapment_pressure(self.entrapment, severity, backs)

    # --- invoke ---------------------------------------------------------------------------------
    def invoke(self, event: Event, scope: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """Choose none, consultations or assistance by multinomial logit."""
        p = self.model.p
        gap = rules.capacity_gap(event.severity, self.capacity)
        utilities = rules.invoke_utilities(
            event.severity,
            scope,
            gap,
            self.trust,
            self.sovereignty_sensitivity,
            consult_weight=p.consult_weight,
            consult_cost=p.consult_cost,
            need_weight=p.need_weight,
            sovereignty_weight=p.sovereignty_weight,
            request_cost=p.request_cost,
        )
        _, request = rules.softmax_choice(utilities, p.temperature, u)
        request = np.where(self.is_party(), request, 0).astype(np.int8)
        return request, rules.asked_rung(request, gap, p.ask_deploy_gap)

    # --- deliberate -----------------------------------------------------------------------------
    def willingness(self, event: Event, target: MemberState, scope: np.ndarray) -> np.ndarray:
        """Back an ally by affinity, against precedent fear and missing treaty scope."""
        aff, p = self.model.affinity, self.model.p
        source = aff[self.actor, ACTOR_INDEX[event.source]] if event.source else 0.0
        return rules.member_willingness(
            aff[self.actor, target.actor],
            source,
            self.sovereignty_sensitivity,
            event.kind == "internal_unrest",
            scope,
            stance_base=p.stance_base,
            affinity_weight=p.affinity_weight,
            precedent_weight=p.precedent_weight,
            legal_weight=p.legal_weight,
        )

    def take_stance(self, willingness: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The stance drawn from a willingness; abstain where this state is not active."""
        p = self.model.p
        drawn = rules.stance(
            willingness, p.temperature, u, block_cut=p.block_cut, deploy_cut=p.deploy_cut
        )
        return np.where(self.status == Status.ACTIVE, drawn, rules.Stance.ABSTAIN)

    def backs_support(self, u: np.ndarray) -> np.ndarray:
        """Whether this state, if active, backs Russia's call for political support."""
        p = self.model.p
        prob = rules.backs_support_probability(
            self.alignment,
            self.outside_option,
            support_weight=p.support_weight,
            support_threshold=p.support_threshold,
            temperature=p.temperature,
        )
        return (u < prob) & (self.status == Status.ACTIVE)

    # --- learn ----------------------------------------------------------------------------------
    def learn(self, outcome: np.ndarray, rate: np.ndarray, mask: np.ndarray) -> None:
        """Move trust toward an observed outcome in the worlds of ``mask``."""
        self.trust = np.where(mask, rules.learn(self.trust, outcome, rate), self.trust)

    # --- membership -----------------------------------------------------------------------------
    def is_party(self) -> np.ndarray:
        """Worlds in which the state is bound by the treaty (active or frozen)."""
        return (self.status == Status.ACTIVE) | (self.status == Status.FROZEN)

    def net_cost(self) -> np.ndarray:
        """Cost minus value of staying, from this state's facts and the alliance around it."""
        m, p = self.model, self.model.p
        standing = rules.Standing(
            trust=self.trust,
            threat=np.maximum(self.threat, self.unrest),
            dependency=self.dependency,
            alignment=self.alignment,
            sovereignty=self.sovereignty_sensitivity,
            integration=m.integration,
            entrapment=self.entrapment,
            outside=self.outside_option,
            hostility=m.hostility_toward_members(self),
        )
        return rules.net_cost_of_staying(
            standing,
            value_protection=p.value_protection,
            value_dependency=p.value_dependency,
            value_alignment=p.value_alignment,
            cost_sovereignty=p.cost_sovereignty,
            cost_entrapment=p.cost_entrapment,
            cost_outside=p.cost_outside,
            cost_hostility=p.cost_hostility,
        )

    def weigh_membership(self, u: np.ndarray) -> np.ndarray:
        """Update disaffection and move status with hysteresis; returns the new status."""
        p = self.model.p
        self.disaffection = rules.update_disaffection(
            self.disaffection, self.net_cost(), p.disaffection_memory
        )
        down, up = rules.transition_probabilities(
            self.status,
            self.disaffection,
            self.dependency,
            freeze_threshold=p.freeze_threshold,
            withdraw_gap=p.withdraw_gap,
            thaw_gap=p.thaw_gap,
            rejoin_gap=p.rejoin_gap,
            value_dependency=p.value_dependency,
            status_hazard=p.status_hazard,
            temperature=p.temperature,
        )
        return rules.next_status(self.status, down, up, u)

    def lapse_at_renewal(self, u: np.ndarray) -> np.ndarray:
        """At a renewal window, the status after signing or not signing the prolongation."""
        p = self.model.p
        return rules.renewal_lapse(
            self.status,
            self.disaffection,
            u,
            freeze_threshold=p.freeze_threshold,
            temperature=p.temperature,
        )


class Russia(MemberState):
    """Russia: a member whose stance weighs interest, reputation, ties and bandwidth."""

    def __init__(
        self,
        model: AllianceModel,
        code: str,
        facts: dict[str, np.ndarray],
        status: np.ndarray,
        bandwidth: np.ndarray,
    ) -> None:
        super().__init__(model, code, facts, status)
        self.bandwidth = bandwidth

    def recover(self, war_severity: float) -> None:
        """Bandwidth relaxes toward its ceiling, lowered while Russia wages a war."""
        p = self.model.p
        ceiling = rules.bandwidth_ceiling(war_severity, p.war_burden)
        self.bandwidth = rules.recover_bandwidth(self.bandwidth, ceiling, p.bandwidth_recovery)

    def willingness(self, event: Event, target: MemberState, scope: np.ndarray) -> np.ndarray:
        """Interest in the ally and reputation, against ties to the aggressor and lost capacity."""
        m, p = self.model, self.model.p
        ties = m.affinity[self.actor, ACTOR_INDEX[event.source]] if event.source else 0.0
        return rules.russia_willingness(
            event.severity,
            target.alignment,
            m.reputation(),
            ties,
            self.bandwidth,
            scope,
            russia_interest=p.russia_interest,
            russia_reputation=p.russia_reputation,
            russia_ties=p.russia_ties,
            bandwidth_weight=p.bandwidth_weight,
            legal_weight=p.legal_weight,
        )

    def weigh_membership(self, u: np.ndarray) -> np.ndarray:
        """Russia never leaves its own alliance."""
        return self.status
