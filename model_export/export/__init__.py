"""From a trained Keras model to the files of a model folder: SavedModel, TF.js graph model, TFLite.

The only package (with ``training`` and ``features``) that imports TensorFlow.
"""
