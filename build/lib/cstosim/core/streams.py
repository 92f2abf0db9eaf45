"""Random streams that make a world's numbers independent of how worlds are split into chunks.

World ``w`` belongs to block ``w // BLOCK``; each block has a PCG64 stream seeded from
``SeedSequence(seed, spawn_key=(block,))``. A chunk covering worlds ``[start, stop)`` reads only
its own slice of each block's draw, jumping over the rest with ``PCG64.advance`` (one 64-bit
output per double), so any chunking gives identical numbers at the cost of its own worlds only.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1024


class WorldStreams:
    """Uniform draws for worlds ``[start, stop)`` of a run seeded with ``seed``.

    With ``period``, world ``w`` reads the stream of world ``w % period``: the worlds of different
    sweep points then share their replicates' random numbers (common random numbers).
    """

    def __init__(
        self, seed: int | np.random.SeedSequence, start: int, stop: int, period: int | None = None
    ) -> None:
        if stop <= start or start < 0:
            raise ValueError(f"empty or negative world range [{start}, {stop})")
        self._period = None
        if period is not None:
            self._period = WorldStreams(seed, 0, period)
            self._index = np.arange(start, stop) % period
            return
        entropy = seed.entropy if isinstance(seed, np.random.SeedSequence) else int(seed)
        self.start, self.stop = start, stop
        first, last = start // BLOCK, (stop - 1) // BLOCK
        self._blocks = []
        for b in range(first, last + 1):
            lo = max(start, b * BLOCK) - b * BLOCK
            hi = min(stop, (b + 1) * BLOCK) - b * BLOCK
            bitgen = np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(b,)))
            self._blocks.append((bitgen, np.random.Generator(bitgen), lo, hi))

    def uniform(self, k: int | None = None) -> np.ndarray:
        """One draw per world ``(n,)``, or ``k`` per world ``(n, k)``, in [0, 1)."""
        if self._period is not None:
            return self._period.uniform(k)[self._index]
        width = 1 if k is None else k
        parts = []
        for bitgen, gen, lo, hi in self._blocks:
            if lo:
                bitgen.advance(lo * width)
            parts.append(gen.random((hi - lo, width)))
            if hi < BLOCK:
                bitgen.advance((BLOCK - hi) * width)
        out = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return out[:, 0] if k is None else out


class NoDraws:
    """Stands in for Mesa's ``model.random`` and ``model.rng``: any use raises at once.

    A draw from a model-wide generator would depend on how many worlds share the model instance,
    so the same world would see different numbers under different chunkings. Every draw must come
    from :class:`WorldStreams`.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        raise RuntimeError(
            f"model.{self._name}.{attr}: the model draws only from its WorldStreams "
            "(cstosim.core.streams); Mesa's generators would break chunk invariance"
        )
