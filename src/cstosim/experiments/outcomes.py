"""Each world's outcomes as integer arrays: what checks are scored from.

A run's record tables (``docs/results.md``) are for people and plots; a fit scores tens of
thousands of worlds per generation and needs only a few integer codes per world. A
:class:`WorldOutcomes` holds those codes, read either straight from a model's
:class:`~cstosim.core.records.Recorder` (no table is built) or from the tables of a finished run,
so both paths score through the same functions and give the same numbers.

Worlds are numbered ``0 .. n_worlds - 1`` from the first world of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.records import CRISIS_CODES, Recorder
from ..inputs.vocabulary import MEMBERS, STATUS_NAMES


@dataclass(frozen=True)
class Moves:
    """Every status change of a run, one entry each: the member (index into ``MEMBERS``), the
    step, the world and the status codes before and after, in the order they happened."""

    member: np.ndarray
    step: np.ndarray
    world: np.ndarray
    old: np.ndarray
    new: np.ndarray


@dataclass(frozen=True)
class WorldOutcomes:
    """Per-world outcome codes of one run: each crisis's columns ``(W,)``, each member's backing
    of each call for support ``(W,)`` and the status changes."""

    n_worlds: int
    crises: Mapping[str, Mapping[str, np.ndarray]]
    support: Mapping[tuple[str, str], np.ndarray]
    moves: Moves

    @classmethod
    def from_recorder(cls, rec: Recorder) -> WorldOutcomes:
        """The codes a model recorded, without building its tables."""
        crises = {
            c["crisis"]: {
                **{name: np.asarray(c[name], dtype=np.int64) for name in CRISIS_CODES},
                "appeal": np.asarray(c["appeal"], dtype=np.int64),
            }
            for c in rec.crises
        }
        support = {(s["event"], s["member"]): np.asarray(s["backs"], bool) for s in rec.support}
        parts = rec.transitions
        counts = [len(t[3]) for t in parts]
        index = {code: i for i, code in enumerate(MEMBERS)}

        def joined(j: int) -> np.ndarray:
            return np.concatenate([t[j] for t in parts]) if parts else np.zeros(0, np.int64)

        moves = Moves(
            member=np.repeat([index[t[0]] for t in parts], counts).astype(np.int64),
            step=np.repeat([t[1] for t in parts], counts).astype(np.int64),
            world=joined(3).astype(np.int64),
            old=joined(4).astype(np.int64),
            new=joined(5).astype(np.int64),
        )
        return cls(len(rec.world_ids), crises, support, moves)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> WorldOutcomes:
        """The codes of a finished run's tables (worlds ``0 .. n - 1``, as a run writes them);
        a crisis column a run made before Model 2 lacks is simply absent."""
        n = int(tables["members"]["world"].max()) + 1
        crises: dict[str, dict[str, np.ndarray]] = {}
        frame = tables["crises"]
        for event, rows in frame.groupby("crisis", sort=False, observed=True):
            worlds, label = rows["world"], f"crisis {event}"
            columns = {
                name: _per_world(worlds, _codes(rows[name], names), n, f"{label}: {name}")
                for name, names in CRISIS_CODES.items()
                if name in rows.columns
            }
            if "appeal" in rows.columns:
                values = rows["appeal"].to_numpy(dtype=bool).astype(np.int64)
                columns["appeal"] = _per_world(worlds, values, n, f"{label}: appeal")
            crises[str(event)] = columns
        support = {}
        for (event, member), rows in tables["support"].groupby(["event", "member"], sort=False):
            backs = np.zeros(n, dtype=bool)
            backs[rows["world"].to_numpy()] = rows["backs"].to_numpy(dtype=bool)
            support[(str(event), str(member))] = backs
        t = tables["transitions"]
        order = np.argsort(t["step"].to_numpy(), kind="stable")
        moves = Moves(
            member=_codes(t["member"], MEMBERS)[order],
            step=t["step"].to_numpy(dtype=np.int64)[order],
            world=t["world"].to_numpy(dtype=np.int64)[order],
            old=_codes(t["from_status"], STATUS_NAMES)[order],
            new=_codes(t["to_status"], STATUS_NAMES)[order],
        )
        return cls(n, crises, support, moves)

    # --- what checks read -----------------------------------------------------------------------
    def crisis(self, event: str, column: str) -> np.ndarray | None:
        """Each world's code in ``column`` of crisis ``event``; ``None`` if the run has no such
        column (a run made before Model 2)."""
        return self.crises[event].get(column)

    def backed(self, event: str, member: str) -> np.ndarray:
        """Whether ``member`` backed the call ``event``, per world; a member not asked (not
        active then) did not back."""
        found = self.support.get((event, member))
        return np.zeros(self.n_worlds, dtype=bool) if found is None else found

    def entries(
        self, member: str, status: str, from_status: str | None, n_steps: int
    ) -> np.ndarray:
        """``(worlds, steps)`` booleans: did ``member`` move into ``status`` (from
        ``from_status``, if given) at that step."""
        hit = self._of(member) & (self.moves.new == STATUS_NAMES.index(status))
        if from_status is not None:
            hit &= self.moves.old == STATUS_NAMES.index(from_status)
        out = np.zeros((self.n_worlds, n_steps), dtype=bool)
        out[self.moves.world[hit], self.moves.step[hit]] = True
        return out

    def status_at(self, member: str, initial: str, step: int) -> np.ndarray:
        """Each world's status name for ``member`` at the end of ``step``: its last move by
        then, else its status at the start."""
        out = np.full(self.n_worlds, initial, dtype=object)
        hit = self._of(member) & (self.moves.step <= step)
        worlds, new, steps = self.moves.world[hit], self.moves.new[hit], self.moves.step[hit]
        order = np.lexsort((steps, worlds))  # by world, then in time; ties keep their order
        worlds, new = worlds[order], new[order]
        last = np.r_[worlds[1:] != worlds[:-1], True] if worlds.size else worlds.astype(bool)
        out[worlds[last]] = np.asarray(STATUS_NAMES, dtype=object)[new[last]]
        return out

    def changes_per_world(self) -> np.ndarray:
        """How many status changes each world made, of every member."""
        return np.bincount(self.moves.world, minlength=self.n_worlds)

    def _of(self, member: str) -> np.ndarray:
        return self.moves.member == MEMBERS.index(member)


def _codes(values: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """Names (or a categorical of them) as their index in ``names``; an unknown name fails."""
    codes = pd.Categorical(values.astype(str), categories=names).codes.astype(np.int64)
    if (codes < 0).any():
        raise ValueError(f"{values.name}: a value outside {names}")
    return codes


def _per_world(worlds: pd.Series, values: np.ndarray, n_worlds: int, what: str) -> np.ndarray:
    out = np.full(n_worlds, -1, dtype=np.int64)
    out[worlds.to_numpy()] = values
    if (out < 0).any():
        raise ValueError(f"{what}: no outcome recorded for {int((out < 0).sum())} worlds")
    return out
