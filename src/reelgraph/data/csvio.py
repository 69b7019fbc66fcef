"""Typed reading of delimited text files with pyarrow, and errors that point at the bad line.

The fast path hands the whole file to pyarrow's multithreaded reader with the final column
types. Only when that fails (or a value is missing) does the slow path re-read the file as text
to find the first offending line and column, so valid files never pay for the diagnosis.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reelgraph.errors import DataError

_BLOCK = 1 << 24  # 16 MiB blocks keep the reader parallel on large files
_UNIT_SEPARATOR = "\x1f"  # stands in for multi-character delimiters such as `::`
_INTEGER = r"^\s*[+-]?\d+\s*$"
_NUMBER = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"


@dataclass(frozen=True)
class Layout:
    """How a file's text is laid out.

    Attributes:
        delimiter: the field separator; may be several characters (ml-1m uses `::`).
        encoding: the text encoding (`utf8`, or `latin-1` for ml-100k and ml-1m).
        names: the column names of a headerless file; None when the first line is a header.
        quoted: whether fields may be double-quoted (RFC 4180); legacy files are not.
    """

    delimiter: str = ","
    encoding: str = "utf8"
    names: tuple[str, ...] | None = None
    quoted: bool = True

    @property
    def header_lines(self) -> int:
        """1 when the first line names the columns, else 0."""
        return 0 if self.names else 1


CSV = Layout()


def require_file(path: Path) -> Path:
    """Fail with a clear message when a required file is missing or has no bytes."""
    if not path.is_file():
        found = (
            ", ".join(sorted(p.name for p in path.parent.iterdir())[:12])
            if (path.parent.is_dir())
            else "no such folder"
        )
        raise DataError(path, f"required file is missing; found only: {found or 'nothing'}")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty (0 bytes); expected a header line and data rows")
    return path


def read_csv(
    path: Path,
    types: dict[str, pa.DataType],
    *,
    optional: tuple[str, ...] = (),
    layout: Layout = CSV,
) -> pa.Table:
    """Read the named columns of a delimited file, converting each to its type.

    Args:
        path: the file; CRLF or LF line endings.
        types: column name to Arrow type, for every column to read.
        optional: columns of `types` that may be absent from the file's header.
        layout: delimiter, encoding, header and quoting of the file.

    Returns:
        A table with the present columns of `types`, in that order, without nulls.

    Raises:
        DataError: naming the file, and the line and column of the first bad value.
    """
    require_file(path)
    header = list(layout.names) if layout.names else _header(path, layout)
    missing = [c for c in types if c not in header and c not in optional]
    if missing:
        raise DataError(
            path,
            f"missing column(s) {', '.join(map(repr, missing))}; expected columns "
            f"{', '.join(types)}, found {', '.join(map(repr, header)) or 'no columns'}",
            line=1,
        )
    present = {c: types[c] for c in types if c in header}

    try:
        table = _read(path, layout, present)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _locate(path, layout, present, exc) from None
    if table.num_rows == 0:
        what = "only a header line" if layout.names is None else "only blank lines"
        raise DataError(path, f"file has no data rows; expected data rows, found {what}")
    _reject_nulls(path, layout, table, present)
    return table


def numpy_columns(table: pa.Table) -> tuple[np.ndarray, ...]:
    """Every column of a null-free table as a writable NumPy array, in table order."""
    arrays = (column.to_numpy() for column in table.columns)
    # A single-chunk column comes back as a read-only view of Arrow memory.
    return tuple(a if a.flags.writeable else a.copy() for a in arrays)


def line_of(path: Path, row: int, layout: Layout = CSV) -> int:
    """The 1-based line where data row `row` (0-based, as pyarrow counts) starts."""
    for index, (line, _) in enumerate(_records(path, layout)):
        if index == row:
            return line
    return row + 1 + layout.header_lines


def _read(path: Path, layout: Layout, types: dict[str, pa.DataType]) -> pa.Table:
    """One pyarrow read; text needing transcoding or a long delimiter is rewritten first."""
    source: Path | pa.BufferReader = path
    delimiter, encoding = layout.delimiter, layout.encoding
    if len(delimiter) > 1 or encoding.replace("-", "").lower() != "utf8":
        text = path.read_bytes().decode(encoding)
        if len(delimiter) > 1:
            text = text.replace(delimiter, _UNIT_SEPARATOR)
            delimiter = _UNIT_SEPARATOR
        source = pa.BufferReader(text.encode("utf8"))

    read = pacsv.ReadOptions(
        block_size=_BLOCK,
        column_names=list(layout.names) if layout.names else None,
    )
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if layout.quoted else False)
    convert = pacsv.ConvertOptions(
        column_types=types,
        include_columns=list(types),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return pacsv.read_csv(source, read_options=read, parse_options=parse, convert_options=convert)


def _header(path: Path, layout: Layout) -> list[str]:
    with path.open("r", encoding=layout.encoding, errors="replace", newline="") as f:
        first = f.readline().lstrip("\ufeff").rstrip("\r\n")
    return [c.strip().strip('"') for c in first.split(layout.delimiter)] if first else []


def _reject_nulls(
    path: Path, layout: Layout, table: pa.Table, types: dict[str, pa.DataType]
) -> None:
    for name in types:
        column = table[name]
        if column.null_count:
            row = pc.index(pc.is_null(column), True).as_py()
            raise DataError(
                path,
                f"expected {_describe(types[name])}, found an empty value",
                line=line_of(path, row, layout),
                column=name,
            )


def _locate(
    path: Path, layout: Layout, types: dict[str, pa.DataType], cause: Exception
) -> DataError:
    """The slow path: find the first line that does not parse or convert, as a DataError."""
    try:
        text = path.read_bytes().decode(layout.encoding)
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        bad = exc.object[exc.start : exc.end]
        return DataError(path, f"expected {layout.encoding} text, found the invalid bytes {bad!r}",
                         line=line)  # fmt: skip

    width = len(layout.names) if layout.names else len(_header(path, layout))
    for line, fields in _records(path, layout, text):
        if len(fields) != width:
            return DataError(path, f"expected {width} fields, found {len(fields)}: "
                             f"{layout.delimiter.join(fields)[:120]!r}", line=line)  # fmt: skip

    as_text = _read(path, layout, dict.fromkeys(types, pa.string()))
    for name, kind in types.items():
        if pa.types.is_string(kind):
            continue
        row = _first_bad(as_text[name], kind)
        if row is not None:
            found = as_text[name][row].as_py()
            return DataError(
                path,
                f"expected {_describe(kind)}, found {found!r}",
                line=line_of(path, row, layout),
                column=name,
            )
    return DataError(path, f"could not be read: {cause}")


def _first_bad(column: pa.ChunkedArray, kind: pa.DataType) -> int | None:
    """Index of the first value of a text column that is not a valid `kind`, or None."""
    pattern = _INTEGER if pa.types.is_integer(kind) else _NUMBER
    bad = pc.invert(pc.match_substring_regex(column, pattern))
    if pc.any(bad).as_py():
        return pc.index(bad, True).as_py()
    if pa.types.is_integer(kind):  # well-formed but too large for the type
        wide = pc.cast(column, pa.float64())
        info_min, info_max = _int_range(kind)
        outside = pc.or_(pc.less(wide, info_min), pc.greater(wide, info_max))
        if pc.any(outside).as_py():
            return pc.index(outside, True).as_py()
    return None


def _int_range(kind: pa.DataType) -> tuple[int, int]:
    bits = kind.bit_width
    if pa.types.is_signed_integer(kind):
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _records(
    path: Path, layout: Layout, text: str | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(starting line, fields) of each non-blank data record, the header skipped."""
    if text is None:
        text = path.read_bytes().decode(layout.encoding, errors="replace")
    lines = io.StringIO(text, newline="")
    if layout.quoted and len(layout.delimiter) == 1:
        reader = csv.reader(lines, delimiter=layout.delimiter, strict=False)
        previous = 0
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if start > layout.header_lines and fields:
                yield start, fields
        return
    for number, raw in enumerate(lines, start=1):
        raw = raw.rstrip("\r\n")
        if number > layout.header_lines and raw:
            yield number, raw.split(layout.delimiter)


def _describe(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return f"an integer ({kind})"
    if pa.types.is_floating(kind):
        return "a number"
    return str(kind)
