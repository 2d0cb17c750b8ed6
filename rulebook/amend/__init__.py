"""What an amendment changes: two versions of a contract compared clause by clause
(:mod:`.clauses`), and the same log adjudicated under both and joined (:mod:`.effects`):
records whose verdict or seconds change, periods whose figures or remedies change, and the
money per service and in total.

Layer: document. It may import the engine, the columnar plan and everything below them;
the report writes what it finds, the command line runs it (``rulebook diff``).
"""
