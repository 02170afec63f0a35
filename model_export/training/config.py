"""Training controls: one definition of every setting and its limits.

Kept apart from ``train`` so that the command line can read the defaults and
limits without importing Keras.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from model_export import MODEL_SAMPLE_RATE_HZ
from model_export.audio.augment import AugmentConfig

OPTIMIZERS = ("adam", "sgd", "rmsprop")
MAX_LEARNING_RATE = 10.0
"""Above this every optimizer diverges on the standardised features; the CLI refuses it."""
MIN_WINDOW_SECONDS = 1.0
MAX_WINDOW_SECONDS = 2.0
ANALYSIS_SECONDS = 2.0
"""Default length the backbone looks at: a shorter window is zero-padded around its centre.

Measured in bench/accuracy.py: the speech embedding needs several positions
to pool over, and a 1 s input gives it only three.
"""


@dataclass(frozen=True)
class TrainConfig:
    """Training controls (the paper's, plus seed, window and augmentation)."""

    epochs: int = 40
    learning_rate: float = 1e-2
    optimizer: str = "adam"
    batch_size: int = 32
    train_fraction: float = 0.8
    seed: int = 0
    window_seconds: float = 1.0
    augment_copies: int = 10
    background: bool = False
    analysis_seconds: float = ANALYSIS_SECONDS
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def __post_init__(self) -> None:
        problems = []
        if self.epochs < 1:
            problems.append(f"epochs must be >= 1; got {self.epochs}")
        if not 0 < self.learning_rate <= MAX_LEARNING_RATE:
            problems.append(
                f"learning rate must be in (0, {MAX_LEARNING_RATE:g}]; got {self.learning_rate}"
            )
        if self.optimizer not in OPTIMIZERS:
            problems.append(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}"
            )
        if self.batch_size < 1:
            problems.append(f"batch size must be >= 1; got {self.batch_size}")
        if not 0.0 < self.train_fraction <= 1.0:
            problems.append(f"train fraction must be in (0, 1]; got {self.train_fraction}")
        if not MIN_WINDOW_SECONDS <= self.window_seconds <= MAX_WINDOW_SECONDS:
            problems.append(
                f"window must be {MIN_WINDOW_SECONDS:g} to {MAX_WINDOW_SECONDS:g} seconds; "
                f"got {self.window_seconds:g}"
            )
        if self.augment_copies < 0:
            problems.append(f"augment copies must be >= 0; got {self.augment_copies}")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def window_samples(self) -> int:
        return round(self.window_seconds * MODEL_SAMPLE_RATE_HZ)

    @property
    def analysis_samples(self) -> int:
        return max(self.window_samples, round(self.analysis_seconds * MODEL_SAMPLE_RATE_HZ))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
