"""Personal Audio Classifier: train a sound classifier offline, use it in App Inventor."""

__version__ = "0.1.0"
