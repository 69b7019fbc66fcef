"""Views: per-movie feature vectors whose cosine similarities a recipe blends."""

from reelgraph.features.base import View, ViewVectors, make_view, register_view, view_names

__all__ = ["View", "ViewVectors", "make_view", "register_view", "view_names"]
