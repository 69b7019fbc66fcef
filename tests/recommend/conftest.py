"""The real ml-latest-small build shared with the graph tests."""

from tests.graph.conftest import graph_build  # noqa: F401
