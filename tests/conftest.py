"""Shared fixtures: where the real MovieLens data lives, and a seeded random generator."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

DATA_ENV = "REELGRAPH_TEST_DATA"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def data_root() -> Path:
    """The folder holding ml-latest-small/ and ml-25m-catalog/ (env REELGRAPH_TEST_DATA)."""
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


@pytest.fixture(scope="session")
def small_dir() -> Path:
    """The real ml-latest-small release."""
    folder = data_root() / "ml-latest-small"
    if not (folder / "movies.csv").is_file():
        pytest.fail(f"real MovieLens data not found in {folder}; set {DATA_ENV}")
    return folder


@pytest.fixture(scope="session")
def catalog_dir() -> Path:
    """The real ML-25M catalogue files and samples."""
    return data_root() / "ml-25m-catalog"


@pytest.fixture(scope="session")
def small(small_dir):
    """ml-latest-small loaded once per test session."""
    from reelgraph.data import load

    return load(small_dir)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every test run sees the same random data."""
    return np.random.default_rng(20261203)
