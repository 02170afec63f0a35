"""Audio: decoding files, finding datasets, trim-and-centre, and training-time augmentation.

Only ``decode`` reads or writes audio files; every other function takes and
returns arrays (``y`` float32 mono PCM in [-1, 1] at ``sample_rate_hz``).
No TensorFlow here.
"""
