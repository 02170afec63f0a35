"""Build an App Inventor extension (``.aix``) with a trained model inside.

    sources     the extension's Java sources, staged for one package and model
    java        an in-process JVM (JPype): compiling with javac, reading annotations
    describe    the blocks, read back from the Java annotations -> components.json
    dex         finding d8 and turning AndroidRuntime.jar into classes.jar
    package     the .aix zip, byte for byte reproducible
    build       all of it: ``pac build-aix``

docs/extension.md documents the result; FACTS.md §1 the format.
"""
