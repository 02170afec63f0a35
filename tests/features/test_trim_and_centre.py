"""model_export.features.trim_and_centre: the graph's trim and centre against the reference."""

from __future__ import annotations

import numpy as np
import pytest

from model_export.audio.preprocess import centre_in_window, clip_input
from model_export.features.trim_and_centre import TrimAndCentre

SR = 16_000


def clips(rng: np.random.Generator) -> list[np.ndarray]:
    """Empty, shorter than a frame, constant, noise with a tone burst anywhere, over-long."""
    out = [np.zeros(0, np.float32), np.full(300, 0.1, np.float32), np.zeros(5_000, np.float32)]
    for _ in range(12):
        n = int(rng.integers(1_000, 50_000))
        y = (rng.standard_normal(n) * 0.01 * rng.random()).astype(np.float32)
        start = int(rng.integers(0, n - 500))
        stop = min(n, start + int(rng.integers(400, 20_000)))
        y[start:stop] += 0.5 * np.sin(0.1 * np.arange(stop - start)).astype(np.float32)
        out.append(y)
    out.append((0.1 * rng.standard_normal(70_000)).astype(np.float32))
    return out


@pytest.mark.parametrize(
    ("window_samples", "max_clip_samples"), [(16_000, 64_000), (19_748, 48_010), (32_000, 32_000)]
)
def test_the_graph_centres_as_the_reference_does(
    window_samples: int, max_clip_samples: int, rng: np.random.Generator
) -> None:
    layer = TrimAndCentre(
        window_samples=window_samples, max_clip_samples=max_clip_samples, sample_rate_hz=SR
    )
    inputs = [clip_input(y, max_clip_samples=max_clip_samples) for y in clips(rng)]
    pcm = np.stack([row for row, _ in inputs])
    lengths = np.asarray([length for _, length in inputs], np.int32)

    windows = np.asarray(layer(pcm, lengths))

    assert windows.shape == (len(inputs), window_samples)
    for window, row, length in zip(windows, pcm, lengths, strict=True):
        reference = centre_in_window(row[:length], window_samples=window_samples, sample_rate_hz=SR)
        # The same samples moved, not computed: equal exactly.
        np.testing.assert_array_equal(window, reference)


def test_a_clip_longer_than_the_maximum_keeps_its_middle() -> None:
    y = np.arange(10, dtype=np.float32)

    row, length = clip_input(y, max_clip_samples=4)

    assert length == 4 and row.tolist() == [3.0, 4.0, 5.0, 6.0]
    row, length = clip_input(y[:3], max_clip_samples=4)
    assert length == 3 and row.tolist() == [0.0, 1.0, 2.0, 0.0]
