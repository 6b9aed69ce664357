"""Task recipes. Every module here registers its ``seqkeras`` subcommands on import.

Task modules keep heavy imports (TensorFlow, music21, …) inside functions so that
``seqkeras --help`` stays fast.
"""
