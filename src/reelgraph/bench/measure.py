"""Wall time and peak resident memory of a piece of work, and what BLAS the machine runs."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """This process's resident memory now, in bytes (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far, in bytes: VmHWM, which starts afresh at
    exec (ru_maxrss would count the forking parent's memory too)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class Measured:
    """What `measure` saw.

    Attributes:
        seconds: wall time of the block.
        start_bytes: resident memory when the block started.
        peak_bytes: the largest resident memory sampled during the block.
    """

    seconds: float = 0.0
    start_bytes: int = 0
    peak_bytes: int = 0

    @property
    def added_bytes(self) -> int:
        """Peak memory above the start: what the block itself needed."""
        return max(0, self.peak_bytes - self.start_bytes)


@contextmanager
def measure(interval: float = 0.02) -> Iterator[Measured]:
    """Time a block and sample its resident memory every `interval` seconds."""
    result = Measured(start_bytes=rss_bytes())
    result.peak_bytes = result.start_bytes
    done = threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            result.peak_bytes = max(result.peak_bytes, rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        result.peak_bytes = max(result.peak_bytes, rss_bytes())


class RssTrace:
    """Samples resident memory in a thread, so peaks can be looked up per time window."""

    def __init__(self, interval: float = 0.05) -> None:
        self.samples: list[tuple[float, int]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> RssTrace:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while True:
            self.samples.append((time.perf_counter(), rss_bytes()))
            if self._done.wait(interval):
                return

    def peak(self, start: float, stop: float) -> int:
        """The largest sample taken between two perf_counter times."""
        inside = [rss for when, rss in self.samples if start <= when <= stop]
        return max(inside, default=0)


def blas_info() -> str:
    """Which BLAS library, kernel and thread count numpy uses (threadpoolctl), and the
    OPENBLAS_CORETYPE setting, as one line."""
    from threadpoolctl import threadpool_info

    parts = []
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            parts.append(
                f"{pool.get('internal_api')} {pool.get('version')} kernel "
                f"{pool.get('architecture')} threads {pool.get('num_threads')}"
            )
    core = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return f"{'; '.join(parts) or 'no BLAS found'} (OPENBLAS_CORETYPE={core})"


def matmul_rate(dim: int = 1151, rows: int = 4096, repeats: int = 3) -> float:
    """The machine's float32 matrix multiply rate in FLOP/s (2 per multiply-add): the best
    of `repeats` products of (rows, dim) by (dim, rows)."""
    rng = np.random.default_rng(0)
    a = rng.random((rows, dim), dtype=np.float32)
    b = rng.random((rows, dim), dtype=np.float32)
    a @ b.T  # warm up threads and caches
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b.T
        best = min(best, time.perf_counter() - started)
    return 2.0 * rows * rows * dim / best
