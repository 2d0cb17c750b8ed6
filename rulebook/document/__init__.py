"""The JSON document: the one record of an adjudication that every output is written from.

- :mod:`.fields` — the document's parts (head, record, row, period), defined once;
- :mod:`.records` — :func:`~rulebook.document.records.adjudicate` and
  :class:`~rulebook.document.records.Adjudication`, the record engine's result;
- :mod:`.frames` — :func:`~rulebook.document.frames.adjudicate_frame` and
  :class:`~rulebook.document.frames.FrameAdjudication`, the columnar plan's result.

Layer: the document, above both evaluators. It may import the record engine, the columnar
plan, the intake and everything below them; never the report, Spark or the command line.
"""
