"""The project file's maps (``rulebook.toml``), compiled against a contract and applied
alike on both intake routes, so that they stay one semantics.

- :mod:`.compile` — the project file and the contract to a :class:`Mapping`;
- :mod:`.apply` — before validation (names, words, spreadsheet times) and after it (the
  service map, notices), on items and on frames.

Layer: intake and mapping. It may import the intake, the project file, the readers, the
model layer and the text layer; never the engine or anything above it.
"""
