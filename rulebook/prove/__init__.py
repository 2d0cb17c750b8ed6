"""`rulebook check --prove`: properties of a contract proved or refuted by an SMT solver
(z3), over every outage the vocabulary can describe and every period, each refutation
turned into an `example` block that shows it.

Modules: encode.py (a record's facts as symbols, conditions in three-valued logic: the
prover's column of the table of condition kinds), remedies.py (a period and what the
remedies owe for it), rules.py (the rule clauses for a record, the solver), witness.py
(a model as an example block), properties.py (the properties, ``prove``).

Layer: check. It imports the model layer (and z3); nothing above it.
"""

from __future__ import annotations

from rulebook.prove.properties import PROPERTIES, Finding, Proof, prove

__all__ = ["PROPERTIES", "Finding", "Proof", "prove"]
