"""Writing a build's edges to files, atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from reelgraph.builds import Build
from reelgraph.errors import ReelgraphError


def write_edges(build: Build, fmt: str, out: Path | None) -> None:
    """Write the edges as `fmt` (csv or parquet) to `out`, or to standard output if None.

    A file is written beside its destination and renamed into place, so a failed export
    leaves any previous file intact.
    """
    table = pa.Table.from_pandas(build.edges, preserve_index=False)
    if out is None:
        _write(table, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:
        raise ReelgraphError(f"cannot write {str(out)!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            _write(table, fmt, f)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(table: pa.Table, fmt: str, sink) -> None:
    if fmt == "csv":
        # Arrow quotes every header name; plain names read better and parse the same.
        sink.write((",".join(table.column_names) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        pacsv.write_csv(table, sink, options)
    elif fmt == "parquet":
        pq.write_table(table, sink)
    else:  # the CLI's choices keep this unreachable; library callers get a clear error
        raise ValueError(f"unknown export format {fmt!r}; expected 'csv' or 'parquet'")
