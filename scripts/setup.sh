#!/usr/bin/env bash
# Set up a development environment in .venv: the package with its test, benchmark and Spark
# extras, and the web page's JavaScript packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev,bench,spark]"
if [ -f package.json ] && command -v npm >/dev/null; then
    npm ci --silent --no-audit --no-fund
fi
echo "reelgraph set up in .venv: $(.venv/bin/reelgraph --version)"
