"""The same answer on the phone as on the laptop: the extension's page against ``pac classify``.

    python bench/phone_parity.py

A model is trained on the bundled sample clips (``pac/samples/numbers/train``,
espeak-ng) and tested on clips training never used: the held-out voices of
``pac/samples/numbers/test``, stored the way phones and laptops store them:
SoundRecorder's 3GP (AMR-NB, 8 kHz), and WAV or FLAC at 11.025, 22.05, 44.1
and 48 kHz. Each file is classified by ``pac classify``'s code path
(``load_audio`` + LiteRT) and by the extension's own page from a built .aix in
headless Chromium, given the PCM that Android's MediaCodec would decode (PyAV
stands in for it) at the file's own rate. Prints, per format, the largest
difference in any label's probability and how many top labels differ.

Target (issue 17): at most 1e-3 everywhere. Before the one-resampler change,
the page resampled with libsamplerate's SRC_SINC_FASTEST: up to 0.50 apart on
8 kHz 3GP, 2 top labels of 25 flipped.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model_export.audio.decode import decode_audio, load_audio  # noqa: E402
from model_export.model_folder.inference import LoadedModel  # noqa: E402
from tests.audio_fixtures import encode  # noqa: E402
from tests.extension.webview import chromium, webview  # noqa: E402

PAC = [sys.executable, "-m", "pac"]
FORMATS = (
    ("3gp", 8_000, "3gp", "libopencore_amrnb"),
    ("wav", 11_025, "wav", "pcm_s16le"),
    ("flac", 22_050, "flac", "flac"),
    ("wav", 44_100, "wav", "pcm_s16le"),
    ("flac", 44_100, "flac", "flac"),
    ("wav", 48_000, "wav", "pcm_s16le"),
    ("flac", 48_000, "flac", "flac"),
)


def main() -> int:
    samples = ROOT / "pac" / "samples" / "numbers"
    with tempfile.TemporaryDirectory(prefix="pac-bench-parity-") as tmp:
        work = Path(tmp)
        subprocess.run([*PAC, "train", str(samples / "train"), "--out", str(work / "model")],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run([*PAC, "build-aix", str(work / "model"), "--out", str(work / "n.aix")],
                       check=True, capture_output=True)  # fmt: skip
        with zipfile.ZipFile(work / "n.aix") as aix:
            assets = {
                n.split("/assets/", 1)[1]: aix.read(n) for n in aix.namelist() if "/assets/" in n
            }
        model = LoadedModel(work / "model")
        clips = sorted((samples / "test").rglob("*.wav"))
        print(f"{len(clips)} held-out clips (other voices than training's), labels {model.labels}")
        print("format          max |page - pac classify|   top labels that differ")
        worst = 0.0
        with chromium() as browser, webview(browser, assets) as view:
            view.wait_for(2)
            for n, (suffix, rate, container, codec) in enumerate(FORMATS):
                diffs, flips = [], 0
                for i, clip in enumerate(clips):
                    path = work / f"{n}-{i}.{suffix}"
                    y = load_audio(clip, sample_rate_hz=rate)
                    encode(path, y, sample_rate_hz=rate, container_format=container,
                           codec_name=codec)  # fmt: skip
                    decoded, native = decode_audio(path)  # what MediaCodec hands Java
                    before = len(view.messages())
                    view.classify_pcm(f"{n}-{i}", np.asarray(decoded, "<f4").tobytes(), native)
                    reply = view.wait_for(before + 1)[before]
                    assert reply["type"] == "GotClassification", reply
                    page = dict(reply["result"])
                    laptop = model.classify(load_audio(path, sample_rate_hz=16_000))
                    diffs.append(max(abs(page[label] - p) for label, p in laptop))
                    flips += reply["result"][0][0] != laptop[0][0]
                worst = max(worst, max(diffs))
                line = f"{suffix:>4} {rate / 1000:>6g} kHz   {max(diffs):>22.1e}"
                print(f"{line}   {flips} of {len(clips)}")
    print(f"largest difference {worst:.1e}   target <= 1e-3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
