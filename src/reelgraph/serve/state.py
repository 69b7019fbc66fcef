"""The build the server answers from: opened on first use, reopened when `current` moves.

A request never sees a half-read build: the new backend is built aside and swapped in whole.
A missing or unreadable build becomes BuildNotFound (HTTP 503) with what to do about it; the
failure is remembered for a few seconds so a burst of requests does not re-read broken files.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reelgraph.builds import CURRENT, Build
from reelgraph.errors import BuildNotFound, ReelgraphError

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2.0

BackendFactory = Callable[[Build], Any]
"""Makes the object answering API queries from an opened build."""


class ServeState:
    """Holds the backend for the current build under `home`.

    Args:
        home: the reelgraph home folder.
        factory: builds the backend from an opened Build (reads every table it needs).
        links: symbolic links under `home` whose moving means a new backend is needed (the
            build's `current`, and the embedded graph's live link when it is served).
    """

    def __init__(
        self, home: Path, factory: BackendFactory, links: tuple[str, ...] = (CURRENT,)
    ) -> None:
        self.home = Path(home)
        self.factory = factory
        self.links = links
        self._lock = threading.Lock()
        self._backend: Any = None
        self._target: tuple[str | None, ...] | None = None
        self._error: BuildNotFound | None = None
        self._failed_at = 0.0

    def backend(self) -> Any:
        """The backend of the current build, or BuildNotFound saying why there is none."""
        target = self._link_target()
        if self._backend is not None and target == self._target:
            return self._backend
        with self._lock:
            if self._backend is not None and target == self._target:
                return self._backend
            recent = time.monotonic() - self._failed_at < RETRY_AFTER_S
            if self._error is not None and target == self._target and recent:
                raise self._error
            return self._load(target)

    def _link_target(self) -> tuple[str | None, ...]:
        return tuple(_readlink(self.home / name) for name in self.links)

    def _load(self, target: tuple[str | None, ...]) -> Any:
        self._target = target
        try:
            build = Build.open(self.home)
            backend = self.factory(build)
        except ReelgraphError as exc:
            self._fail(exc if isinstance(exc, BuildNotFound) else BuildNotFound(str(exc)))
        except Exception as exc:  # a corrupt parquet or manifest raises many types
            log.exception("cannot read the build in %s", self.home)
            self._fail(
                BuildNotFound(
                    f"the build in {str(self.home)!r} cannot be read ({type(exc).__name__}: "
                    f"{exc}); run `reelgraph build` again"
                )
            )
        # The build's hundreds of thousands of long-lived objects would otherwise be scanned
        # by every full garbage collection, a pause of many milliseconds under load.
        gc.collect()
        gc.freeze()
        old, self._backend, self._error = self._backend, backend, None
        if old is not None:
            old.close()  # builds change rarely; a request still using it may fail once
        log.info("serving build %s", build.folder.name)
        return backend

    def _fail(self, error: BuildNotFound) -> None:
        if self._backend is not None:
            self._backend.close()
        self._backend, self._error, self._failed_at = None, error, time.monotonic()
        raise error

    def close(self) -> None:
        """Release the backend (a graph store's connection or files)."""
        with self._lock:
            if self._backend is not None:
                self._backend.close()
            self._backend = None


def _readlink(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None
