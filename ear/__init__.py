"""The ear: a compact general-sound embedding, trained on sound rendered from General MIDI
soundfonts (a development step, ``./dev ear``; not part of the installed package).

``render.py`` makes the data, ``train.py`` trains the network and writes its weights into
``model_export/features/ear/``, where the front-end reads them (``features/ear.py``).
"""
