"""What a model instance records: per-world outcomes, per-step aggregates, a sampled event log.

Arrays are recorded directly (no DataCollector: it deep-copies every collect). Tables follow
``docs/results.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..inputs.vocabulary import MEMBERS, REQUEST_NAMES, RUNG_NAMES, STATUS_NAMES, Status

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Trust quantiles are read from histograms of this many bins on [0, 1] (resolution 0.001).
HIST_BINS = 1000
FIXED_POINT = float(2**32)


@dataclass
class Recorder:
    """Collects the outcome records of worlds ``world_ids`` (global numbers)."""

    world_ids: np.ndarray
    log_worlds: int = 0
    crises: list[dict] = field(default_factory=list)
    support: list[dict] = field(default_factory=list)
    transitions: list[tuple] = field(default_factory=list)
    steps: list[StepSums] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.logged = np.flatnonzero(self.world_ids < self.log_worlds)

    # --- per-world outcomes ---------------------------------------------------------------------
    def crisis(self, event, step: int, date: str, request, asked, response, size) -> None:
        """Record one crisis: what was asked, the answer and any deployment, per world."""
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
                deploy_size=size,
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
    def aggregate(self, members: list, bandwidth: np.ndarray) -> None:
        """Accumulate this step's sums, counts and trust histograms (exactly mergeable)."""
        trust = np.stack([m.trust for m in members])
        status = np.stack([m.status for m in members])
        bins = np.minimum((trust * HIST_BINS).astype(np.int64), HIST_BINS - 1)
        offsets = np.arange(len(members))[:, None] * HIST_BINS
        hist = np.bincount((bins + offsets).ravel(), minlength=len(members) * HIST_BINS)
        self.steps.append(
            StepSums(
                n=trust.shape[1],
                trust=fixed_sum(trust),
                threat=fixed_sum(np.stack([m.threat for m in members])),
                disaffection=fixed_sum(np.stack([m.disaffection for m in members])),
                bandwidth=fixed_sum(bandwidth[None, :]),
                status=np.stack([(status == s).sum(axis=1) for s in Status], axis=1),
                hist=hist.reshape(len(members), HIST_BINS),
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
    def world_tables(self, members: list) -> dict[str, pd.DataFrame]:
        """Per-world outcome tables of ``docs/results.md`` (all but ``steps``)."""
        w = self.world_ids
        rung, req = np.asarray(RUNG_NAMES), np.asarray(REQUEST_NAMES)
        crises = (
            pd.concat(
                [
                    pd.DataFrame(
                        {
                            "world": w,
                            "crisis": c["crisis"],
                            "kind": c["kind"],
                            "target": c["target"],
                            "step": c["step"],
                            "date": c["date"],
                            "request": req[c["request"]],
                            "asked": rung[c["asked"]],
                            "response": rung[c["response"]],
                            "deploy_size": c["deploy_size"].astype(float),
                        }
                    )
                    for c in self.crises
                ],
                ignore_index=True,
            )
            if self.crises
            else _empty_crises()
        )
        support = (
            pd.concat(
                [
                    pd.DataFrame(
                        {
                            "world": w,
                            "event": s["event"],
                            "member": s["member"],
                            "backs": s["backs"],
                        }
                    )
                    for s in self.support
                ],
                ignore_index=True,
            )
            if self.support
            else pd.DataFrame(
                {
                    "world": pd.Series(dtype="int64"),
                    "event": pd.Series(dtype=str),
                    "member": pd.Series(dtype=str),
                    "backs": pd.Series(dtype=bool),
                }
            )
        )
        transitions = self._transitions_table()
        return {
            "crises": crises,
            "support": support,
            "transitions": transitions,
            "members": self._members_table(members, transitions),
            "log": self._log_table(),
        }

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
        names = np.asarray(STATUS_NAMES)
        parts = self.transitions
        counts = [len(t[3]) for t in parts]
        return pd.DataFrame(
            {
                "world": np.concatenate([self.world_ids[t[3]] for t in parts])
                if parts
                else np.zeros(0, dtype=np.int64),
                "member": np.repeat([t[0] for t in parts], counts).astype(str),
                "step": np.repeat([t[1] for t in parts], counts).astype(np.int64),
                "date": np.repeat([t[2] for t in parts], counts).astype(str),
                "from_status": names[np.concatenate([t[4] for t in parts])]
                if parts
                else np.zeros(0, dtype=str),
                "to_status": names[np.concatenate([t[5] for t in parts])]
                if parts
                else np.zeros(0, dtype=str),
            }
        )

    def _members_table(self, members: list, transitions: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for m in members:
            t = transitions[transitions["member"] == m.code]
            first = {}
            for status in ("frozen", "withdrawn"):
                hit = t[t["to_status"] == status].groupby("world")["step"].min()
                first[status] = hit.reindex(self.world_ids, fill_value=-1).to_numpy()
            rows.append(
                pd.DataFrame(
                    {
                        "world": self.world_ids,
                        "member": m.code,
                        "final_status": np.asarray(STATUS_NAMES)[m.status],
                        "first_frozen_step": first["frozen"],
                        "first_withdrawn_step": first["withdrawn"],
                        "final_trust": m.trust,
                        "final_disaffection": m.disaffection,
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)


@dataclass
class StepSums:
    """One step's aggregates as integers, so chunks merge by addition, exactly."""

    n: int
    trust: np.ndarray
    threat: np.ndarray
    disaffection: np.ndarray
    bandwidth: np.ndarray
    status: np.ndarray
    hist: np.ndarray

    def __add__(self, other: StepSums) -> StepSums:
        return StepSums(
            *(
                getattr(self, f) + getattr(other, f)
                for f in ("n", "trust", "threat", "disaffection", "bandwidth", "status", "hist")
            )
        )


def fixed_sum(values: np.ndarray) -> np.ndarray:
    """Row sums in fixed point (2**-32): integer addition is associative, float addition is not."""
    return np.round(values * FIXED_POINT).astype(np.int64).sum(axis=1)


def merge_steps(chunks: list[list[StepSums]]) -> list[StepSums]:
    """Per-step aggregates of several chunks of worlds, as if they had run as one."""
    return [sum(parts[1:], parts[0]) for parts in zip(*chunks, strict=True)]


def _quantiles(hist: np.ndarray, n: int) -> np.ndarray:
    """Quantiles ``(len(QUANTILES), M)`` from histograms ``(M, HIST_BINS)``, at bin centres."""
    cum = np.cumsum(hist, axis=1)
    out = np.empty((len(QUANTILES), hist.shape[0]))
    for k, q in enumerate(QUANTILES):
        idx = (cum < q * n).sum(axis=1)
        out[k] = (np.minimum(idx, HIST_BINS - 1) + 0.5) / HIST_BINS
    return out


def steps_table(steps: list[StepSums], dates: list[str]) -> pd.DataFrame:
    """The ``steps.parquet`` table from accumulated per-step aggregates."""
    frames = []
    for step, (s, date) in enumerate(zip(steps, dates, strict=True)):
        frame = {
            "step": step,
            "date": date,
            "member": list(MEMBERS),
            "trust_mean": s.trust / FIXED_POINT / s.n,
        }
        for q, values in zip(QUANTILES, _quantiles(s.hist, s.n), strict=True):
            frame[f"trust_q{round(q * 100):02d}"] = values
        for k, status in enumerate(STATUS_NAMES):
            frame[f"share_{status}"] = s.status[:, k] / s.n
        frame["threat_mean"] = s.threat / FIXED_POINT / s.n
        frame["disaffection_mean"] = s.disaffection / FIXED_POINT / s.n
        frame["bandwidth_mean"] = [s.bandwidth[0] / FIXED_POINT / s.n] + [np.nan] * (
            len(MEMBERS) - 1
        )
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def _empty_crises() -> pd.DataFrame:
    cols = (
        ("world", "int64"),
        ("crisis", str),
        ("kind", str),
        ("target", str),
        ("step", "int64"),
        ("date", str),
        ("request", str),
        ("asked", str),
        ("response", str),
        ("deploy_size", float),
    )
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols})
