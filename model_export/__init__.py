"""Everything between a folder of clips and a model folder, in packages that import downwards.

    jobs          the jobs behind the CLI (train, evaluate, classify, export)
    export        Keras model -> SavedModel, TF.js graph model, TFLite     (TensorFlow)
    training      settings, head, training loop                             (TensorFlow)
    features      the frozen front-end as Keras layers, inside the graph     (TensorFlow)
    model_folder  metadata, atomic writes, loading and inference            (no TensorFlow)
    audio         decoding, datasets, trim-and-centre, augmentation         (no TensorFlow)

docs/architecture.md gives the allowed import direction; ``./dev lint`` checks it.
"""

MODEL_SAMPLE_RATE_HZ = 16_000
"""The rate every clip is resampled to before it reaches the model."""
