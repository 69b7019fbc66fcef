"""CSV files and the command line for `neo4j-admin database import full`.

For catalogues too big for a transactional load, `write_admin_import` writes every label and
relationship type of the graph model (`reelgraph.graph.model`) as one CSV file with a typed
header, and the exact `neo4j-admin` command that imports them into a stopped Neo4j 5::

    Movie.csv       movieId:ID(Movie),title:string,year:long,genres:string[],...
    User.csv        userId:ID(User)
    Genre.csv       :ID(Genre),name:string
    Tag.csv         :ID(Tag),name:string,tagId:long
    GraphInfo.csv   :ID(GraphInfo),key:string,buildId:string,k:long,views:string[],...
    SIMILAR.csv     :START_ID(Movie),:END_ID(Movie),score:double,rank:long,<view>:double...
    IN_GENRE.csv, RATED.csv, HAS_TAG.csv
    import-command.txt   the command line
    schema.cypher        the unique constraints, to run once the imported database is up

Each label has its own ID space, so Movie 1 and User 1 are different nodes. The import runs
with `--id-type=integer`, which stores the integer ids as integers (`movieId`, `userId`):
labels keyed by a string (Genre, Tag by name) get a row number as an ID that is used only
during the import and never stored. Missing values are empty fields, which the importer leaves
out (so an empty `genres` list is an absent property here).
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reelgraph.errors import StoreError
from reelgraph.graph.cypher import NEO4J
from reelgraph.graph.model import (
    BOOL,
    FLOAT,
    FLOATS,
    INFO,
    INT,
    SOURCE,
    STRING,
    STRINGS,
    TARGET,
    GraphData,
    NodeSpec,
    RelSpec,
    graph_data,
)

log = logging.getLogger(__name__)

ARRAY_DELIMITER = ";"
COMMAND_FILE = "import-command.txt"
SCHEMA_FILE = "schema.cypher"
DEFAULT_DATABASE = "neo4j"

HEADER_TYPES = {INT: "long", FLOAT: "double", STRING: "string", STRINGS: "string[]",
                BOOL: "boolean", FLOATS: "double[]"}  # fmt: skip
"""Graph model type -> neo4j-admin header type (64-bit numbers, as Cypher stores them)."""


@dataclass
class AdminExport:
    """What `write_admin_import` wrote.

    Attributes:
        folder: the output folder.
        nodes: label -> its CSV file, in import order.
        relationships: relationship type -> its CSV file.
        counts: label or relationship type -> data rows written.
        command: the `neo4j-admin database import full` command line.
    """

    folder: Path
    nodes: dict[str, Path] = field(default_factory=dict)
    relationships: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    command: str = ""


def write_admin_import(build, out: Path, *, database: str = DEFAULT_DATABASE) -> AdminExport:
    """Write a build's graph as neo4j-admin CSV files into the folder `out`.

    The files go to a temporary folder beside `out` that is renamed into place once complete,
    so a failed export leaves any previous export intact. An existing `out` is replaced only
    when it is empty or holds a previous export (it has `import-command.txt`).

    Args:
        build: the published `reelgraph.builds.Build`.
        out: the folder to create or replace.
        database: the Neo4j database name on the command line.
    """
    started = time.perf_counter()
    out = Path(out).absolute()
    _check_replaceable(out)
    data = graph_data(build)
    data.info = {**data.info, "complete": True}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex[:6]}")
    tmp.mkdir()
    try:
        export = _write_files(data, tmp, out)
        export.command = import_command(export, database, multiline=_has_newlines(data))
        (tmp / COMMAND_FILE).write_text(export.command + "\n")
        schema = NEO4J.schema(data.model)
        (tmp / SCHEMA_FILE).write_text("".join(f"{statement};\n" for statement in schema))
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("neo4j-admin export: %s rows in %d files in %s, %.1f s",
             f"{sum(export.counts.values()):,}", len(export.counts), out,
             time.perf_counter() - started)  # fmt: skip
    return export


def import_command(export: AdminExport, database: str, *, multiline: bool = False) -> str:
    """The `neo4j-admin database import full` command line for the files of `export`."""
    args = ["neo4j-admin", "database", "import", "full", "--id-type=integer",
            f"--array-delimiter={ARRAY_DELIMITER}", "--overwrite-destination=true"]  # fmt: skip
    if multiline:
        args.append("--multiline-fields=true")
    args += [f"--nodes={label}={path}" for label, path in export.nodes.items()]
    args += [f"--relationships={rel}={path}" for rel, path in export.relationships.items()]
    args.append(database)
    return " ".join(shlex.quote(a) for a in args)


def _write_files(data: GraphData, tmp: Path, final: Path) -> AdminExport:
    export = AdminExport(final)
    ids: dict[str, pd.Index] = {}
    for spec in [*data.model.nodes, INFO]:
        table = _info_table(data) if spec is INFO else data.tables[spec.label]
        if _key_type(spec) != INT:
            ids[spec.label] = pd.Index(table[spec.key])
        header, columns = _node_columns(spec, table)
        export.counts[spec.label] = _write_csv(tmp / f"{spec.label}.csv", header, columns)
        export.nodes[spec.label] = final / f"{spec.label}.csv"
    for spec in data.model.rels:
        header, columns = _rel_columns(spec, data.tables[spec.type], ids)
        export.counts[spec.type] = _write_csv(tmp / f"{spec.type}.csv", header, columns)
        export.relationships[spec.type] = final / f"{spec.type}.csv"
    return export


def _info_table(data: GraphData) -> pd.DataFrame:
    return pd.DataFrame([{p.name: data.info.get(p.name) for p in INFO.props}])


def _node_columns(spec: NodeSpec, table: pd.DataFrame) -> tuple[list[str], list[pa.Array]]:
    """Header fields and columns of a node file; a string key gets a row-number ID first."""
    header, columns = [], []
    key_type = _key_type(spec)
    if key_type != INT:
        header.append(f":ID({spec.label})")
        columns.append(pa.array(range(len(table)), pa.int64()))
    for prop in spec.props:
        if prop.name == spec.key and key_type == INT:
            header.append(f"{prop.name}:ID({spec.label})")
        else:
            header.append(f"{prop.name}:{HEADER_TYPES[prop.type]}")
        columns.append(_column(_values(table, prop.name), prop.type))
    return header, columns


def _rel_columns(
    spec: RelSpec, table: pd.DataFrame, ids: dict[str, pd.Index]
) -> tuple[list[str], list[pa.Array]]:
    header = [f":START_ID({spec.source.label})", f":END_ID({spec.target.label})"]
    columns = [_endpoint(table[SOURCE], spec.source, ids, spec.type),
               _endpoint(table[TARGET], spec.target, ids, spec.type)]  # fmt: skip
    for prop in spec.props:
        header.append(f"{prop.name}:{HEADER_TYPES[prop.type]}")
        columns.append(_column(_values(table, prop.name), prop.type))
    return header, columns


def _endpoint(keys: pd.Series, node: NodeSpec, ids: dict[str, pd.Index], rel: str) -> pa.Array:
    """A relationship end as the node's import ID: the integer key, or its row number."""
    if node.label not in ids:
        return pa.array(keys.to_numpy(dtype="int64"), pa.int64())
    positions = ids[node.label].get_indexer(keys)
    if (positions < 0).any():
        missing = keys[positions < 0].iloc[0]
        raise StoreError(f"{rel} refers to {node.label} {missing!r}, which is not a node")
    return pa.array(positions, pa.int64())


def _values(table: pd.DataFrame, name: str) -> pd.Series:
    """A property's column; all missing when the table lacks it (e.g. no tags at all)."""
    if name in table:
        return table[name]
    return pd.Series([None] * len(table), index=table.index, dtype=object)


def _column(values: pd.Series, type_name: str) -> pa.Array:
    """A property column as Arrow; NA and NaN become nulls, which are written as empty."""
    if type_name in (STRINGS, FLOATS):
        return _joined(values)
    arrow_type = {INT: pa.int64(), FLOAT: pa.float64(), STRING: pa.string(), BOOL: pa.bool_()}
    return pa.Array.from_pandas(values, type=arrow_type[type_name])


def _key_type(spec: NodeSpec) -> str:
    return {p.name: p.type for p in spec.props}[spec.key]


def _joined(values: pd.Series) -> pa.Array:
    """Lists as one field joined by the array delimiter; an empty list is a null."""
    out = []
    for items in values:
        texts = [repr(float(v)) if not isinstance(v, str) else v for v in (items or ())]
        if any(ARRAY_DELIMITER in t for t in texts):
            bad = next(t for t in texts if ARRAY_DELIMITER in t)
            raise StoreError(f"array value {bad!r} holds the array delimiter "
                             f"{ARRAY_DELIMITER!r}; neo4j-admin would split it")  # fmt: skip
        out.append(ARRAY_DELIMITER.join(texts) if texts else None)
    return pa.array(out, pa.string())


def _write_csv(path: Path, header: list[str], columns: list[pa.Array]) -> int:
    """Header line, then RFC 4180 rows (strings quoted, quotes doubled, nulls empty)."""
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    with path.open("wb") as sink:
        sink.write((",".join(header) + "\n").encode())
        if table.num_rows:
            pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return table.num_rows


def _has_newlines(data: GraphData) -> bool:
    """Whether any string property spans lines (the importer then needs multiline fields)."""
    for table in data.tables.values():
        for name in table.columns:
            if table[name].dtype == object and len(table):
                texts = pa.array(table[name].map(_text_of), pa.string())
                if pc.any(pc.match_substring_regex(texts, "[\r\n]")).as_py():
                    return True
    return False


def _text_of(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(map(str, value))
    return None


def _check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir() or (any(out.iterdir()) and not (out / COMMAND_FILE).is_file()):
        raise StoreError(f"{str(out)!r} exists and is not a previous neo4j-admin export; "
                         "give an empty or new folder as --out")  # fmt: skip


def _swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished folder into place, moving any previous export aside first."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:6]}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
