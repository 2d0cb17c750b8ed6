"""The language server (``rulebook lsp``): editor support over the same checks as the
command line. :mod:`analysis` is the model of an open document, :mod:`features` the
handlers' logic, :mod:`server` the protocol wiring (pygls).

Layer: command line. It uses only the authoring layers (grammar, check, load), so it
starts without the engine, polars or the readers.
"""
