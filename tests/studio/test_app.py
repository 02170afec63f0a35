"""The studio's HTTP API through aiohttp's test client on a real socket (docs/studio.md)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from model_export.features.mel import FFT_LENGTH, HOP_LENGTH
from model_export.model_folder.inference import LoadedModel
from studio.clips import MAX_CLIP_SECONDS, MAX_UPLOAD_BYTES
from studio.project import Project
from tests.studio.client import Api, run_studio, wait_for
from tests.studio.sounds import SAMPLES, tone, wav_bytes

REPO = Path(__file__).resolve().parents[2]

P = "/api/projects/Numbers"


async def numbers_project(api: Api, *, clips_per_label: int = 5) -> None:
    """The bundled number words: 3 labels, uploaded as a student would."""
    await api.ok("POST", "/api/projects", body={"name": "Numbers"})
    for label in ("one", "seven", "eleven"):
        await api.ok("POST", f"{P}/labels", body={"name": label})
        for path in sorted((SAMPLES / "train" / label).glob("*.wav"))[:clips_per_label]:
            await api.ok(
                "POST",
                f"{P}/labels/{label}/clips?source=upload&filename={path.name}",
                data=path.read_bytes(),
            )


# --- projects, labels, clips ------------------------------------------------------------


def test_labels_and_clips_round_trip(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        created = await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        assert created["labels"] == [] and created["settings"]["epochs"] == 40
        await api.ok("POST", f"{P}/labels", body={"name": "clap"})
        clip = await api.ok(
            "POST", f"{P}/labels/clap/clips?source=rec&filename=r.wav", data=wav_bytes(tone())
        )
        assert clip["id"].startswith("rec-") and clip["source"] == "rec"
        assert clip["seconds"] == pytest.approx(1.0) and clip["warnings"] == []
        picture = clip["spectrogram"]
        assert picture["frames"] == (16_000 - FFT_LENGTH) // HOP_LENGTH + 1
        assert len(picture["values"]) == picture["frames"] * picture["bands"]
        # A 440 Hz tone: the brightest band is the one the mel filters put 440 Hz in.
        values = np.array(picture["values"]).reshape(picture["frames"], picture["bands"])
        assert 5 <= int(values.mean(axis=0).argmax()) <= 9

        audio = await api.client.get(f"{P}/labels/clap/clips/{clip['id']}/audio")
        assert await audio.read() == wav_bytes(tone())
        again = await api.ok("GET", f"{P}/labels/clap/clips/{clip['id']}/spectrogram")
        assert again == picture

        await api.ok("PATCH", f"{P}/labels/clap", body={"name": "big clap"})
        project = await api.ok("GET", P)
        assert [(lab["name"], len(lab["clips"])) for lab in project["labels"]] == [("big clap", 1)]
        await api.ok("DELETE", f"{P}/labels/big%20clap/clips/{clip['id']}")
        await api.ok("DELETE", f"{P}/labels/big%20clap")
        assert (await api.ok("GET", P))["labels"] == []

    run_studio(tmp_path, body)
    assert sorted(p.name for p in (tmp_path / "Numbers").iterdir()) == ["clips", "pac-project.json"]


def test_clips_that_will_not_train_well_are_flagged(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "x"})
        cases = {
            "quiet": tone(amplitude=0.001),
            "clipped": np.clip(tone(amplitude=3.0), -1, 1),
            "short": tone(seconds=0.2),
        }
        for kind, y in cases.items():
            clip = await api.ok(
                "POST", f"{P}/labels/x/clips?filename={kind}.wav", data=wav_bytes(y)
            )
            assert len(clip["warnings"]) == 1, (kind, clip["warnings"])
            assert {"quiet": "silent", "clipped": "too loud", "short": "very short"}[kind] in (
                clip["warnings"][0]
            )
        listed = (await api.ok("GET", P))["labels"][0]["clips"]
        assert sorted(len(c["warnings"]) for c in listed) == [1, 1, 1]

    run_studio(tmp_path, body)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil", "cannot contain /"),
        ("/tmp/evil", "cannot contain /"),
        ("..\\evil", "cannot contain"),
        ("nul\x00byte", "control characters"),
        ("CON", "reserved name on Windows"),
        ("aux.wav", "reserved name on Windows"),
        ("..", "cannot start with a dot"),
        ("", "empty"),
    ],
)
def test_a_label_name_never_leaves_the_project(tmp_path: Path, name: str, why: str) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        status, answer = await api.call("POST", f"{P}/labels", body={"name": name})
        assert status == 400 and why in answer["error"]
        status, answer = await api.call("POST", "/api/projects", body={"name": name})
        assert status == 400 and why in answer["error"]

    run_studio(tmp_path / "root", body)
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["root", "Numbers", "clips", "pac-project.json"]
    )


def test_paths_in_the_url_reach_nothing_outside(tmp_path: Path) -> None:
    (tmp_path / "secret.wav").write_bytes(wav_bytes(tone()))

    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "x"})
        for path in (
            f"{P}/labels/x/clips/..%2F..%2F..%2Fsecret.wav/audio",
            f"{P}/labels/..%2F..%2F/clips/secret.wav/audio",
            "/api/projects/..%2F/labels/x/clips/secret.wav/audio",
            "/api/projects/..",
        ):
            status, _ = await api.call("GET", path)
            assert status == 404, path
        status, _ = await api.call("DELETE", f"{P}/labels/..%2F..%2Fsecret.wav")
        assert status == 404

    run_studio(tmp_path / "root", body)
    assert (tmp_path / "secret.wav").is_file()


def test_bad_uploads_get_a_message_that_names_the_problem(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "x"})
        url = f"{P}/labels/x/clips?filename="
        cases = [
            ("notes.txt", b"hello", 400, "not an audio file type"),
            ("fake.wav", b"this is not audio at all" * 10, 400, "not an audio file pac can read"),
            ("empty.wav", wav_bytes(np.zeros(0)), 400, "no sound in it"),
            ("long.wav", wav_bytes(tone(seconds=MAX_CLIP_SECONDS + 1)), 400, "longer than 10"),
            ("big.wav", b"\0" * (MAX_UPLOAD_BYTES + 1), 413, "the most a clip can be is 10 MB"),
        ]
        for name, data, status, message in cases:
            got, answer = await api.call("POST", url + name, data=data)
            assert (got, message in answer["error"]) == (status, True), (name, answer)
        status, answer = await api.call(
            "POST", f"{P}/labels/nope/clips?filename=a.wav", data=wav_bytes(tone())
        )
        assert status == 404 and "no label called 'nope'" in answer["error"]
        assert (await api.ok("GET", P))["labels"][0]["clips"] == []  # nothing half-written
        # ...and the studio still serves.
        await api.ok("POST", url + "good.wav", data=wav_bytes(tone()))

    run_studio(tmp_path, body)


def test_settings_are_checked_against_the_training_limits(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        saved = await api.ok("PUT", f"{P}/settings", body={"epochs": 10, "optimizer": "sgd"})
        assert saved["epochs"] == 10 and saved["optimizer"] == "sgd" and saved["batch_size"] == 32
        for bad, message in [
            ({"epochs": 0}, "epochs must be >= 1"),
            ({"epochs": "ten"}, "epochs must be a int"),
            ({"learning_rate": 50}, "learning rate must be in"),
            ({"optimizer": "magic"}, "optimizer must be one of"),
            ({"train_fraction": 0}, "train fraction must be in"),
            ({"seed": 3}, "unknown setting 'seed'"),
            ({"epochs": True}, "epochs must be a int"),
        ]:
            status, answer = await api.call("PUT", f"{P}/settings", body=bad)
            assert status == 400 and message in answer["error"], (bad, answer)
        assert (await api.ok("GET", P))["settings"]["epochs"] == 10

    run_studio(tmp_path, body)


# --- training, testing, export ----------------------------------------------------------


def test_training_needs_two_labels_with_clips(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "a"})
        await api.ok("POST", f"{P}/labels/a/clips?filename=a.wav", data=wav_bytes(tone()))
        status, answer = await api.call("POST", f"{P}/train")
        assert status == 400 and "at least two labels" in answer["error"]
        await api.ok("POST", f"{P}/labels", body={"name": "b"})
        status, answer = await api.call("POST", f"{P}/train")
        assert status == 400 and "the label 'b' has no clips yet" in answer["error"]
        status, answer = await api.call("POST", f"{P}/classify", data=wav_bytes(tone()))
        assert status == 400 and "train a model first" in answer["error"]
        status, answer = await api.call("POST", f"{P}/export/aix")
        assert status == 400 and "train a model first" in answer["error"]

    run_studio(tmp_path, body)


def test_train_test_and_export(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        events = await api.events()
        await numbers_project(api)
        started = await api.ok("POST", f"{P}/train")
        assert started["project"] == "Numbers"
        status, answer = await api.call("POST", f"{P}/train")
        assert status == 409 and "already training" in answer["error"]
        seen = []
        while not seen or seen[-1]["type"] not in ("trained", "train_failed"):
            seen.append(await asyncio.wait_for(events.get(), 120))
        done = seen[-1]
        assert done["type"] == "trained", done
        assert any(e["type"] == "training" and e["stage"] == "features" for e in seen)
        curve = [
            e for e in seen if e["type"] == "training_metrics" and e["stage"].startswith("final")
        ]
        heads = sorted({e["stage"] for e in curve})  # "final fit", or "final fit (1 of 2)", ...
        assert [e["epoch"] for e in curve] == list(range(1, 41)) * len(heads)
        assert all(0 <= e["accuracy"] <= 1 and e["loss"] > 0 for e in curve)
        summary = done["summary"]
        assert [point[0] for point in summary["curve"]] == list(range(1, 41))
        assert summary["labels"] == ["eleven", "one", "seven"]
        assert summary["clips_per_label"] == {"eleven": 5, "one": 5, "seven": 5}
        assert summary["n_validation_clips"] == 3
        assert np.sum(summary["confusion_matrix"]) == 3
        assert (await api.ok("GET", P))["last_training"] == summary

        # A clip training never heard gets its label, with every label's confidence.
        for label in ("one", "seven", "eleven"):
            clip = (SAMPLES / "test" / label / f"{label}_00.wav").read_bytes()
            answer = await api.ok("POST", f"{P}/classify?filename=t.wav", data=clip)
            assert answer["result"][0][0] == label
            assert sorted(lab for lab, _ in answer["result"]) == ["eleven", "one", "seven"]
            assert sum(c for _, c in answer["result"]) == pytest.approx(1.0, abs=1e-5)

        zipped = await api.client.get(f"{P}/export/tfjs.zip")
        names = zipfile.ZipFile(io.BytesIO(await zipped.read())).namelist()
        assert "model.json" in names and "metadata.json" in names
        assert any(n.endswith(".bin") for n in names) and "model.tflite" not in names
        assert "tfjs.zip" in zipped.headers["Content-Disposition"]
        metadata = json.loads(await (await api.client.get(f"{P}/export/metadata.json")).read())
        assert metadata["labels"] == ["eleven", "one", "seven"]

    run_studio(tmp_path, body)
    model = LoadedModel(tmp_path / "Numbers" / "model")
    assert model.labels == ("eleven", "one", "seven")


def test_cancel_keeps_the_last_model(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        events = await api.events()
        await numbers_project(api, clips_per_label=3)
        await api.ok("PUT", f"{P}/settings", body={"epochs": 1000})
        await api.ok("POST", f"{P}/train")
        await wait_for(events, {"training"})
        await api.ok("POST", f"{P}/train/cancel")
        done = await wait_for(events, {"trained", "train_failed", "train_cancelled"})
        assert done["type"] == "train_cancelled"
        status, answer = await api.call("POST", f"{P}/train/cancel")
        assert status == 409 and "not training" in answer["error"]
        assert (await api.ok("GET", P))["has_model"] is False

    run_studio(tmp_path, body)
    assert not (tmp_path / "Numbers" / "model").exists()


def test_two_tabs_adding_clips_at_once_lose_nothing(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "x"})

        async def tab(n: int) -> None:
            for i in range(8):
                y = tone(freq_hz=300 + 50 * n + 5 * i, seconds=0.6)
                await api.ok("POST", f"{P}/labels/x/clips?filename=c.wav", data=wav_bytes(y))
                await api.ok("PUT", f"{P}/settings", body={"epochs": 10 + n * 10 + i})

        await asyncio.gather(tab(0), tab(1))
        clips = (await api.ok("GET", P))["labels"][0]["clips"]
        assert len({c["id"] for c in clips}) == 16

    run_studio(tmp_path, body)
    state = Project(tmp_path / "Numbers").state()
    assert state["settings"]["epochs"] in {17, 27}


# --- the phone -------------------------------------------------------------------------


def test_phones_get_the_project_model_and_the_new_one_after_training(tmp_path: Path) -> None:
    from websockets.asyncio.client import connect

    from bridge.client import send_files

    async def body(api: Api) -> None:
        events = await api.events()
        await numbers_project(api, clips_per_label=3)
        status, answer = await api.call("POST", f"{P}/phone")
        assert status == 400 and "train a model first" in answer["error"]
        await api.ok("POST", f"{P}/train")
        await wait_for(events, {"trained"})
        phone = await api.ok("POST", f"{P}/phone")
        assert phone["running"] and phone["project"] == "Numbers" and len(phone["code"]) == 6
        url = f"ws://127.0.0.1:{phone['port']}"

        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "hello", "protocol": 1, "code": "WRONG1"}))
            assert json.loads(await ws.recv())["type"] == "Error"

        async with connect(url) as ws:
            hello = {"type": "hello", "protocol": 1, "code": phone["code"], "client": "Pixel"}
            await ws.send(json.dumps(hello))
            ready = json.loads(await ws.recv())
            assert ready == {
                "type": "ClassifierReady",
                "labels": ["eleven", "one", "seven"],
                "model": "Numbers",
            }
            clip = (SAMPLES / "test" / "seven" / "seven_01.wav").read_bytes()
            request = {
                "type": "ClassifySoundData",
                "id": "1",
                "audio": base64.b64encode(clip).decode(),
            }
            await ws.send(json.dumps(request))
            got = json.loads(await ws.recv())
            assert got["type"] == "GotClassification" and got["result"][0][0] == "seven"
            seen = await wait_for(events, {"phone"})
            while seen["event"] != "classify":
                seen = await wait_for(events, {"phone"})
            assert seen["feed"][0]["outcome"] == "seven"
            assert seen["devices"][0]["client"] == "Pixel"

            # A phone collects 5 clips into a new label (pac send --collect, protocol 1.1):
            # one the phone's own recorder made (3GP, AMR-NB), four WAV.
            await api.ok("POST", f"{P}/labels", body={"name": "hum"})
            files = [REPO / "tests" / "data" / "tone_amrnb.3gp"]
            for f in (110, 120, 130, 140):
                files.append(tmp_path / f"hum{f}.wav")
                files[-1].write_bytes(wav_bytes(tone(freq_hz=f, seconds=1.0)))
            answers = await send_files(
                url, phone["code"], files, on_message=lambda m: None, collect_label="hum"
            )
            collected = [m for m in answers if m["type"] == "SoundCollected"]
            assert [m["clips"] for m in sorted(collected, key=lambda m: m["clips"])] == [
                1, 2, 3, 4, 5
            ]  # fmt: skip
            hum = next(lab for lab in (await api.ok("GET", P))["labels"] if lab["name"] == "hum")
            assert len(hum["clips"]) == 5 and {c["source"] for c in hum["clips"]} == {"phone"}
            assert sum(c["id"].endswith(".3gp") for c in hum["clips"]) == 1
            # A label the project does not have, and audio that is not audio.
            bad = await send_files(
                url, phone["code"], files[:1], on_message=lambda m: None, collect_label="nope"
            )
            assert [m.get("code") for m in bad if m["type"] == "Error"] == [-33]
            junk = tmp_path / "junk.wav"
            junk.write_bytes(b"not audio" * 50)
            bad = await send_files(
                url, phone["code"], [junk], on_message=lambda m: None, collect_label="hum"
            )
            assert [m.get("code") for m in bad if m["type"] == "Error"] == [-13]

            # Retrain: the phone that stayed connected hears ClassifierReady, unasked.
            await api.ok("POST", f"{P}/train")
            again = json.loads(await asyncio.wait_for(ws.recv(), 120))
            assert again["type"] == "ClassifierReady"
            assert again["labels"] == ["eleven", "hum", "one", "seven"]
            # ...once: the folder watcher does not load the same model a second time.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 2.0)

    run_studio(tmp_path, body)


# --- try the extension ------------------------------------------------------------------


def test_the_try_frame_serves_the_built_aix_and_decodes_as_the_component_does(
    tmp_path: Path,
) -> None:
    async def body(api: Api) -> None:
        events = await api.events()
        await numbers_project(api, clips_per_label=3)
        status, answer = await api.call("GET", "/try/Numbers/assets/pac_webview.html")
        assert status == 404 and "build the extension first" in answer["error"]
        await api.ok("POST", f"{P}/train")
        await wait_for(events, {"trained"})
        built = await api.ok("POST", f"{P}/export/aix")
        assert built["file"] == "Numbers.aix" and built["labels"] == ["eleven", "one", "seven"]

        # The .aix's own files, byte for byte.
        aix = zipfile.ZipFile(tmp_path / "Numbers" / "Numbers.aix")
        for name in ("pac_webview.html", "pac_webview.js", "model.json"):
            response = await api.client.get(f"/try/Numbers/assets/{name}")
            assert await response.read() == aix.read(f"org.pac.classifier/assets/{name}")
        wasm = await api.client.get("/try/Numbers/assets/tfjs-backend-wasm.wasm")
        assert wasm.headers["Content-Type"] == "application/wasm"
        host = await api.client.get("/try/Numbers/assets/try-host.html")
        policy = host.headers["Content-Security-Policy"]
        assert "'sha256-" in policy and "frame-ancestors 'self'" in policy
        assert "https://pac.assets" in policy and "script-src 'self' 'sha256-" in policy
        status, _ = await api.call("GET", "/try/Numbers/assets/..%2Fpac-project.json")
        assert status == 404

        # AudioDecoder's output: float32 at the file's own rate (AMR-NB: 8 kHz).
        amr = (REPO / "tests" / "data" / "tone_amrnb.3gp").read_bytes()
        response = await api.client.post(
            f"{P}/try/decode?filename=t.3gp", data=amr, headers={"Origin": api.origin}
        )
        assert response.headers["X-Sample-Rate"] == "8000"
        pcm = np.frombuffer(await response.read(), "<f4")
        assert 0.05 < float(np.max(np.abs(pcm))) <= 1.0 and pcm.size > 4000
        for data, code in ((b"junk" * 100, -13), (wav_bytes(np.zeros(0)), -23)):
            status, answer = await api.call("POST", f"{P}/try/decode", data=data)
            assert status == 400 and answer["code"] == code, answer

    run_studio(tmp_path, body)


def test_d8_is_downloaded_from_the_page_only_with_consent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's "Get d8" against a local server standing in for Google's Maven."""
    import hashlib

    from aix_build import r8
    from tests.aix_build.test_r8 import FAKE_JAR, FakeMaven

    maven = FakeMaven()
    monkeypatch.setenv("PAC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(r8.URL_ENV, f"{maven.url}/r8.jar")
    monkeypatch.setattr(r8, "R8_SHA256", hashlib.sha256(FAKE_JAR).hexdigest())

    async def body(api: Api) -> None:
        assert (await api.ok("GET", "/api/d8"))["present"] is False
        for refused in ({}, {"consent": "yes"}):
            status, answer = await api.call("POST", "/api/d8", body=refused)
            assert status == 400 and "consent" in answer["error"]
        assert maven.requests == 0
        got = await api.ok("POST", "/api/d8", body={"consent": True})
        assert got["path"].endswith(".jar") and maven.requests == 1
        assert (await api.ok("GET", "/api/d8"))["present"] is True

    try:
        run_studio(tmp_path / "root", body)
        monkeypatch.setenv(r8.URL_ENV, f"{maven.url}/missing.jar")
        (tmp_path / "cache").rename(tmp_path / "cache-old")

        async def failing(api: Api) -> None:
            status, answer = await api.call("POST", "/api/d8", body={"consent": True})
            assert status == 502 and "missing.jar" in answer["error"]

        run_studio(tmp_path / "root", failing)
    finally:
        maven.server.shutdown()
        maven.server.server_close()


def test_a_clip_or_folder_removed_by_hand_does_not_break_the_page(tmp_path: Path) -> None:
    async def body(api: Api) -> None:
        await api.ok("POST", "/api/projects", body={"name": "Numbers"})
        await api.ok("POST", f"{P}/labels", body={"name": "x"})
        clip = await api.ok("POST", f"{P}/labels/x/clips?filename=a.wav", data=wav_bytes(tone()))
        (tmp_path / "Numbers" / "clips" / "x" / clip["id"]).unlink()
        assert (await api.ok("GET", P))["labels"] == [{"name": "x", "clips": []}]
        (tmp_path / "Numbers" / "clips" / "x").rmdir()
        (tmp_path / "Numbers" / "clips").rmdir()
        (tmp_path / "Numbers" / "clips").write_text("not a folder")
        status, answer = await api.call("POST", f"{P}/labels", body={"name": "y"})
        assert status == 500 and "could not be read or written" in answer["error"]
        assert (await api.ok("GET", "/api/projects"))["projects"] == ["Numbers"]

    run_studio(tmp_path, body)


def test_a_taken_bridge_port_is_said_and_a_later_try_works(tmp_path: Path) -> None:
    import socket

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]

    async def body(api: Api) -> None:
        events = await api.events()
        await numbers_project(api, clips_per_label=3)
        await api.ok("POST", f"{P}/train")
        await wait_for(events, {"trained"})
        api.studio.phone.port = port
        phone = await api.ok("POST", f"{P}/phone")
        assert not phone["running"] and f"cannot use port {port}" in phone["error"]
        blocker.close()
        phone = await api.ok("POST", f"{P}/phone")
        assert phone["running"] and phone["port"] == port and phone["error"] is None

    try:
        run_studio(tmp_path, body)
    finally:
        blocker.close()
