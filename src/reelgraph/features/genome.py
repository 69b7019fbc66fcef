"""The `genome` view: each movie's tag-genome relevance vector, ordered by tagId."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reelgraph.data.dataset import Dataset
from reelgraph.features.base import View, ViewVectors, normalised, register_view


@register_view("genome")
@dataclass
class GenomeView(View):
    """Tag relevances (1,128 tags in ML-20M and later); movies without genome rows get none."""

    centre: bool = False
    """Subtract each tag's mean relevance before the cosine, so that tags every movie has a
    little of stop dominating. False reproduces the published recipe."""

    def vectors(self, dataset: Dataset, ratings: pd.DataFrame) -> ViewVectors:
        n = len(dataset.movies)
        genome = dataset.genome
        if genome is None:
            return ViewVectors(np.zeros(0, np.int64), np.zeros((0, 1)), n)
        rows = np.searchsorted(dataset.movie_ids, genome.movie_ids).astype(np.int64)
        matrix = genome.relevance.astype(np.float64)
        if self.centre:
            matrix = matrix - matrix.mean(axis=0, keepdims=True)
        found = normalised(matrix, len(rows))
        return ViewVectors(rows[found.rows], found.matrix, n)
