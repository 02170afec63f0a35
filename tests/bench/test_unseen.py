"""The measuring code of bench/unseen.py: intervals, listening windows, drum categories,
and the effects task's sources (which package trains, which tests; Qt resource bundles)."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import unseen  # noqa: E402
import unseen_data  # noqa: E402


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # Reference values: the Wilson score interval, z = 1.96, as computed by
        # scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
        (10, 10, (0.7225, 1.0)),
        (0, 10, (0.0, 0.2775)),
        (45, 50, (0.7864, 0.9565)),
    ],
)
def test_wilson_interval_matches_reference_values(
    successes: int, n: int, expected: tuple[float, float]
) -> None:
    lo, hi = unseen.wilson_interval(successes, n)
    assert lo == pytest.approx(expected[0], abs=5e-4)
    assert hi == pytest.approx(expected[1], abs=5e-4)


def test_listening_window_puts_the_clip_centre_off_centre_by_the_shift() -> None:
    window, shift = 16000, 4000
    clip = np.zeros(8000, np.float32)
    clip[4000] = 1.0  # the clip's centre sample
    for sign in (-1, 1):
        w = unseen.listening_window(clip, shift_samples=sign * shift, window_samples=window, seed=0)
        assert w.shape == (window,)
        # shift > 0: the sound's centre comes `shift` samples after the window's centre.
        assert int(np.argmax(w)) == window // 2 + sign * shift


def test_listening_window_fills_with_the_clip_s_own_background_level() -> None:
    rng = np.random.default_rng(1)
    clip = (rng.standard_normal(16000) * 0.01).astype(np.float32)
    w = unseen.listening_window(clip, shift_samples=8000, window_samples=16000, seed=0)
    outside = w[:4000]  # before the clip starts: generated background only
    assert np.sqrt(np.mean(outside**2)) == pytest.approx(0.01, rel=0.2)


def test_drum_categories_sort_file_names_into_one_category_each(tmp_path: Path) -> None:
    names = {
        "kit_a": ["BD_01.aiff", "SN_02.aiff", "HH_03.aiff", "TM_04.aiff", "RD_01.aiff"],
        "kit b": ["Kick-0.wav", "SnareRim-1.wav", "HiHatFoot-0.wav", "TomLow-2.wav", "x.txt"],
        "kit_c": ["EE_Kick_Stomp.flac", "crash20i__ride4.flac", "t1_01.flac"],
    }
    for kit, files in names.items():
        (tmp_path / kit).mkdir()
        for f in files:
            (tmp_path / kit / f).write_bytes(b"")
    found = unseen_data.drum_recordings(tmp_path)
    by_name = {p.name: c for c, kits in found.items() for ps in kits.values() for p in ps}
    assert by_name == {
        "BD_01.aiff": "kick",
        "SN_02.aiff": "snare",
        "HH_03.aiff": "hihat",
        "TM_04.aiff": "tom",
        "RD_01.aiff": "cymbal",
        "Kick-0.wav": "kick",
        "TomLow-2.wav": "tom",
        "EE_Kick_Stomp.flac": "kick",
        "crash20i__ride4.flac": "cymbal",
        "t1_01.flac": "tom",
    }  # rim shots and foot hi-hats are left out: they are other sounds


def fake_effects_tree(root: Path, *, leave_out: tuple[str, ...] = ()) -> None:
    """Empty files where the effects task's recordings are once unpacked."""
    for by_package in unseen_data.EFFECT_SOURCES.values():
        for package, members in by_package.items():
            for member in members if package not in leave_out else ():
                path = unseen_data.effect_path(root, package, member)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"big": 28, "b": 1, "c": 1}, ("big",)),
        # no package holds 5: two that hold exactly 5, the first by name
        ({"x": 3, "y": 3, "z": 2, "w": 2}, ("w", "x")),
        ({"heroes": 2, "lincity": 3, "tux": 3, "frozen": 1}, ("heroes", "lincity")),
        ({"a": 2, "b": 2, "c": 2}, ("a", "b", "c")),
    ],
)
def test_training_packages_are_the_fewest_that_hold_5_recordings(
    counts: dict[str, int], expected: tuple[str, ...]
) -> None:
    assert unseen_data.training_packages(counts) == expected


def test_training_packages_need_5_recordings() -> None:
    with pytest.raises(ValueError, match="only 4"):
        unseen_data.training_packages({"a": 2, "b": 2})


def test_every_effect_label_has_3_packages_and_no_file_has_two_labels() -> None:
    seen: set[tuple[str, str]] = set()
    for by_package in unseen_data.EFFECT_SOURCES.values():
        assert len(by_package) >= 3
        for package, members in by_package.items():
            for member in members:
                assert (package, member) not in seen
                seen.add((package, member))
    assert unseen_data.TASKS[-1] == "effects"


def test_effects_plan_trains_and_tests_each_label_on_other_packages(tmp_path: Path) -> None:
    fake_effects_tree(tmp_path)
    plan = unseen_data.plan_effects(seed=0, root=tmp_path)
    assert plan.labels == ("footsteps", "door", "explosion", "splash", "crowd")
    train_packages = {}
    for label in plan.labels:
        train = [c for c in plan.clips if c.label == label and c.split == "train"]
        test = [c for c in plan.clips if c.label == label and c.split == "test"]
        assert len(train) == 5
        assert len(test) >= 5
        assert all(c.noise is None and not c.phone for c in train)
        assert all(c.noise is not None and c.phone for c in test)
        train_packages[label] = {c.source["package"] for c in train}
        test_packages = {c.source["package"] for c in test}
        assert not train_packages[label] & test_packages
        for c in train + test:
            assert c.source["max_s"] <= 3.0
            assert -12.0 <= c.source["peak_dbfs"] <= -1.0
            path = unseen_data.effect_path(tmp_path, c.source["package"], c.source["file"])
            assert c.source["source"] == str(path)
        for package in test_packages:
            assert sum(c.source["package"] == package for c in test) <= 3
    assert train_packages == {
        "footsteps": {"minetest-data"},
        "door": {"minetest-data"},
        "explosion": {"btanks-data", "bzflag-data"},
        "splash": {"freeciv-data", "minetest-data"},
        "crowd": {"heroes-sound-effects", "lincity-ng-data"},
    }
    # deterministic for a seed; another seed draws other clips of the same packages
    assert unseen_data.plan_effects(seed=0, root=tmp_path).digest() == plan.digest()
    assert unseen_data.plan_effects(seed=1, root=tmp_path).digest() != plan.digest()


def test_effects_plan_refuses_too_few_test_recordings(tmp_path: Path) -> None:
    # without these, door keeps minetest to train on and 3 test recordings
    fake_effects_tree(tmp_path, leave_out=("abe-data", "seahorse-adventures"))
    with pytest.raises(SystemExit, match="door has 3 test recordings"):
        unseen_data.plan_effects(seed=0, root=tmp_path)


def rcc_bundle(files: dict[str, tuple[bytes, bool]]) -> bytes:
    """A Qt resource bundle (format 3) of ``files``: path -> (content, zlib-compressed)."""
    tree: dict[str, Any] = {}
    for path, file in files.items():
        *folders, leaf = path.strip("/").split("/")
        folder = tree
        for name in folders:
            folder = folder.setdefault(name, {})
        folder[leaf] = file
    names, data, records = bytearray(), bytearray(), {}
    queue: list[tuple[int, str, Any]] = [(0, "", tree)]
    count = 1
    while queue:  # breadth first: a folder's children are consecutive nodes
        index, name, item = queue.pop(0)
        name_offset = len(names)
        names += struct.pack(">HI", len(name), 0) + name.encode("utf-16-be")
        if isinstance(item, dict):
            records[index] = struct.pack(">IHII", name_offset, 2, len(item), count) + bytes(8)
            queue += [(count + k, n, c) for k, (n, c) in enumerate(sorted(item.items()))]
            count += len(item)
        else:
            content, compress = item
            payload = struct.pack(">I", len(content)) + zlib.compress(content)
            payload = payload if compress else content
            records[index] = struct.pack(">IHHHI", name_offset, int(compress), 0, 0, len(data))
            records[index] += bytes(8)
            data += struct.pack(">I", len(payload)) + payload
    tree_bytes = b"".join(records[i] for i in range(count))
    header = 24
    offsets = (header, header + len(tree_bytes), header + len(tree_bytes) + len(data))
    return b"qres" + struct.pack(">5I", 3, *offsets, 0) + tree_bytes + data + names


def test_read_rcc_finds_plain_and_compressed_files() -> None:
    blob = rcc_bundle(
        {
            "/a/x.wav": (b"RIFF plain", False),
            "/a/b/y.ogg": (b"OggS" * 50, True),
            "/z.txt": (b"top", False),
        }
    )
    assert unseen_data.read_rcc(blob, "/a/x.wav") == b"RIFF plain"
    assert unseen_data.read_rcc(blob, "/a/b/y.ogg") == b"OggS" * 50
    assert unseen_data.read_rcc(blob, "/z.txt") == b"top"
    for missing in ("/a/nope.wav", "/a", "/z.txt/q"):
        with pytest.raises(KeyError):
            unseen_data.read_rcc(blob, missing)
    with pytest.raises(ValueError, match="not a Qt"):
        unseen_data.read_rcc(b"RIFF" + blob[4:], "/z.txt")


def test_fetch_effects_skips_unpacked_packages_and_takes_files_out_of_bundles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for package in unseen_data.effect_packages():
        (tmp_path / package).mkdir()
    bundles: dict[Path, dict[str, tuple[bytes, bool]]] = {}
    for by_package in unseen_data.EFFECT_SOURCES.values():
        for member in by_package.get("gcompris-qt-data", ()):
            bundle, _, resource = member.partition(unseen_data.RCC_MEMBER)
            path = tmp_path / "gcompris-qt-data" / f"{bundle}.rcc"
            bundles.setdefault(path, {})[resource] = (resource.encode(), True)
    for path, files in bundles.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rcc_bundle(files))

    def no_download(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"ran {args}")

    monkeypatch.setattr(unseen_data.subprocess, "run", no_download)
    unseen_data.fetch_effects(tmp_path)
    for by_package in unseen_data.EFFECT_SOURCES.values():
        for member in by_package.get("gcompris-qt-data", ()):
            out = unseen_data.effect_path(tmp_path, "gcompris-qt-data", member)
            assert out.read_bytes() == member.partition(unseen_data.RCC_MEMBER)[2].encode()


def test_tally_counts_who_was_taken_for_whom_and_recall_is_per_label() -> None:
    confusion: unseen.Confusion = {}
    right = unseen.tally(confusion, ["tom", "tom", "kick", "tom"], ["kick", "tom", "kick", "snare"])
    right += unseen.tally(confusion, ["kick"], ["tom"])  # a second seed adds to the same counts
    assert right == 2
    assert confusion == {"tom": {"kick": 1, "tom": 1, "snare": 1}, "kick": {"kick": 1, "tom": 1}}
    assert unseen.recall(confusion) == {"kick": 0.5, "tom": pytest.approx(1 / 3)}
