"""The `usertags` view: TF-IDF over the free-text tags users applied (tags.csv).

A content signal for releases, or movies, without a tag genome. Tags are folded to lower case
with whitespace collapsed; a tag counts once per user who applied it to the movie. The term
frequency is log(1 + users who applied the tag) and the inverse document frequency is
log(movies with tags / movies with the tag), so a tag applied to every tagged movie weighs 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from reelgraph.data.dataset import Dataset
from reelgraph.features.base import View, ViewVectors, normalised, register_view


@register_view("usertags")
@dataclass
class UserTagsView(View):
    """TF-IDF tag vectors; movies without tags (or releases without tags.csv) get none."""

    min_movies: int = 1
    """Ignore tags applied to fewer movies than this (1 keeps every tag)."""

    def __post_init__(self) -> None:
        if self.min_movies < 1:
            raise ValueError(f"min_movies must be >= 1, not {self.min_movies!r}")

    def vectors(self, dataset: Dataset, ratings: pd.DataFrame) -> ViewVectors:
        n = len(dataset.movies)
        tags = dataset.tags
        if tags is None or tags.empty:
            return ViewVectors(np.zeros(0, np.int64), sp.csr_matrix((0, 1)), n)
        frame = pd.DataFrame({
            "movie_id": tags["movie_id"].to_numpy(),
            "user_id": tags["user_id"].to_numpy(),
            "tag": normalise_tags(tags["tag"]),
        }).drop_duplicates()  # fmt: skip
        frame = frame[frame["tag"] != ""]
        counts = frame.groupby(["movie_id", "tag"]).size().rename("users").reset_index()
        df = counts.groupby("tag").size()
        df = df[df >= self.min_movies]
        counts = counts[counts["tag"].isin(df.index)]
        if counts.empty:
            return ViewVectors(np.zeros(0, np.int64), sp.csr_matrix((0, 1)), n)

        vocabulary = {t: j for j, t in enumerate(df.index)}
        n_tagged = counts["movie_id"].nunique()
        idf = np.log(n_tagged / df.to_numpy(np.float64))
        cols = counts["tag"].map(vocabulary).to_numpy()
        tf = np.log1p(counts["users"].to_numpy(np.float64))
        rows = dataset.positions(counts["movie_id"].to_numpy())
        matrix = sp.csr_matrix((tf * idf[cols], (rows, cols)), shape=(n, len(vocabulary)))
        matrix.eliminate_zeros()
        return normalised(matrix, n)


def normalise_tags(tags: pd.Series) -> pd.Series:
    """Lower case, surrounding whitespace stripped, inner whitespace collapsed."""
    return tags.astype(str).str.lower().str.strip().str.replace(r"\s+", " ", regex=True)
