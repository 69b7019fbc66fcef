"""The similarity graph in a graph database: model, Cypher, and the stores behind one interface."""

from reelgraph.graph.store import (
    GraphStore,
    LoadResult,
    SimilarFilters,
    StoreOptions,
    open_store,
    register_store,
    store_names,
)

__all__ = [
    "GraphStore",
    "LoadResult",
    "SimilarFilters",
    "StoreOptions",
    "open_store",
    "register_store",
    "store_names",
]
