"""The intake: logs read into validated records and frames, and every read record
accounted for (read = adjudicated + rejected).

- :mod:`.records` — an outage record, a notice and a timeline event, validated field by
  field against the contract's vocabulary (three-valued facts; instants in the contract's
  timezone), with the message that names the record and the field;
- :mod:`.billing` — billing entries;
- :mod:`.causes` — ``caused_by``: causal order, unknown ids, cycles;
- :mod:`.items` — the record route: items of a case validated one by one;
- :mod:`.frames` — the column route's reading: CSV, JSON Lines, Parquet as text cells;
- :mod:`.columns` — the column route's validation, a column at a time;
- :mod:`.edges` — causal edges on the column route, as integers;
- :mod:`.clock` — UTC offsets for columns, from ``zoneinfo``.

Layer: intake and mapping. It may import the readers (:mod:`rulebook.io`), the model layer
and the text layer; never the engine, the columnar plan or anything above them.
"""
