"""The frozen feature front-end, built once per window size and kept in a cache.

The front-end (``features.AudioFeatures``: log-mel, speech embedding, pitch,
pooling) is the same for every model with the same window. ``build`` turns it
into a TF.js graph model and a TFLite model with TensorFlow; ``cache`` keeps
those files per window and code version, so that training (features on the
LiteRT interpreter) and export (grafting the trained head onto them) run
without importing TensorFlow after the first time.
"""
