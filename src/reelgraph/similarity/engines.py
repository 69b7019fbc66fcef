"""Top-k engines by name: `local` (the structured engine in this process), `local-simple`
(the plain blocked engine it is tested against) and `spark` (needs the `spark` extra).

An engine is a callable with the signature of `reelgraph.similarity.engine.top_k`.
"""

from __future__ import annotations

from collections.abc import Callable

from reelgraph.errors import ReelgraphError
from reelgraph.similarity.engine import top_k, top_k_simple

Engine = Callable[..., object]

_ENGINES: dict[str, Callable[[], Engine]] = {
    "local": lambda: top_k,
    "local-simple": lambda: top_k_simple,
    "spark": lambda: _spark(),
}


def _spark() -> Engine:
    from reelgraph.similarity.spark import spark_top_k  # imports pyspark only when chosen

    return spark_top_k


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
