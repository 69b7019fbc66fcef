"""Progress bars for long steps; the library reports progress through plain callbacks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


class Bars:
    """A progress factory (see `reelgraph.pipeline.Progress`) drawing tqdm bars on stderr.

    Bars are hidden when stderr is not a terminal, so logs and CI output stay clean.
    """

    def __init__(self) -> None:
        self._open: list[tqdm] = []

    def __call__(self, step: str, total: int) -> Callable[[int], None]:
        bar = tqdm(total=total, desc=step, unit="movie", file=sys.stderr,
                   disable=not sys.stderr.isatty(), leave=False)  # fmt: skip
        self._open.append(bar)
        return bar.update

    def close(self) -> None:
        """Close every bar opened so far."""
        for bar in self._open:
            bar.close()
        self._open.clear()


@contextmanager
def bars() -> Iterator[Bars]:
    """A Bars factory closed on exit."""
    factory = Bars()
    try:
        yield factory
    finally:
        factory.close()
