"""Train the ear on rendered General MIDI notes and write its weights (``./dev ear``).

    python -m ear.train --data build/ear-data [--epochs 20] [--seed 0] [--copies 4]
                        [--hold-out timgm6mb] [--out model_export/features/ear]

Each clip's class is its drum note (47) or its melodic program (120: General MIDI's sound
effects are left out), and its category is the note's instrument group or the program's
family (``DRUM_CATEGORIES``; 32 in all): the same class and category played by other
soundfonts and kits, which is the generalisation the drums lacked. Two softmax heads, one
loss each. Every clip is
used centred and in ``--copies`` augmented copies (``model_export.audio.augment``: shift,
gain, noise, reverb, speed and the phone's narrowband channel), as the ear's input
(``ear_spec.ear_input``). The network is ``features.ear.ear_network``, trained with softmax
cross-entropy; its batch norm is folded into the convolutions and the weights written as
``weights.npz`` with ``ear.json``: the data manifest, the seed, the settings, the held-out
accuracy if ``--hold-out`` named a soundfont, and the weights' SHA-256.
With ``--hold-out`` nothing is written unless ``--out`` is given: it is a check, not the ear.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from model_export.audio.augment import augmented_window  # noqa: E402
from model_export.audio.decode import load_audio  # noqa: E402
from model_export.audio.preprocess import centre_in_window  # noqa: E402
from model_export.features.ear_spec import (  # noqa: E402
    CHANNELS,
    EAR_MEL,
    INFO_FILENAME,
    WEIGHTS_DIR,
    WEIGHTS_FILENAME,
    ear_input,
)
from model_export.features.layout import EAR_DIM  # noqa: E402

SAMPLE_RATE_HZ = 16_000
WINDOW_SAMPLES = 16_000
SILENT_PEAK = 1e-3
"""A rendered clip whose peak is below this is left out (a kit without that note)."""
SOUND_EFFECT_PROGRAMS = range(120, 128)
"""General MIDI's sound effects (fret noise, breath, seashore, bird, telephone, helicopter,
applause, gunshot): left out, so that no category of bench/unseen.py's ``effects`` task is
a class the ear was taught."""
DRUM_CATEGORIES = {
    "kick": (35, 36), "rimshot": (37,), "snare": (38, 40), "clap": (39,),
    "tom": (41, 43, 45, 47, 48, 50), "hihat": (42, 44, 46),
    "cymbal": (49, 51, 52, 55, 57, 59), "bell": (53, 56, 67, 68), "tambourine": (54,),
    "vibraslap": (58,), "hand drum": (60, 61, 62, 63, 64, 65, 66), "shaker": (69, 70),
    "whistle": (71, 72), "guiro": (73, 74), "wood": (75, 76, 77), "cuica": (78, 79),
    "triangle": (80, 81),
}  # fmt: skip
"""General MIDI's percussion notes grouped by instrument: the second objective, so that a
floor tom and a high tom, or a crash and a ride, are near each other."""


def category_of(name: str) -> str:
    """A class's category: its drum group, or its melodic program's family of 8 (GM's)."""
    kind, number = name.split("-")
    if kind == "drum":
        return next(group for group, notes in DRUM_CATEGORIES.items() if int(number) in notes)
    return f"family-{int(number) // 8}"


def class_of(path: Path, data: Path) -> str:
    """``drum-<note>`` or ``program-<n>``, from the renderer's layout."""
    parts = path.relative_to(data).parts  # font, drums|melodic, kit|p<n>, file
    if parts[1] == "drums":
        return "drum-" + path.stem.split("-")[0][1:]
    return "program-" + parts[2][1:]


def clip_inputs(job: tuple[str, int, int]) -> np.ndarray | None:
    """The clip's ear inputs: centred, then ``copies`` augmented (seeded by the clip's index)."""
    path, copies, seed = job
    clip = load_audio(Path(path), sample_rate_hz=SAMPLE_RATE_HZ)
    if clip.size == 0 or float(np.max(np.abs(clip))) < SILENT_PEAK:
        return None
    rng = np.random.default_rng(seed)
    windows = [centre_in_window(clip, window_samples=WINDOW_SAMPLES, sample_rate_hz=SAMPLE_RATE_HZ)]
    windows += [
        augmented_window(
            clip, rng=rng, window_samples=WINDOW_SAMPLES, sample_rate_hz=SAMPLE_RATE_HZ
        )
        for _ in range(copies)
    ]
    return np.stack([ear_input(w) for w in windows]).astype(np.float16)


def dataset(
    data: Path, *, copies: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """(inputs, class per row, soundfont per row, class names, soundfont names)."""
    paths = [
        p
        for p in sorted(data.rglob("*.wav"))
        if not (class_of(p, data).startswith("program-")
                and int(class_of(p, data)[8:]) in SOUND_EFFECT_PROGRAMS)
    ]  # fmt: skip
    if not paths:
        sys.exit(f"{data}: no rendered clips; run python -m ear.render --out {data}")
    classes = sorted({class_of(p, data) for p in paths})
    fonts = sorted({p.relative_to(data).parts[0] for p in paths})
    jobs = [(str(p), copies, seed * 1_000_003 + i) for i, p in enumerate(paths)]
    with Pool(os.cpu_count() or 1) as pool:
        inputs = pool.map(clip_inputs, jobs, chunksize=32)
    x, y, font = [], [], []
    for p, rows in zip(paths, inputs, strict=True):
        if rows is None:
            continue
        x.append(rows)
        y += [classes.index(class_of(p, data))] * len(rows)
        font += [fonts.index(p.relative_to(data).parts[0])] * len(rows)
    return np.concatenate(x), np.array(y), np.array(font), classes, fonts


def folded(model: object) -> dict[str, np.ndarray]:
    """The trained network's arrays with each batch norm folded into its convolution."""
    arrays: dict[str, np.ndarray] = {}
    for i in range(len(CHANNELS)):
        kernel = model.get_layer(f"conv{i}").get_weights()[0]  # type: ignore[attr-defined]
        gamma, beta, mean, var = model.get_layer(f"bn{i}").get_weights()  # type: ignore[attr-defined]
        eps = model.get_layer(f"bn{i}").epsilon  # type: ignore[attr-defined]
        scale = gamma / np.sqrt(var + eps)
        arrays[f"conv{i}/kernel"] = (kernel * scale).astype(np.float32)
        arrays[f"conv{i}/bias"] = (beta - mean * scale).astype(np.float32)
    kernel, bias = model.get_layer("embedding").get_weights()  # type: ignore[attr-defined]
    arrays["embedding/kernel"] = kernel.astype(np.float32)
    arrays["embedding/bias"] = bias.astype(np.float32)
    return arrays


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The arrays as an uncompressed .npz, byte-for-byte the same for the same arrays."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            array_bytes = io.BytesIO()
            np.save(array_bytes, arrays[name], allow_pickle=False)
            archive.writestr(info, array_bytes.getvalue())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ear.train", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "build" / "ear-data")
    parser.add_argument("--out", type=Path, default=None, help=f"default {WEIGHTS_DIR}")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hold-out", default=None, help="a soundfont to score on, not train on")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    x, y, font, classes, fonts = dataset(args.data, copies=args.copies, seed=args.seed)
    print(f"[ear] {len(x)} inputs, {len(classes)} classes, {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip

    from model_export.frontend.build import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    from model_export.features.ear import ear_network

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    train = np.ones(len(x), bool) if args.hold_out is None else font != fonts.index(args.hold_out)
    categories = sorted({category_of(c) for c in classes})
    y_category = np.array([categories.index(category_of(classes[i])) for i in y])
    features = ear_network(frames=x.shape[1])
    dropped = keras.layers.Dropout(0.3)(features.output)
    model = keras.Model(
        features.input,
        {
            "classes": keras.layers.Dense(len(classes), name="classes")(dropped),
            "categories": keras.layers.Dense(len(categories), name="categories")(dropped),
        },
    )
    steps = args.epochs * int(np.ceil(train.sum() / 64))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps)),
        loss={
            "classes": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "categories": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        },
        metrics={"classes": "accuracy", "categories": "accuracy"},
    )
    targets = {"classes": y, "categories": y_category}
    model.fit(x[train].astype(np.float32), {k: v[train] for k, v in targets.items()},
              batch_size=64, epochs=args.epochs, verbose=2, shuffle=True)  # fmt: skip
    held_out = None
    if args.hold_out is not None:
        scores = model.evaluate(
            x[~train].astype(np.float32), {k: v[~train] for k, v in targets.items()},
            verbose=0, return_dict=True,
        )  # fmt: skip
        held_out = {k: float(v) for k, v in scores.items() if k.endswith("accuracy")}
        print(f"[ear] held-out {args.hold_out} ({int((~train).sum())} inputs): {held_out}")
    seconds = time.perf_counter() - started
    out = args.out if args.out is not None else (None if args.hold_out else WEIGHTS_DIR)
    if out is None:
        return 0
    data = npz_bytes(folded(features))
    out.mkdir(parents=True, exist_ok=True)
    (out / WEIGHTS_FILENAME).write_bytes(data)
    info = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": manifest,
        "seed": args.seed,
        "epochs": args.epochs,
        "copies": args.copies,
        "held_out": args.hold_out,
        "held_out_accuracy": held_out,
        "classes": len(classes),
        "categories": len(categories),
        "left_out_programs": list(SOUND_EFFECT_PROGRAMS),
        "inputs": int(train.sum()),
        "spectrogram": EAR_MEL,
        "channels": list(CHANNELS),
        "embedding": EAR_DIM,
        "parameters": int(sum(a.size for a in folded(features).values())),
        "train_seconds": round(seconds),
        "tools": {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
        },  # fmt: skip
    }
    (out / INFO_FILENAME).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"[ear] wrote {out / WEIGHTS_FILENAME} ({len(data)} bytes) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
