"""Convert the Keras front-end (PCM -> feature vector) into TF.js and TFLite files.

The one place that runs TensorFlow's converters (the ``frontend`` extra).
``python -m model_export.frontend.build`` (``./dev frontend``) writes the
front-ends that ship in the package (``layout.PREBUILT_WINDOWS``); a test
checks that the shipped files are what it writes today. Output folder::

    frontend.tflite                 TFLite: (pcm [batch, max_clip_samples], pcm_length [batch])
                                    -> trim and centre -> features; what export grafts onto
    model.json, group1-shard*.bin   TF.js graph model of the same
    window_features.tflite          TFLite: pcm [batch, window_samples], already centred,
                                    -> features; what training runs (its augmentation
                                    moves sounds off-centre, which trimming would undo)
    frontend.json                   window, analysis length, feature size, key, the tools'
                                    versions and each file's SHA-256

The build is deterministic: the same code and tools give the same bytes
(model.json is written with sorted keys; the converter's own key order varies).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from model_export.frontend.layout import (
    FEATURES_NAME,
    PREBUILT_DIR,
    PREBUILT_WINDOWS,
    TFLITE_FILENAME,
    WINDOW_TFLITE_FILENAME,
    prebuilt_name,
)
from model_export.model_folder.layout import INPUT_NAME, LENGTH_NAME, TFJS_MODEL_FILENAME
from model_export.quiet import native_output_silenced, quiet_environment

_CLIP_ENDPOINT = "serving_default"
_WINDOW_ENDPOINT = "window_features"


def import_tensorflow_quietly() -> None:
    """Import tensorflow once with its native chatter silenced and its Python logger at ERROR."""
    quiet_environment()
    if "tensorflow" in sys.modules:
        return
    with native_output_silenced():
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")


def build_frontend_files(
    out_dir: Path, *, window_samples: int, analysis_samples: int, max_clip_samples: int
) -> int:
    """Write the front-end for one window into the existing ``out_dir``; return feature_dim."""
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    from model_export import MODEL_SAMPLE_RATE_HZ
    from model_export.features.audio_features import AudioFeatures
    from model_export.features.trim_and_centre import TrimAndCentre

    features = AudioFeatures(window_samples=window_samples, analysis_samples=analysis_samples)
    trim = TrimAndCentre(
        window_samples=window_samples,
        max_clip_samples=max_clip_samples,
        sample_rate_hz=MODEL_SAMPLE_RATE_HZ,
    )
    window = keras.Input(shape=(window_samples,), name=INPUT_NAME, dtype="float32")
    window_model = keras.Model(window, features(window), name="pac_window_features")

    archive = keras.export.ExportArchive()
    archive.track(window_model)
    archive.add_endpoint(
        name=_CLIP_ENDPOINT,
        fn=tf.function(
            lambda pcm, pcm_length: {
                FEATURES_NAME: window_model(trim(pcm, pcm_length), training=False)
            }
        ),
        input_signature=[
            tf.TensorSpec((None, max_clip_samples), tf.float32, name=INPUT_NAME),
            tf.TensorSpec((None,), tf.int32, name=LENGTH_NAME),
        ],
    )
    archive.add_endpoint(
        name=_WINDOW_ENDPOINT,
        fn=tf.function(lambda pcm: {FEATURES_NAME: window_model(pcm, training=False)}),
        input_signature=[tf.TensorSpec((None, window_samples), tf.float32, name=INPUT_NAME)],
    )
    with tempfile.TemporaryDirectory(prefix="pac-frontend-") as tmp:
        saved = Path(tmp) / "saved_model"
        with native_output_silenced():  # grappler, MLIR and converter logs
            archive.write_out(str(saved), verbose=False)
            # FACTS.md §4: the route that loads in tfjs 4.22 is SavedModel -> tfjs_graph_model.
            from tensorflowjs.converters import tf_saved_model_conversion_v2 as tfjs

            tfjs.convert_tf_saved_model(
                str(saved), str(out_dir), signature_def=_CLIP_ENDPOINT, saved_model_tags="serve"
            )
            for endpoint, filename in (
                (_CLIP_ENDPOINT, TFLITE_FILENAME),
                (_WINDOW_ENDPOINT, WINDOW_TFLITE_FILENAME),
            ):
                converter = tf.lite.TFLiteConverter.from_saved_model(
                    str(saved), signature_keys=[endpoint]
                )
                (out_dir / filename).write_bytes(converter.convert())
    return int(features.feature_dim)


def write_frontend(
    out_dir: Path, *, window_samples: int, analysis_samples: int, max_clip_samples: int, key: str
) -> None:
    """Build the front-end files into the existing ``out_dir``, with their frontend.json."""
    from model_export.frontend.cache import INFO_FILENAME, tool_versions

    feature_dim = build_frontend_files(
        out_dir,
        window_samples=window_samples,
        analysis_samples=analysis_samples,
        max_clip_samples=max_clip_samples,
    )
    model_json = out_dir / TFJS_MODEL_FILENAME
    model_json.write_text(
        json.dumps(json.loads(model_json.read_text(encoding="utf-8")), sort_keys=True) + "\n",
        encoding="utf-8",
    )
    info = {
        "window_samples": window_samples,
        "analysis_samples": analysis_samples,
        "max_clip_samples": max_clip_samples,
        "feature_dim": feature_dim,
        "features": FEATURES_NAME,
        "key": key,
        "tools": tool_versions(),
        "sha256": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out_dir.iterdir())
        },
    }
    (out_dir / INFO_FILENAME).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def write_prebuilt(out_root: Path) -> list[Path]:
    """Build every front-end pac ships into ``out_root`` (replacing what is there)."""
    from model_export.frontend.cache import MAX_CLIP_SAMPLES, source_key

    written = []
    for window_samples, analysis_samples in PREBUILT_WINDOWS:
        folder = out_root / prebuilt_name(window_samples, analysis_samples)
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        write_frontend(
            staging,
            window_samples=window_samples,
            analysis_samples=analysis_samples,
            max_clip_samples=MAX_CLIP_SAMPLES,
            key=source_key(window_samples=window_samples, analysis_samples=analysis_samples),
        )
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        written.append(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m model_export.frontend.build",
        description="Build the front-ends that ship in the package (needs the frontend extra).",
    )
    parser.add_argument("--out", type=Path, default=PREBUILT_DIR, help="default %(default)s")
    args = parser.parse_args(argv)
    for folder in write_prebuilt(args.out):
        print(f"wrote {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
