"""The model folder: what it holds, its metadata, writing it atomically, and running it.

Nothing in this package imports TensorFlow or Keras: ``pac classify``,
``pac evaluate``, the bridge and the ``.aix`` builder read model folders
through it and start in a fraction of a second. Layout: docs/metadata.md.
"""
