"""The jobs behind the CLI: folders in, model folders and reports out.

One module per job, so that a job imports only what it needs: ``classify``,
``evaluate`` and ``export`` never import TensorFlow; ``train`` does.
"""
