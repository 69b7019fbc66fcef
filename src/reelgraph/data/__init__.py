"""Reading MovieLens releases into a `Dataset`, whatever their file layout."""

from reelgraph.data.dataset import Dataset, Genome, LoadReport
from reelgraph.data.releases import detect, load

__all__ = ["Dataset", "Genome", "LoadReport", "detect", "load"]
