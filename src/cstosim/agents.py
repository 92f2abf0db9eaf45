"""Mesa agents: every attribute is an array over worlds; every method calls a rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from . import rules
from .vocabulary import ACTOR_INDEX, MEMBER_INDEX, Status

if TYPE_CHECKING:
    from .model import AllianceModel
    from .scenario import Event


class MemberState(mesa.Agent):
    """A treaty state: perceives threats, invokes the treaty, takes stances, weighs staying."""

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
        self.outside_option = facts["outside_option"]
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
        self.threat = np.maximum(
            self.threat_baseline + (1 - decay) * (self.threat - self.threat_baseline), external
        )
        self.unrest = np.maximum(
            self.unrest_baseline + (1 - decay) * (self.unrest - self.unrest_baseline), internal
        )
        self.entrapment = (1 - decay) * self.entrapment

    # --- invoke ---------------------------------------------------------------------------------
    def invoke(self, event: Event, scope: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
        """Choose none, consultations or assistance by multinomial logit (brief §3 step 2)."""
        p = self.model.p
        gap = rules.capacity_gap(event.severity, self.capacity)
        utilities = rules.invoke_utilities(
            event.severity, scope, gap, self.trust, self.sovereignty_sensitivity, p
        )
        _, request = rules.softmax_choice(utilities, p["temperature"], u)
        eligible = self.is_party()
        request = np.where(eligible, request, 0).astype(np.int8)
        return request, rules.asked_rung(request, gap, p["ask_deploy_gap"])

    # --- deliberate -----------------------------------------------------------------------------
    def willingness(self, event: Event, target: MemberState, scope: np.ndarray) -> np.ndarray:
        """Back an ally by affinity, against precedent fear and missing treaty scope."""
        aff = self.model.affinity
        source = aff[self.actor, ACTOR_INDEX[event.source]] if event.source else 0.0
        return rules.member_willingness(
            aff[self.actor, target.actor],
            source,
            self.sovereignty_sensitivity,
            event.kind == "internal_unrest",
            scope,
            self.model.p,
        )

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
        m = self.model
        return rules.net_cost_of_staying(
            self.trust,
            np.maximum(self.threat, self.unrest),
            self.dependency,
            self.alignment,
            self.sovereignty_sensitivity,
            m.integration,
            self.entrapment,
            self.outside_option,
            m.hostility_toward_members(self),
            m.p,
        )

    def weigh_membership(self, u: np.ndarray) -> np.ndarray:
        """Update disaffection and move status with hysteresis; returns the new status."""
        p = self.model.p
        self.disaffection = rules.update_disaffection(
            self.disaffection, self.net_cost(), p["disaffection_memory"]
        )
        down, up = rules.transition_probabilities(
            self.status, self.disaffection, self.dependency, p
        )
        return rules.next_status(self.status, down, up, u)


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

    def recover(self, ceiling: np.ndarray, rate: np.ndarray) -> None:
        """Bandwidth relaxes toward its ceiling (lowered while Russia wages a war)."""
        self.bandwidth = np.minimum(self.bandwidth + rate * (ceiling - self.bandwidth), ceiling)
        self.bandwidth = np.clip(self.bandwidth, 0.0, 1.0)

    def willingness(self, event: Event, target: MemberState, scope: np.ndarray) -> np.ndarray:
        """Interest in the ally and reputation, against ties to the aggressor and lost capacity."""
        m = self.model
        ties = m.affinity[self.actor, ACTOR_INDEX[event.source]] if event.source else 0.0
        return rules.russia_willingness(
            event.severity, target.alignment, m.reputation(), ties, self.bandwidth, scope, m.p
        )

    def weigh_membership(self, u: np.ndarray) -> np.ndarray:
        """Russia never leaves its own alliance."""
        return self.status
