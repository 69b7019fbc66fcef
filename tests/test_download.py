"""`reelgraph download` against a real HTTP server on 127.0.0.1 serving zips built here."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from reelgraph.cli import cli
from reelgraph.data import load
from reelgraph.download import URL_ENV, download_release
from reelgraph.errors import DownloadError
from tests.cli.helpers import reelgraph

NAME = "ml-latest-small"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def mirror(tmp_path) -> Iterator[tuple[str, Path]]:
    """(base URL, served folder): a threaded HTTP server on a random port of 127.0.0.1."""
    served = tmp_path / "mirror"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/movielens/", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def publish(served: Path, small_dir: Path, *, md5: str | None = None, name: str = NAME,
            members: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    """Write `name.zip` (real movies.csv, the first real ratings) and its .md5; returns the zip."""
    if members is None:
        ratings = (small_dir / "ratings.csv").read_bytes().split(b"\r\n")[:501]
        members = {
            f"{name}/movies.csv": (small_dir / "movies.csv").read_bytes(),
            f"{name}/ratings.csv": b"\r\n".join(ratings) + b"\r\n",
            f"{name}/README.txt": b"test release\r\n",
        }
    folder = served / "movielens"
    folder.mkdir(exist_ok=True)
    with zipfile.ZipFile(folder / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        for member, content in members.items():
            zipped.writestr(member, content)
    data = (folder / f"{name}.zip").read_bytes()
    digest = md5 or hashlib.md5(data).hexdigest()
    (folder / f"{name}.zip.md5").write_text(f"MD5 ({name}.zip) = {digest}\n")
    return data


def test_downloads_verifies_and_unpacks(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir)
    dest = tmp_path / "data"
    seen: list[int] = []

    def progress(total):
        seen.append(total)
        return seen.append

    folder = download_release(NAME, dest, url=url, progress=progress)
    assert folder == dest / NAME
    assert sorted(p.name for p in dest.iterdir()) == [NAME]  # no temporary files left
    assert sorted(p.name for p in folder.iterdir()) == ["README.txt", "movies.csv", "ratings.csv"]
    assert (folder / "movies.csv").read_bytes() == (small_dir / "movies.csv").read_bytes()
    assert sum(seen[1:]) == seen[0] == (served / "movielens" / f"{NAME}.zip").stat().st_size
    dataset = load(folder)
    assert (len(dataset.movies), len(dataset.ratings)) == (9_742, 500)


def test_wrong_md5_is_an_error_and_leaves_nothing(mirror, small_dir, tmp_path):
    url, served = mirror
    data = publish(served, small_dir, md5="0" * 32)
    dest = tmp_path / "data"
    with pytest.raises(DownloadError) as info:
        download_release(NAME, dest, url=url)
    assert str(info.value) == (
        f"{NAME}.zip failed its MD5 check: expected {'0' * 32}, found "
        f"{hashlib.md5(data).hexdigest()}; nothing was unpacked"
    )
    assert not dest.exists()


def test_wrong_md5_keeps_an_existing_dest_untouched(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir, md5="f" * 32)
    dest = tmp_path / "data"
    dest.mkdir()
    (dest / "other.txt").write_text("mine")
    with pytest.raises(DownloadError, match="failed its MD5 check"):
        download_release(NAME, dest, url=url)
    assert sorted(p.name for p in dest.iterdir()) == ["other.txt"]


def test_pinned_sha256(mirror, small_dir, tmp_path):
    url, served = mirror
    data = publish(served, small_dir)
    with pytest.raises(DownloadError, match=r"failed its SHA256 check: expected a{64}, found"):
        download_release(NAME, tmp_path / "a", url=url, sha256="a" * 64)
    assert not (tmp_path / "a").exists()
    pinned = hashlib.sha256(data).hexdigest().upper()
    assert download_release(NAME, tmp_path / "b", url=url, sha256=pinned).is_dir()


def test_sha256_pin_works_without_published_md5(mirror, small_dir, tmp_path):
    url, served = mirror
    data = publish(served, small_dir)
    (served / "movielens" / f"{NAME}.zip.md5").unlink()
    with pytest.raises(DownloadError, match=r"\.zip\.md5: expected HTTP 200, found 404"):
        download_release(NAME, tmp_path / "a", url=url)
    pinned = hashlib.sha256(data).hexdigest()
    assert download_release(NAME, tmp_path / "b", url=url, sha256=pinned).is_dir()


def test_refuses_to_overwrite_unless_forced(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir)
    dest = tmp_path / "data"
    existing = dest / NAME
    existing.mkdir(parents=True)
    (existing / "mine.txt").write_text("keep me")
    with pytest.raises(DownloadError, match=rf"{NAME} already exists; pass --force"):
        download_release(NAME, dest, url=url)
    assert (existing / "mine.txt").read_text() == "keep me"

    download_release(NAME, dest, url=url, force=True)
    assert not (existing / "mine.txt").exists()
    assert (existing / "movies.csv").is_file()
    assert sorted(p.name for p in dest.iterdir()) == [NAME]


def test_missing_zip_on_the_mirror(mirror, tmp_path):
    url, _ = mirror
    with pytest.raises(DownloadError, match=rf"{NAME}\.zip\.md5: expected HTTP 200, found 404"):
        download_release(NAME, tmp_path / "d", url=url)


def test_unknown_release_name(tmp_path):
    with pytest.raises(
        DownloadError,
        match=r"unknown release 'ml-5m'; expected one of: "
        r"ml-latest-small, ml-latest, ml-100k, ml-1m, ml-20m, ml-25m, ml-32m",
    ):
        download_release("ml-5m", tmp_path)  # fmt: skip


def test_unreachable_mirror(tmp_path):
    with pytest.raises(DownloadError, match=r"could not connect"):
        download_release(NAME, tmp_path, url="http://127.0.0.1:9/")


def test_not_a_zip(mirror, tmp_path):
    url, served = mirror
    folder = served / "movielens"
    folder.mkdir()
    (folder / f"{NAME}.zip").write_bytes(b"<html>not found</html>")
    digest = hashlib.md5(b"<html>not found</html>").hexdigest()
    (folder / f"{NAME}.zip.md5").write_text(f"{digest}  {NAME}.zip\n")  # GNU md5sum form
    with pytest.raises(DownloadError, match=r"expected a zip file"):
        download_release(NAME, tmp_path / "d", url=url)
    assert not (tmp_path / "d").exists()


def test_zip_without_a_release(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir, members={f"{NAME}/README.txt": b"hello"})
    with pytest.raises(DownloadError, match=r"does not hold a MovieLens release: .*expected"):
        download_release(NAME, tmp_path / "d", url=url)
    assert not (tmp_path / "d").exists()


def test_zip_with_an_unsafe_path(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir, members={"../evil.txt": b"x", f"{NAME}/movies.csv": b"x"})
    with pytest.raises(DownloadError, match=r"unsafe path '\.\./evil\.txt'"):
        download_release(NAME, tmp_path / "d", url=url)
    assert not (tmp_path / "evil.txt").exists()


def test_legacy_zip_layout(mirror, tmp_path):
    url, served = mirror
    fixtures = Path(__file__).parent / "data" / "fixtures" / "ml-100k-mini"
    members = {f"ml-100k/{p.name}": p.read_bytes() for p in fixtures.iterdir()}
    publish(served, Path(), name="ml-100k", members=members)
    folder = download_release("ml-100k", tmp_path, url=url)
    assert load(folder).report.release == "ml-100k"


def test_cli_download_with_env_mirror(mirror, small_dir, tmp_path, monkeypatch):
    url, served = mirror
    publish(served, small_dir)
    monkeypatch.setenv(URL_ENV, url)
    proc = reelgraph("download", NAME, "--dest", str(tmp_path / "d"), home=tmp_path / "home")
    assert f"downloaded {NAME} into {tmp_path / 'd' / NAME}" in proc.stdout
    assert (tmp_path / "d" / NAME / "ratings.csv").is_file()

    again = reelgraph("download", NAME, "--dest", str(tmp_path / "d"), "--base-url", url,
                      home=tmp_path / "home", check=False)  # fmt: skip
    assert again.returncode == 1
    assert "already exists; pass --force to replace it" in again.stderr
    assert "Traceback" not in again.stderr


def test_cli_rejects_unknown_name(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "download", "ml-7m"])
    assert result.exit_code == 2
    assert "'ml-7m' is not one of 'ml-latest-small', 'ml-latest'" in result.output


def test_cli_bad_checksum_exits_1(mirror, small_dir, tmp_path):
    url, served = mirror
    publish(served, small_dir, md5="1" * 32)
    proc = reelgraph("download", NAME, "--dest", str(tmp_path / "d"), "--base-url", url,
                     home=tmp_path / "home", check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "failed its MD5 check" in proc.stderr
    assert not (tmp_path / "d").exists()
    shutil.rmtree(tmp_path / "home", ignore_errors=True)
