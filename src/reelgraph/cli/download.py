"""`reelgraph download`: fetch an official MovieLens release and verify it before unpacking."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from tqdm import tqdm

from reelgraph.download import RELEASES, URL_ENV, download_release


@click.command("download")
@click.argument("name", metavar="NAME", type=click.Choice(RELEASES))
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to unpack into; the release lands in DEST/NAME.",
)
@click.option(
    "--sha256",
    metavar="HEX",
    default=None,
    help="Also require this SHA-256 digest of the zip (pins an exact file).",
)
@click.option("--force", is_flag=True, help="Replace DEST/NAME if it already exists.")
@click.option("--base-url", metavar="URL", envvar=URL_ENV, default=None,
              help=f"Mirror to fetch NAME.zip and NAME.zip.md5 from [env {URL_ENV}; "
                   "default GroupLens].")  # fmt: skip
def command(name: str, dest: Path, sha256: str | None, force: bool, base_url: str | None) -> None:
    """Download MovieLens release NAME, check its MD5 (and --sha256), unpack it atomically."""
    bars: list[tqdm] = []

    def progress(total: int | None) -> Callable[[int], None]:
        bar = tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                   file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)  # fmt: skip
        bars.append(bar)
        return bar.update

    try:
        folder = download_release(name, dest, url=base_url, sha256=sha256, force=force,
                                  progress=progress)  # fmt: skip
    finally:
        for bar in bars:
            bar.close()
    click.echo(f"downloaded {name} into {folder}")
    click.echo(f"next: reelgraph build --data {folder}")
