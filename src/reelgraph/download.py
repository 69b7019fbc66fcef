"""Fetch an official MovieLens release zip, verify its checksum, unpack it atomically.

GroupLens publishes `NAME.zip` and `NAME.zip.md5` side by side. The zip is streamed to a
temporary file while its MD5 and SHA-256 are computed; only when the published MD5 (and the
SHA-256, when one is pinned) match is it unpacked, into a temporary folder that is then renamed
into place. Any failure leaves the destination as it was.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from reelgraph import __version__
from reelgraph.data import detect
from reelgraph.errors import DataError, DownloadError

log = logging.getLogger(__name__)

BASE_URL = "https://files.grouplens.org/datasets/movielens/"
URL_ENV = "REELGRAPH_DOWNLOAD_URL"
RELEASES = ("ml-latest-small", "ml-latest", "ml-100k", "ml-1m", "ml-20m", "ml-25m", "ml-32m")
CHUNK = 1 << 20
TIMEOUT_S = 60
_MD5 = re.compile(r"\b([0-9a-fA-F]{32})\b")

Progress = Callable[[int | None], Callable[[int], None]]
"""Progress factory: given the total bytes (None if unknown), returns a callback taking
increments in bytes."""


def base_url(override: str | None = None) -> str:
    """The mirror to fetch from: `override`, else env REELGRAPH_DOWNLOAD_URL, else GroupLens."""
    url = override or os.environ.get(URL_ENV) or BASE_URL
    return url if url.endswith("/") else url + "/"


def download_release(
    name: str,
    dest: str | Path = ".",
    *,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Path:
    """Download release `name` into `dest/name` and return that folder.

    Plan: 1. check the name and the destination; 2. fetch the published MD5; 3. stream the zip
    to a temporary file, hashing it; 4. compare checksums; 5. unpack into a temporary folder
    and rename it into place.

    Args:
        name: one of `RELEASES`.
        dest: the folder to unpack into (created if missing).
        url: base URL of a mirror (see `base_url`).
        sha256: a SHA-256 hex digest the zip must have, in addition to the published MD5.
        force: replace an existing `dest/name` folder.
        progress: a progress factory for the zip download.

    Raises:
        DownloadError: unknown name, existing folder, network failure, checksum mismatch, a
            zip that is not a MovieLens release.
    """
    target = _check_target(name, Path(dest), force)
    root = base_url(url)
    published_md5 = _published_md5(root + f"{name}.zip.md5", required=sha256 is None)

    created = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # The temporary folder sits beside the target so that the final rename is atomic.
        with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=target.parent) as work:
            archive = Path(work) / f"{name}.zip"
            digests = _fetch(root + f"{name}.zip", archive, progress)
            _verify(name, digests, published_md5, sha256)
            unpacked = _unpack(archive, Path(work) / "unpacked")
            _check_release(unpacked, name)
            _swap_in(unpacked, target)
    except BaseException:
        if created and not any(target.parent.iterdir()):
            target.parent.rmdir()
        raise
    log.info("downloaded %s into %s", name, target)
    return target


def _check_target(name: str, dest: Path, force: bool) -> Path:
    if name not in RELEASES:
        raise DownloadError(f"unknown release {name!r}; expected one of: {', '.join(RELEASES)}")
    target = dest / name
    if target.exists() and not force:
        raise DownloadError(f"{target} already exists; pass --force to replace it")
    return target


def _open(url: str):
    request = urllib.request.Request(url, headers={"User-Agent": f"reelgraph/{__version__}"})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: expected HTTP 200, found {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{url}: could not connect ({reason})") from None


def _published_md5(url: str, *, required: bool) -> str | None:
    """The MD5 hex digest in `NAME.zip.md5` (BSD `MD5 (f) = h` or GNU `h  f` form)."""
    if not url.lower().startswith(("http://", "https://")):
        raise DownloadError(f"{url}: expected an http:// or https:// URL")
    try:
        with _open(url) as response:
            text = response.read(4096).decode("ascii", errors="replace")
    except DownloadError:
        if required:
            raise
        log.warning("no published checksum at %s; relying on the pinned SHA-256", url)
        return None
    match = _MD5.search(text)
    if not match:
        raise DownloadError(f"{url}: expected an MD5 hex digest, found {text[:80]!r}")
    return match.group(1).lower()


def _fetch(url: str, path: Path, progress: Progress | None) -> dict[str, str]:
    """Stream `url` into `path`; returns its md5 and sha256 hex digests."""
    md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with _open(url) as response, path.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        tick = progress(total) if progress else None
        received = 0
        while chunk := response.read(CHUNK):
            out.write(chunk)
            md5.update(chunk)
            sha.update(chunk)
            received += len(chunk)
            if tick:
                tick(len(chunk))
    if total is not None and received != total:
        raise DownloadError(f"{url}: expected {total:,} bytes, found {received:,} (cut short)")
    return {"md5": md5.hexdigest(), "sha256": sha.hexdigest()}


def _verify(name: str, digests: dict[str, str], md5: str | None, sha256: str | None) -> None:
    expected = {"md5": md5, "sha256": sha256.lower() if sha256 else None}
    for kind, want in expected.items():
        if want is not None and digests[kind] != want:
            raise DownloadError(
                f"{name}.zip failed its {kind.upper()} check: expected {want}, "
                f"found {digests[kind]}; nothing was unpacked"
            )


def _unpack(archive: Path, folder: Path) -> Path:
    """Extract `archive` into `folder`; returns the release folder inside it."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                parts = PurePosixPath(member).parts
                if member.startswith(("/", "\\")) or ".." in parts or ":" in member:
                    raise DownloadError(f"{archive.name}: unsafe path {member!r} in the zip")
            zipped.extractall(folder)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive.name}: expected a zip file, found {exc}") from None
    entries = [p for p in folder.iterdir() if p.name != "__MACOSX"]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _check_release(folder: Path, name: str) -> None:
    try:
        release = detect(folder)
    except DataError as exc:
        raise DownloadError(f"{name}.zip does not hold a MovieLens release: {exc}") from None
    log.info("%s unpacked: %s layout", name, release.name)


def _swap_in(unpacked: Path, target: Path) -> None:
    """Rename `unpacked` to `target`, replacing an existing folder only once the new is ready."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(unpacked, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
