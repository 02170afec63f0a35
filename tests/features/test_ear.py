"""features.ear: the ear's layer against its numpy contract, its trained network and its
committed weights."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from model_export.features.ear import Ear, ear_network
from model_export.features.ear_spec import (
    CHANNELS,
    EAR_MEL,
    INFO_FILENAME,
    WEIGHTS_DIR,
    WEIGHTS_FILENAME,
    EarWeightsError,
    ear_input,
    load_weights,
    read_info,
    weights_sha256,
)
from model_export.features.layout import EAR_DIM

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from ear.render import PACKAGES  # noqa: E402
from ear.train import folded, npz_bytes  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from unseen_data import EFFECT_SOURCES  # noqa: E402

UNSEEN_SOURCES = {
    *("flite", "festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-us-slt-hts"),
    *("hydrogen-drumkits", "ktuberling-data", "espeak-ng"),
    *(package for sources in EFFECT_SOURCES.values() for package in sources),
}
"""Where bench/unseen.py's recordings, voices and effects come from."""


def sound(rng: np.random.Generator, n: int = 16_000) -> np.ndarray:
    """A decaying noise burst over a 3 kHz tone: energy across the ear's whole band."""
    t = np.arange(n) / 16_000
    y = 0.4 * rng.standard_normal(n) * np.exp(-8 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)
    return y.astype(np.float32)


def test_numpy_ear_input_equals_the_layers_spectrogram(rng: np.random.Generator) -> None:
    y = sound(rng)
    ours = ear_input(y)
    layer = np.asarray(Ear().spectrogram(y[None, :])[0])
    assert ours.shape == layer.shape == ((16_000 - 512) // 320 + 1, EAR_MEL["n_mels"])
    assert ours.max() == pytest.approx(1.0) and ours.min() >= -1.0
    # float32 dB of cells 80 dB apart, in units of 40 dB: a few ulps of the loudest cell
    np.testing.assert_allclose(layer, ours, rtol=0, atol=2e-4)


def test_the_layer_is_the_trained_network_with_its_batch_norm_folded(
    rng: np.random.Generator, tmp_path: Path
) -> None:
    network = ear_network()
    for layer in network.layers:  # batch norm statistics far from the identity
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.get_weights()[0].size
            layer.set_weights([rng.uniform(0.5, 2, n), rng.normal(0, 0.3, n),
                               rng.normal(0, 0.3, n), rng.uniform(0.2, 3, n)])  # fmt: skip
    data = npz_bytes(folded(network))
    (tmp_path / WEIGHTS_FILENAME).write_bytes(data)
    info = {"sha256": weights_sha256(tmp_path / WEIGHTS_FILENAME)}
    (tmp_path / INFO_FILENAME).write_text(json.dumps(info))
    pcm = np.stack([sound(rng), 0.01 * sound(rng), sound(rng)[::-1].copy()])

    expected = np.asarray(network(np.stack([ear_input(p) for p in pcm]), training=False))
    ours = np.asarray(Ear(weights_dir=str(tmp_path))(pcm))

    assert ours.shape == (3, EAR_DIM)
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-4 * max(scale, 1.0))


def test_the_weights_file_is_byte_for_byte_the_same_for_the_same_arrays(
    rng: np.random.Generator,
) -> None:
    arrays = {"b": rng.standard_normal(3).astype(np.float32), "a": np.ones((2, 2), np.float32)}
    assert npz_bytes(arrays) == npz_bytes(dict(reversed(arrays.items())))
    assert npz_bytes(arrays) != npz_bytes({**arrays, "a": np.zeros((2, 2), np.float32)})


def test_the_committed_weights_are_what_dev_ear_recorded() -> None:
    info = read_info()
    weights = load_weights()  # checks the SHA-256 against ear.json

    assert info["sha256"] == weights_sha256(WEIGHTS_DIR / WEIGHTS_FILENAME)
    assert isinstance(info["seed"], int) and info["epochs"] > 0
    assert info["spectrogram"] == EAR_MEL and info["channels"] == list(CHANNELS)
    assert info["parameters"] == sum(a.size for a in weights.values())
    assert sum(a.size for a in weights.values()) * 4 <= 1_500_000  # the budget
    packages = info["data"]["packages"]
    assert set(packages) == set(PACKAGES) and all(packages.values())
    assert not set(packages) & UNSEEN_SOURCES  # the benchmark's sources stay unseen


def test_weights_that_are_not_ear_json_s_are_refused(tmp_path: Path) -> None:
    folder = shutil.copytree(WEIGHTS_DIR, tmp_path / "ear")
    data = bytearray((folder / WEIGHTS_FILENAME).read_bytes())
    data[-100] ^= 1
    (folder / WEIGHTS_FILENAME).write_bytes(bytes(data))

    with pytest.raises(EarWeightsError, match=r"weights\.npz: SHA-256 .* run ./dev ear"):
        load_weights(folder)
    (folder / INFO_FILENAME).unlink()
    with pytest.raises(EarWeightsError, match=r"ear\.json: missing"):
        load_weights(folder)


def test_dev_ear_installs_the_packages_the_ear_is_rendered_from() -> None:
    (listed,) = re.findall(r"^EAR_PACKAGES=\(([^)]*)\)", (REPO / "dev").read_text(), re.M)
    assert listed.split() == list(PACKAGES)
