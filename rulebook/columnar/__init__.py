"""The columnar plan: the contract compiled to polars expressions, run over frames.

This is the evaluator of every bulk command and of :func:`rulebook.adjudicate_frame`. It
gives the same answer as the record engine (:mod:`rulebook.engine`), which stays the oracle
and the explainer; the differential tests in ``tests/test_differential.py`` hold them equal.

- :mod:`.translate` — conditions to Kleene-logic polars expressions;
- :mod:`.plan` — the stages, in the record engine's order, over :mod:`.state`'s ``Plan``;
- :mod:`.rules`, :mod:`.related`, :mod:`.runs` — clause values, related causes, runs;
- :mod:`.dependencies` — the groupings a verdict reads, their key columns, and the
  neighbourhood ``explain`` takes from them;
- :mod:`.result` — the plan's frames of verdicts and segments, as they leave it.

Layer: engine and columnar. It may import the intake (its frames come from there), the
record engine (whose small functions it reuses: windows, periods, remedies, obligations),
the model layer and below; never the document, the report or the command line.
"""
