"""Transfer learning: the training settings, the classifier head and the training loop.

``config`` imports no Keras, so the command line can read defaults and limits cheaply.
"""
