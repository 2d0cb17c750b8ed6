"""The causal graph of records: ``caused_by`` edges, cycles, and related exclusions.

Edges run from a cause to the records it caused. A record whose causal ancestors include a
record an exclusion applies to is excluded too when the clause says ``including related``;
the chain of records is kept for the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rulebook.engine.facts import OutageRecord, RecordError
from rulebook.grammar.diagnostics import did_you_mean


def causal_order(records: Sequence[OutageRecord]) -> list[str] | None:
    """Record ids with every cause before its effects; None when no record names a cause.

    Raises :class:`RecordError` for an unknown id in ``caused_by`` and for a cycle.
    """
    if not any(r.causes for r in records):
        return None
    import networkx as nx  # imported only when records name causes

    ids = {r.id for r in records}
    graph: Any = nx.DiGraph()
    graph.add_nodes_from(sorted(ids))
    for record in records:
        for cause in record.causes:
            if cause not in ids:
                raise RecordError(
                    record.id,
                    "caused_by",
                    f"names record '{cause}', which is not in the input",
                    "ids of records in the same input",
                    did_you_mean(str(cause), sorted(ids)),
                )
            graph.add_edge(cause, record.id)
    try:
        return list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(graph)
    chain = [edge[0] for edge in cycle] + [cycle[0][0]]
    raise RecordError(
        chain[0],
        "caused_by",
        "records cause each other in a cycle: " + " -> ".join(chain),
        "a chain of causes without cycles",
    )
