"""Audio loading, the classifier model, training and export.

Only ``audio_io`` touches audio files on disk; every other module takes and
returns arrays (``y`` float32 mono PCM in [-1, 1] at ``sample_rate_hz``).
"""

MODEL_SAMPLE_RATE_HZ = 16_000
"""The rate every clip is resampled to before it reaches the model."""
