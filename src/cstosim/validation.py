"""Scoring the model against documented history: one row per check of an ``[expected]`` block.

Only this module reads ``[expected]``. For each check it computes ``p_model``, the share of worlds
that produce the documented outcome, and ``p_baseline`` from a situation-blind baseline: the base
rates of request kinds, response rungs, status changes and backing across the documented set.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scenario import Scenario
from .vocabulary import REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES

#: Probabilities are clipped to [EPS, 1] in the log score so one miss cannot dominate.
EPS = 1e-3
COLUMNS = [
    "scenario",
    "check",
    "kind",
    "documented",
    "p_model",
    "p_baseline",
    "modal_outcome",
    "modal_is_documented",
]


def brier(p: np.ndarray) -> np.ndarray:
    """Brier score of a forecast ``p`` for an outcome that happened: ``(1 − p)²``."""
    return (1.0 - np.asarray(p, dtype=float)) ** 2


def log_score(p: np.ndarray) -> np.ndarray:
    """Negative log probability of the outcome that happened, ``p`` clipped to [EPS, 1]."""
    return -np.log(np.clip(np.asarray(p, dtype=float), EPS, 1.0))


def status_at(initial: str, transitions: pd.DataFrame, worlds: np.ndarray, step: int) -> np.ndarray:
    """Each world's status name at the end of ``step``, from its start status and transitions."""
    out = pd.Series(initial, index=pd.Index(worlds, name="world"), dtype=object)
    done = transitions[transitions["step"] <= step].sort_values("step", kind="stable")
    last = done.groupby("world")["to_status"].last()
    out.loc[last.index] = last
    return out.to_numpy()


def entered_within(
    transitions: pd.DataFrame, worlds: np.ndarray, status: str, lo: int, hi: int
) -> np.ndarray:
    """Per world: did the member move into ``status`` at a step in ``[lo, hi]``."""
    hit = transitions[(transitions["to_status"] == status) & transitions["step"].between(lo, hi)]
    return np.isin(worlds, hit["world"].unique())


@dataclass(frozen=True)
class BaseRates:
    """Situation-blind base rates across the documented scenarios."""

    request: dict[str, float]
    response: dict[str, float]
    monthly_change: float
    backs: float

    @classmethod
    def from_scenarios(cls, scenarios: list[Scenario]) -> BaseRates:
        requests, responses = Counter(), Counter()
        changes = member_months = 0
        backs = []
        for sc in scenarios:
            exp = sc.expected
            if exp is None:
                continue
            for c in exp.crisis:
                requests[c.request] += 1
                for rung in c.response:
                    responses[rung] += 1 / len(c.response)
            changes += sum(1 for m in exp.membership if m.mode == "enters")
            parties = sum(1 for s in sc.members.values() if s != "never") - 1  # Russia never moves
            member_months += parties * sc.n_steps
            backs += [s.backs for s in exp.support]
        n_req, n_resp = sum(requests.values()), sum(responses.values())
        return cls(
            request={k: requests[k] / n_req if n_req else 0.0 for k in REQUEST_NAMES},
            response={k: responses[k] / n_resp if n_resp else 0.0 for k in RUNG_NAMES},
            monthly_change=changes / member_months if member_months else 0.0,
            backs=float(np.mean(backs)) if backs else 0.5,
        )


def score_scenario(sc: Scenario, tables: dict[str, pd.DataFrame], base: BaseRates) -> pd.DataFrame:
    """One row per check of ``sc.expected``: documented outcome, p_model, p_baseline, modal."""
    rows = []
    crises, support = tables["crises"], tables["support"]
    transitions, members = tables["transitions"], tables["members"]
    worlds = np.sort(members["world"].unique())
    exp = sc.expected
    if exp is None:
        return pd.DataFrame(columns=COLUMNS)

    for c in exp.crisis:
        rows_c = crises[crises["crisis"] == c.event]
        req = rows_c["request"].value_counts(normalize=True)
        rows.append(
            _row(
                sc,
                f"{c.event}: request",
                "request",
                c.request,
                req.get(c.request, 0.0),
                base.request[c.request],
                req.idxmax(),
                req.idxmax() == c.request,
            )
        )
        resp = rows_c["response"].value_counts(normalize=True)
        p = float(resp[resp.index.isin(c.response)].sum())
        rows.append(
            _row(
                sc,
                f"{c.event}: response",
                "response",
                "|".join(c.response),
                p,
                sum(base.response[r] for r in c.response),
                resp.idxmax(),
                resp.idxmax() in c.response,
            )
        )

    h = base.monthly_change
    for m in exp.membership:
        trans = transitions[transitions["member"] == m.member]
        step = sc.step_of(m.date)
        if m.mode == "enters":
            lo, hi = step - m.tolerance_months, step + m.tolerance_months
            hit = entered_within(trans, worlds, m.status, lo, hi)
            width = min(hi, sc.n_steps - 1) - max(lo, 0) + 1
            p_base = 1 - (1 - h) ** max(width, 0)
            label = f"{m.member} enters {m.status} {m.date}±{m.tolerance_months}"
        else:
            hit = status_at(sc.members[m.member], trans, worlds, step) == m.status
            stays = (1 - h) ** (step + 1)
            p_base = stays if sc.members[m.member] == m.status else 1 - stays
            label = f"{m.member} holds {m.status} at {m.date}"
        p = float(hit.mean())
        rows.append(
            _row(sc, label, "membership", "yes", p, p_base, "yes" if p >= 0.5 else "no", p >= 0.5)
        )

    for s in exp.support:
        b = support[(support["event"] == s.event) & (support["member"] == s.member)]["backs"]
        p = float((b == s.backs).mean())
        p_base = base.backs if s.backs else 1 - base.backs
        modal = bool(b.mean() >= 0.5)
        rows.append(
            _row(
                sc,
                f"{s.event}: {s.member} backs",
                "support",
                str(s.backs).lower(),
                p,
                p_base,
                str(modal).lower(),
                modal == s.backs,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(sc, check, kind, documented, p_model, p_baseline, modal, ok) -> dict:
    return dict(
        scenario=sc.id,
        check=check,
        kind=kind,
        documented=documented,
        p_model=float(p_model),
        p_baseline=float(p_baseline),
        modal_outcome=str(modal),
        modal_is_documented=bool(ok),
    )


def summarise(table: pd.DataFrame) -> dict[str, float]:
    """Headline numbers: modal hits, mean Brier and log scores of model and baseline."""
    return {
        "checks": int(len(table)),
        "modal_documented": int(table["modal_is_documented"].sum()),
        "brier_model": float(brier(table["p_model"]).mean()),
        "brier_baseline": float(brier(table["p_baseline"]).mean()),
        "log_model": float(log_score(table["p_model"]).mean()),
        "log_baseline": float(log_score(table["p_baseline"]).mean()),
    }


__all__ = ["BaseRates", "brier", "log_score", "score_scenario", "summarise", "STATUS_NAMES"]
