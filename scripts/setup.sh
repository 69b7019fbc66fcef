#!/usr/bin/env bash
# Set up a development environment in .venv: the package with its test, benchmark and Spark
# extras, and the web page's JavaScript packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev,bench,spark]"
# JavaScript: the web page's libraries (repo root) and Neo4j's Cypher parser for the checks.
npm ci --silent --no-audit --no-fund --ignore-scripts
npm ci --silent --no-audit --no-fund --ignore-scripts --prefix tools/cypher-check
echo "reelgraph set up in .venv: $(.venv/bin/reelgraph --version)"
