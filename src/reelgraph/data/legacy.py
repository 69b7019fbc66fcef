"""Readers for the legacy MovieLens layouts: ml-100k (`u.data`, `u.item`) and ml-1m (`.dat`)."""

from __future__ import annotations

from reelgraph.data.releases import Release

# TODO: ml-100k and ml-1m readers land with their fixtures and error tests.
RELEASES: list[Release] = []
