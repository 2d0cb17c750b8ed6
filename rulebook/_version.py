"""The version of rulebook, named in every document it writes (the lowest layer: every
other module may import it)."""

__version__ = "0.1.0"
