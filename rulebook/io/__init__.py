"""Reading what rulebook is given: decoding (an encoding named or detected, a BOM
honoured), CSV, JSON Lines and JSON case files as items (:mod:`.readers`), and the
importers of real exports — Google Cloud status (:mod:`.gcp_status`), Statuspage
(:mod:`.statuspage`), Prometheus ``probe_success`` (:mod:`.probes`), their shared helpers
(:mod:`.exports`) and the choice among them (:mod:`.importers`). ``data/`` holds their
tables (the GCP region to country table).

Layer: io. It may import the model layer and the text layer; nothing here validates
against a vocabulary (that is the intake) or decides anything.
"""
