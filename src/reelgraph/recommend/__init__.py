"""Recommenders that walk the similarity graph."""
