"""The similarity engine: exact top-k neighbours of every movie under a blended recipe."""

from reelgraph.similarity.engine import BlendedScorer, Neighbours, WeightedView, top_k

__all__ = ["BlendedScorer", "Neighbours", "WeightedView", "top_k"]
