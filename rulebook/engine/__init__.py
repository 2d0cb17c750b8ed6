"""The record engine: the oracle and the explainer, one module per stage.

Records in, verdicts out: :mod:`.adjudicate` runs the stages in the order of ``STAGES``
(scope, causal closure, per-service timeline, threshold, windows, clauses, periods,
availability, remedies, obligations) over a :class:`~rulebook.engine.adjudicate.Run`;
:mod:`.classify` compiles conditions to Kleene-logic closures, :mod:`.timeline` is the
interval algebra, :mod:`.calendar`, :mod:`.windows`, :mod:`.measure`, :mod:`.remedy`,
:mod:`.obligations` the stages' own arithmetic, :mod:`.trace` the reasons.

Layer: engine and columnar. It may import the intake (validated records, notices, billing,
causal order), the model layer and the text layer; never the columnar plan, the JSON
document (:mod:`rulebook.document`), the report or the command line.
"""
