"""Top-k engines by name: `local` (this process) and, when installed, `spark`.

An engine is a callable with the signature of `reelgraph.similarity.engine.top_k`.
"""

from __future__ import annotations

from collections.abc import Callable

from reelgraph.errors import ReelgraphError
from reelgraph.similarity.engine import top_k

Engine = Callable[..., object]

_ENGINES: dict[str, Callable[[], Engine]] = {
    "local": lambda: top_k,
}


def register_engine(name: str, factory: Callable[[], Engine]) -> None:
    """Make an engine available by name; `factory` imports it on first use."""
    _ENGINES[name] = factory


def engine_names() -> list[str]:
    """Names of the registered engines."""
    return sorted(_ENGINES)


def get_engine(name: str) -> Engine:
    """The engine `name`, or an error listing the known ones."""
    if name not in _ENGINES:
        raise ReelgraphError(f"unknown engine {name!r}; choose one of {', '.join(_ENGINES)}")
    return _ENGINES[name]()
