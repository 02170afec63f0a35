"""Where each feature sits in the front-end's output vector (no TensorFlow needed).

``audio_features.AudioFeatures`` builds the vector in this order; training
(``training/feature_sets.py``) reads it through these names.
"""

from __future__ import annotations

from model_export.features.pretrained import EMBEDDING_DIM

MEL_BANDS = 32
"""Log-mel bands of the front-end's spectrogram (60 Hz to 3.8 kHz)."""

SPEECH = slice(0, 2 * EMBEDDING_DIM)
"""Mean and max of the speech embedding over the active frames."""
MEL_MEANS = slice(SPEECH.stop, SPEECH.stop + MEL_BANDS)
"""Per-band mean of the log-mel over the active frames."""
ENVELOPE_BELOW_PEAK_DB = (3.0, 6.0, 10.0, 15.0, 20.0, 30.0, 40.0)
"""The envelope, the last features of the timbre block: the share of frames within each
of these of the loudest frame's energy."""
PITCH_BANDS = 12
PITCH_FEATURES = PITCH_BANDS + 3
"""The pitch statistics (``pitch.py``): a histogram of PITCH_BANDS, voicing, mean and
standard deviation."""
AFTER_MEL_MEANS = slice(
    MEL_MEANS.stop, MEL_MEANS.stop + MEL_BANDS + 1 + PITCH_FEATURES + len(ENVELOPE_BELOW_PEAK_DB)
)
"""The per-band standard deviation of the log-mel, the active fraction, the pitch
statistics and the envelope. With the means, the "timbre block"."""
ENVELOPE = slice(AFTER_MEL_MEANS.stop - len(ENVELOPE_BELOW_PEAK_DB), AFTER_MEL_MEANS.stop)
"""The envelope, the timbre block's last features."""
EAR_DIM = 64
"""Numbers in the ear's general-sound embedding."""
EAR = slice(AFTER_MEL_MEANS.stop, AFTER_MEL_MEANS.stop + EAR_DIM)
"""The ear's general-sound embedding (``ear.py``), the last features."""
FEATURE_DIM = EAR.stop
