"""`pac get-d8`: the r8 download, against a local HTTP server standing in for Google's Maven."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aix_build import r8
from aix_build.dex import cached_r8_path, find_dexer
from pac.cli import main

FAKE_JAR = b"PK\x03\x04 not really r8, but bytes with a known hash" * 1000


class FakeMaven:
    """Serves ``FAKE_JAR`` at /r8.jar (404 elsewhere) and counts the requests."""

    def __init__(self) -> None:
        self.requests = 0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                fake.requests += 1
                if self.path != "/r8.jar":
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(FAKE_JAR)))
                self.end_headers()
                self.wfile.write(FAKE_JAR)

            def log_message(self, *_: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def maven() -> Iterator[FakeMaven]:
    fake = FakeMaven()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def cli_cache(maven: FakeMaven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pac's cache in a fresh folder, and the fake Maven as the r8 mirror."""
    monkeypatch.setenv("PAC_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(r8.URL_ENV, f"{maven.url}/r8.jar")
    return tmp_path


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_a_download_with_the_pinned_hash_is_kept_where_build_aix_looks(
    maven: FakeMaven, tmp_path: Path
) -> None:
    seen: list[int] = []
    path = r8.download_r8(
        tmp_path,
        url=f"{maven.url}/r8.jar",
        sha256=hashlib.sha256(FAKE_JAR).hexdigest(),
        progress=seen.append,
    )
    assert path == cached_r8_path(tmp_path)
    assert path.read_bytes() == FAKE_JAR
    assert seen[-1] == len(FAKE_JAR)
    assert _cache_files(tmp_path) == [path]  # no .part file left
    dexer = find_dexer(None, environ={}, cache_dir=tmp_path)
    assert dexer is not None and dexer.command[-3:] == ("-cp", str(path), "com.android.tools.r8.D8")


def test_a_wrong_hash_keeps_nothing_and_names_both_hashes(maven: FakeMaven, tmp_path: Path) -> None:
    with pytest.raises(r8.DownloadError, match="SHA-256 is [0-9a-f]{64}, expected 59753e70") as e:
        r8.download_r8(tmp_path, url=f"{maven.url}/r8.jar")
    assert "not kept" in str(e.value)
    assert _cache_files(tmp_path) == []
    assert find_dexer(None, environ={}, cache_dir=tmp_path) is None


def test_http_errors_and_unreachable_hosts_name_the_url(maven: FakeMaven, tmp_path: Path) -> None:
    with pytest.raises(r8.DownloadError, match=r"/missing.jar: HTTP 404 Not Found"):
        r8.download_r8(tmp_path, url=f"{maven.url}/missing.jar")
    maven.server.shutdown()
    maven.server.server_close()
    with pytest.raises(r8.DownloadError, match=r"127\.0\.0\.1.*nothing kept"):
        r8.download_r8(tmp_path, url=f"{maven.url}/r8.jar", timeout_s=5)
    assert _cache_files(tmp_path) == []


def test_an_oversized_answer_is_dropped(
    maven: FakeMaven, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(r8, "MAX_DOWNLOAD_BYTES", 1000)
    monkeypatch.setattr(r8, "CHUNK_BYTES", 256)
    with pytest.raises(r8.DownloadError, match="more than 0 MB"):
        r8.download_r8(tmp_path, url=f"{maven.url}/r8.jar")
    assert _cache_files(tmp_path) == []


def test_get_d8_asks_first_and_downloads_nothing_without_consent(
    maven: FakeMaven,
    cli_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Not a terminal and no --yes: refused, with the command that agrees.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["get-d8"]) == 2
    assert "pac get-d8 --yes" in capsys.readouterr().err
    # A terminal, and the user says no, or just closes the input.
    for answer in ("n\n", ""):
        terminal = io.StringIO(answer)
        terminal.isatty = lambda: True  # type: ignore[method-assign]
        monkeypatch.setattr("sys.stdin", terminal)
        assert main(["get-d8"]) == 1
        out = capsys.readouterr().out
        assert f"{maven.url}/r8.jar" in out and "nothing downloaded" in out
    assert maven.requests == 0
    assert _cache_files(cli_cache) == []


def test_get_d8_yes_checks_the_pinned_hash_even_from_a_mirror(
    maven: FakeMaven, cli_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["get-d8", "--yes"]) == 1
    err = capsys.readouterr().err
    assert f"pac: error: {maven.url}/r8.jar: SHA-256 is" in err
    assert maven.requests == 1
    assert _cache_files(cli_cache) == []


def test_get_d8_does_not_fetch_again_when_the_jar_is_there(
    maven: FakeMaven, cli_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jar = cached_r8_path(cli_cache)
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"an r8 the user put there")
    assert main(["get-d8", "--yes"]) == 0
    assert "already in" in capsys.readouterr().out
    assert maven.requests == 0
