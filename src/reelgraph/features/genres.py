"""The `genres` view: one-hot over the release's genres."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reelgraph.data.dataset import Dataset
from reelgraph.features.base import View, ViewVectors, normalised, register_view


@register_view("genres")
@dataclass
class GenresView(View):
    """One column per genre; `(no genres listed)` is no genre, so such movies have no vector."""

    idf: bool = False
    """Weight each genre by its inverse document frequency, log(N / movies with the genre), so
    that very common genres (Drama, Comedy) count less. False reproduces the published recipe."""

    def vectors(self, dataset: Dataset, ratings: pd.DataFrame) -> ViewVectors:
        n = len(dataset.movies)
        names = dataset.genre_names()
        column = {g: j for j, g in enumerate(names)}
        onehot = np.zeros((n, max(len(names), 1)), dtype=np.float64)
        for i, genres in enumerate(dataset.movies["genres"]):
            for g in genres:
                onehot[i, column[g]] = 1.0
        if self.idf and names:
            df = onehot.sum(axis=0)
            onehot *= np.log(n / np.maximum(df, 1.0))
        return normalised(onehot, n)
