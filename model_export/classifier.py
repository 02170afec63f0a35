"""Build the classifier: frozen ``AudioFeatures`` followed by a small trainable head.

Training computes features once per (augmented) clip and fits only the head;
the exported model chains both, so it takes raw PCM and returns probabilities.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from model_export.audio_features import AudioFeatures

INPUT_NAME = "pcm"
OUTPUT_NAME = "probabilities"


def build_head(
    *,
    feature_dim: int,
    n_labels: int,
    feature_mean: np.ndarray,
    feature_variance: np.ndarray,
    seed: int,
    dropout: float = 0.5,
    l2: float = 1e-3,
) -> keras.Model:
    """Standardise features with training-set statistics, then a softmax layer."""
    features = keras.Input(shape=(feature_dim,), name="features")
    x = keras.layers.Normalization(
        mean=feature_mean, variance=np.maximum(feature_variance, 1e-6), name="standardise"
    )(features)
    x = keras.layers.Dropout(dropout, seed=seed, name="dropout")(x)
    probabilities = keras.layers.Dense(
        n_labels,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        kernel_regularizer=keras.regularizers.L2(l2),
        name="classify",
    )(x)
    return keras.Model(features, probabilities, name="head")


def build_classifier(features: AudioFeatures, head: keras.Model) -> keras.Model:
    """PCM ``(batch, window_samples)`` float32 to probabilities ``(batch, n_labels)``."""
    pcm = keras.Input(shape=(features.window_samples,), name=INPUT_NAME, dtype="float32")
    probabilities = head(features(pcm))
    # An identity layer pins a stable output name for the exported signature.
    out = keras.layers.Identity(name=OUTPUT_NAME)(probabilities)
    return keras.Model(pcm, out, name="pac_classifier")


def make_optimizer(name: str, *, learning_rate: float) -> Any:
    """The paper's three optimizers, by name."""
    optimizers = {
        "adam": keras.optimizers.Adam,
        "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
        "rmsprop": keras.optimizers.RMSprop,
    }
    if name not in optimizers:
        raise ValueError(f"optimizer must be one of {', '.join(optimizers)}; got {name!r}")
    return optimizers[name](learning_rate=learning_rate)
