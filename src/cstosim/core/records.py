"""What a model instance records: per-world outcomes, per-step aggregates, a sampled event log.

Arrays are recorded directly (no DataCollector: it deep-copies every collect). Tables follow
``docs/results.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..inputs.vocabulary import (
    BILATERAL_NAMES,
    CHANNEL_NAMES,
    MEMBERS,
    REQUEST_NAMES,
    RUNG_NAMES,
    STATUS_NAMES,
    Status,
)

#: The coded outcome columns of a crisis and the names of their codes (``appeal`` is a bool).
CRISIS_CODES: dict[str, tuple[str, ...]] = {
    "request": REQUEST_NAMES,
    "asked": RUNG_NAMES,
    "response": RUNG_NAMES,
    "channel": CHANNEL_NAMES,
    "russia": BILATERAL_NAMES,
}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Trust quantiles are read from histograms of this many bins on [0, 1] (resolution 0.001).
HIST_BINS = 1000
FIXED_POINT = float(2**32)


@dataclass
class Recorder:
    """Collects the outcome records of worlds ``world_ids`` (global numbers)."""

    world_ids: np.ndarray
    log_worlds: int = 0
    #: Whether to accumulate the per-step aggregates (``steps.parquet``); a fit reads none.
    step_sums: bool = True
    crises: list[dict] = field(default_factory=list)
    support: list[dict] = field(default_factory=list)
    transitions: list[tuple] = field(default_factory=list)
    steps: list[StepSums] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.logged = np.flatnonzero(self.world_ids < self.log_worlds)

    # --- per-world outcomes ---------------------------------------------------------------------
    def crisis(self, event, step: int, date: str, *codes: np.ndarray) -> None:
        """Record one crisis per world: the collective request, the rung asked of the alliance,
        its answer, the appeal channel, Russia's own answer, the troops deployed, and whether a
        bilateral appeal to Russia was made (alone or beside an Art. 4 request)."""
        request, asked, response, channel, russia, size, appeal = codes
        self.crises.append(
            dict(
                crisis=event.id,
                kind=event.kind,
                target=event.target,
                step=step,
                date=date,
                request=request,
                asked=asked,
                response=response,
                channel=channel,
                russia=russia,
                deploy_size=size,
                appeal=appeal,
            )
        )

    def backing(self, event_id: str, member: str, backs: np.ndarray) -> None:
        """Record who backed a call for political support, per world."""
        self.support.append(dict(event=event_id, member=member, backs=backs))

    def status_change(self, member: str, step: int, date: str, old, new) -> None:
        """Record the worlds in which ``member`` changed status this month."""
        changed = np.flatnonzero(old != new)
        if changed.size:
            self.transitions.append((member, step, date, changed, old[changed], new[changed]))
            for i in np.intersect1d(changed, self.logged):
                self.note(
                    i,
                    step,
                    date,
                    "membership",
                    member,
                    "",
                    f"{STATUS_NAMES[old[i]]} -> {STATUS_NAMES[new[i]]}",
                )

    # --- per-step aggregates --------------------------------------------------------------------
    def aggregate(
        self,
        trust: np.ndarray,
        status: np.ndarray,
        threat: np.ndarray,
        grievance: np.ndarray,
        bandwidth: np.ndarray,
    ) -> None:
        """Accumulate this step's sums, counts and trust histograms (exactly mergeable); every
        array but ``bandwidth`` is ``(M, W)``."""
        members = trust.shape[0]
        bins = np.minimum((trust * HIST_BINS).astype(np.int64), HIST_BINS - 1)
        offsets = np.arange(members)[:, None] * HIST_BINS
        hist = np.bincount((bins + offsets).ravel(), minlength=members * HIST_BINS)
        self.steps.append(
            StepSums(
                n=trust.shape[1],
                trust=fixed_sum(trust),
                threat=fixed_sum(threat),
                grievance=fixed_sum(grievance),
                bandwidth=fixed_sum(bandwidth[None, :]),
                status=np.stack([(status == s).sum(axis=1) for s in Status], axis=1),
                hist=hist.reshape(members, HIST_BINS),
            )
        )

    # --- sampled log ----------------------------------------------------------------------------
    def note(
        self,
        i: int | np.integer,
        step: int,
        date: str,
        stage: str,
        actor: str,
        event: str,
        detail: str,
    ) -> None:
        """Add one line to the event log of a logged world."""
        self.log.append(
            dict(
                world=int(self.world_ids[i]),
                step=step,
                date=date,
                stage=stage,
                actor=actor,
                event=event,
                detail=detail,
            )
        )

    # --- tables ---------------------------------------------------------------------------------
    def world_tables(self, final: Final) -> dict[str, pd.DataFrame]:
        """Per-world outcome tables of ``docs/results.md`` (all but ``steps``).

        Outcome columns are ordered categoricals built from the integer codes (no strings are
        formatted per world), so ladders keep their order in ``value_counts`` and plots.
        """
        transitions = self._transitions_table()
        return {
            "crises": self._crises_table(),
            "support": self._support_table(),
            "transitions": transitions,
            "members": self._members_table(final, transitions),
            "log": self._log_table(),
        }

    def _crises_table(self) -> pd.DataFrame:
        w, k = self.world_ids, len(self.crises)
        coded = {
            name: ordered(
                np.concatenate([c[name] for c in self.crises]) if k else np.zeros(0, np.int8),
                names,
            )
            for name, names in CRISIS_CODES.items()
        }
        meta = {
            name: np.repeat(np.asarray([c[name] for c in self.crises], dtype=object), len(w))
            for name in ("crisis", "kind", "target", "date")
        }
        steps = np.repeat(np.asarray([c["step"] for c in self.crises], dtype=np.int64), len(w))
        sizes = [c["deploy_size"] for c in self.crises]
        return pd.DataFrame(
            {
                "world": np.tile(w, k),
                "crisis": meta["crisis"].astype(str),
                "kind": meta["kind"].astype(str),
                "target": meta["target"].astype(str),
                "step": steps,
                "date": meta["date"].astype(str),
                "request": coded["request"],
                "asked": coded["asked"],
                "response": coded["response"],
                "channel": coded["channel"],
                "appeal": np.concatenate([c["appeal"] for c in self.crises]).astype(bool)
                if k
                else np.zeros(0, dtype=bool),
                "russia": coded["russia"],
                "deploy_size": np.concatenate(sizes).astype(float) if k else np.zeros(0),
            }
        )

    def _support_table(self) -> pd.DataFrame:
        w, k = self.world_ids, len(self.support)
        return pd.DataFrame(
            {
                "world": np.tile(w, k),
                "event": np.repeat([s["event"] for s in self.support], len(w)).astype(str),
                "member": np.repeat([s["member"] for s in self.support], len(w)).astype(str),
                "backs": np.concatenate([s["backs"] for s in self.support])
                if k
                else np.zeros(0, dtype=bool),
            }
        )

    def _log_table(self) -> pd.DataFrame:
        dtypes = {
            "world": "int64",
            "step": "int64",
            "date": str,
            "stage": str,
            "actor": str,
            "event": str,
            "detail": str,
        }
        return pd.DataFrame(
            {c: pd.Series([r[c] for r in self.log], dtype=t) for c, t in dtypes.items()}
        )

    def _transitions_table(self) -> pd.DataFrame:
        parts = self.transitions
        counts = [len(t[3]) for t in parts]

        def joined(j: int, dtype) -> np.ndarray:
            return np.concatenate([t[j] for t in parts]) if parts else np.zeros(0, dtype=dtype)

        return pd.DataFrame(
            {
                "world": self.world_ids[joined(3, np.int64)],
                "member": np.repeat([t[0] for t in parts], counts).astype(str),
                "step": np.repeat([t[1] for t in parts], counts).astype(np.int64),
                "date": np.repeat([t[2] for t in parts], counts).astype(str),
                "from_status": ordered(joined(4, np.int8), STATUS_NAMES),
                "to_status": ordered(joined(5, np.int8), STATUS_NAMES),
            }
        )

    def _members_table(self, final: Final, transitions: pd.DataFrame) -> pd.DataFrame:
        w = self.world_ids
        first = {}
        for status in ("frozen", "withdrawn"):
            hit = transitions[transitions["to_status"] == status]
            steps = hit.groupby(["member", "world"], observed=True)["step"].min()
            grid = pd.MultiIndex.from_product([list(MEMBERS), w], names=["member", "world"])
            first[status] = steps.reindex(grid, fill_value=-1).to_numpy()
        return pd.DataFrame(
            {
                "world": np.tile(w, len(MEMBERS)),
                "member": np.repeat(list(MEMBERS), len(w)),
                "final_status": ordered(final.status.T.ravel(), STATUS_NAMES),
                "first_frozen_step": first["frozen"],
                "first_withdrawn_step": first["withdrawn"],
                "final_trust": final.trust.T.ravel(),
                "final_grievance": final.grievance.T.ravel(),
            }
        )


@dataclass(frozen=True)
class Final:
    """Each world's last state, ``(W, M)`` each: status, trust in the alliance, grievance."""

    status: np.ndarray
    trust: np.ndarray
    grievance: np.ndarray


def ordered(codes: np.ndarray, names: tuple[str, ...]) -> pd.Categorical:
    """Integer codes as an ordered categorical of ``names`` (the ladder's order)."""
    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int8), categories=names, ordered=True
    )


@dataclass
class StepSums:
    """One step's aggregates as integers, so chunks merge by addition, exactly."""

    n: int
    trust: np.ndarray
    threat: np.ndarray
    grievance: np.ndarray
    bandwidth: np.ndarray
    status: np.ndarray
    hist: np.ndarray

    def __add__(self, other: StepSums) -> StepSums:
        return StepSums(
            *(
                getattr(self, f) + getattr(other, f)
                for f in ("n", "trust", "threat", "grievance", "bandwidth", "status", "hist")
            )
        )


def fixed_sum(values: np.ndarray) -> np.ndarray:
    """Row sums in fixed point (2**-32): integer addition is associative, float addition is not."""
    return np.round(values * FIXED_POINT).astype(np.int64).sum(axis=1)


def merge_steps(chunks: list[list[StepSums]]) -> list[StepSums]:
    """Per-step aggregates of several chunks of worlds, as if they had run as one."""
    return [sum(parts[1:], parts[0]) for parts in zip(*chunks, strict=True)]


def _quantiles(hist: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Quantiles ``(S, len(QUANTILES), M)`` from histograms ``(S, M, HIST_BINS)`` of ``n[s]``
    worlds, at bin centres."""
    cum = np.cumsum(hist, axis=2)
    out = np.empty((hist.shape[0], len(QUANTILES), hist.shape[1]))
    for k, q in enumerate(QUANTILES):
        idx = (cum < q * n[:, None, None]).sum(axis=2)
        out[:, k] = (np.minimum(idx, HIST_BINS - 1) + 0.5) / HIST_BINS
    return out


def steps_table(steps: list[StepSums], dates: list[str]) -> pd.DataFrame:
    """The ``steps.parquet`` table from accumulated per-step aggregates: one row per step and
    member, built from ``(steps, members)`` arrays at once."""
    if len(steps) != len(dates):
        raise ValueError(f"{len(steps)} steps of sums but {len(dates)} dates")
    n_steps, n_members = len(steps), len(MEMBERS)
    n = np.array([s.n for s in steps], dtype=np.int64)

    def mean(name: str) -> np.ndarray:
        sums = np.stack([getattr(s, name) for s in steps]).reshape(n_steps, -1)
        return sums / FIXED_POINT / n[:, None]

    table: dict[str, object] = {
        "step": np.repeat(np.arange(n_steps, dtype=np.int64), n_members),
        "date": np.repeat(np.array(dates, dtype=object), n_members),
        "member": np.tile(np.array(MEMBERS, dtype=object), n_steps),
        "trust_mean": mean("trust").ravel(),
    }
    quantiles = _quantiles(np.stack([s.hist for s in steps]), n)
    for k, q in enumerate(QUANTILES):
        table[f"trust_q{round(q * 100):02d}"] = quantiles[:, k].ravel()
    status = np.stack([s.status for s in steps])
    for k, name in enumerate(STATUS_NAMES):
        table[f"share_{name}"] = (status[:, :, k] / n[:, None]).ravel()
    table["threat_mean"] = mean("threat").ravel()
    table["grievance_mean"] = mean("grievance").ravel()
    bandwidth = np.full((n_steps, n_members), np.nan)
    bandwidth[:, 0] = mean("bandwidth")[:, 0]  # Russia's, in the first member's row
    table["bandwidth_mean"] = bandwidth.ravel()
    return pd.DataFrame(table)
