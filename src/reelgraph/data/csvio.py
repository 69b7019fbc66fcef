"""Typed CSV reading with pyarrow, and errors that point at the offending line."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reelgraph.errors import DataError

_BLOCK = 1 << 24  # 16 MiB blocks keep the reader parallel on large files


def require_file(path: Path) -> Path:
    """Fail with a clear message when a required file is missing or empty."""
    if not path.is_file():
        raise DataError(path, "required file is missing")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty; expected a header line and data rows")
    return path


def read_csv(
    path: Path,
    types: dict[str, pa.DataType],
    *,
    optional: tuple[str, ...] = (),
    encoding: str = "utf8",
) -> pa.Table:
    """Read the named columns of a headed CSV file, converting each to its type.

    Args:
        path: the file; CRLF or LF line endings, RFC 4180 quoting.
        types: column name to Arrow type, for every column to read.
        optional: columns of `types` that may be absent from the file.
        encoding: the file's text encoding.

    Returns:
        A table with the present columns of `types`, in that order.

    Raises:
        DataError: naming the file, and the line and column of the first bad value.
    """
    require_file(path)
    header = _header(path, encoding)
    missing = [c for c in types if c not in header and c not in optional]
    if missing:
        raise DataError(
            path,
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"expected {', '.join(types)}, found {', '.join(header) or 'no columns'}",
        )
    present = [c for c in types if c in header]

    read = pacsv.ReadOptions(encoding=encoding, block_size=_BLOCK)
    convert = pacsv.ConvertOptions(
        column_types={c: types[c] for c in present},
        include_columns=present,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(path, read_options=read, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise _locate(path, {c: types[c] for c in present}, encoding, exc) from None
    if table.num_rows == 0:
        raise DataError(path, "file has a header but no data rows")
    return table


def _header(path: Path, encoding: str) -> list[str]:
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        first = f.readline()
    return [c.strip().strip('"') for c in first.rstrip("\r\n").split(",")] if first else []


def _locate(
    path: Path, types: dict[str, pa.DataType], encoding: str, cause: Exception
) -> DataError:
    """Re-read as text to find the first value that does not convert."""
    read = pacsv.ReadOptions(encoding=encoding, block_size=_BLOCK)
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(types, pa.string()), include_columns=list(types)
    )
    try:
        raw = pacsv.read_csv(path, read_options=read, convert_options=convert)
    except pa.ArrowInvalid as exc:
        return DataError(path, f"not a valid CSV file: {exc}")

    for name, kind in types.items():
        if pa.types.is_string(kind):
            continue
        column = raw[name]
        converted = pc.cast(column, kind, safe=False)
        bad = pc.and_(pc.is_null(converted), pc.is_valid(column))
        if not pc.any(bad).as_py():
            bad = pc.invert(_converts(column, kind))
        if pc.any(bad).as_py():
            row = pc.index(bad, True).as_py()
            found = column[row].as_py()
            return DataError(
                path,
                f"expected {_describe(kind)}, found {found!r}",
                line=row + 2,
                column=name,
            )
    return DataError(path, f"could not be read: {cause}")


def _converts(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    pattern = r"^\s*[+-]?\d+\s*$" if pa.types.is_integer(kind) else (
        r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
    )
    return pc.match_substring_regex(column, pattern)


def _describe(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "an integer"
    if pa.types.is_floating(kind):
        return "a number"
    return str(kind)
