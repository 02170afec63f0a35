"""Convert the Keras front-end (PCM -> feature vector) into TF.js and TFLite files.

The one place that runs TensorFlow's converters. Output folder::

    frontend.tflite                 TFLite, input ``pcm`` [batch, window_samples]
    model.json, group1-shard*.bin   TF.js graph model, signature pcm -> features
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from model_export.model_folder.layout import INPUT_NAME
from model_export.quiet import native_output_silenced, quiet_environment

FEATURES_NAME = "features"
"""The front-end's output: float32 ``[batch, feature_dim]`` (the signature key)."""
TFLITE_FILENAME = "frontend.tflite"


def import_tensorflow_quietly() -> None:
    """Import tensorflow once with its native chatter silenced and its Python logger at ERROR."""
    quiet_environment()
    if "tensorflow" in sys.modules:
        return
    with native_output_silenced():
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")


def build_frontend_files(out_dir: Path, *, window_samples: int, analysis_samples: int) -> int:
    """Write the front-end for one window into the existing ``out_dir``; return feature_dim."""
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    from model_export.features.audio_features import AudioFeatures

    features = AudioFeatures(window_samples=window_samples, analysis_samples=analysis_samples)
    pcm = keras.Input(shape=(window_samples,), name=INPUT_NAME, dtype="float32")
    model = keras.Model(pcm, features(pcm), name="pac_frontend")

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serving_default",
        fn=tf.function(lambda pcm: {FEATURES_NAME: model(pcm, training=False)}),
        input_signature=[tf.TensorSpec((None, window_samples), tf.float32, name=INPUT_NAME)],
    )
    with tempfile.TemporaryDirectory(prefix="pac-frontend-") as tmp:
        saved = Path(tmp) / "saved_model"
        with native_output_silenced():  # grappler, MLIR and converter logs
            archive.write_out(str(saved), verbose=False)
            # FACTS.md §4: the route that loads in tfjs 4.22 is SavedModel -> tfjs_graph_model.
            from tensorflowjs.converters import tf_saved_model_conversion_v2 as tfjs

            tfjs.convert_tf_saved_model(
                str(saved), str(out_dir), signature_def="serving_default", saved_model_tags="serve"
            )
            flatbuffer = tf.lite.TFLiteConverter.from_saved_model(str(saved)).convert()
    (out_dir / TFLITE_FILENAME).write_bytes(flatbuffer)
    return int(features.feature_dim)
