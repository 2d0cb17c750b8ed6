"""The corpus cases of issue 26 ("hostile input, round two": wide rows, project files, CSV
out, JSON keys, the language server's neighbours), written by ``make_corpus.py``, which
passes itself in (``corpus``: its ``case``, ``adjudicate`` and the records it builds on)."""

from __future__ import annotations

import hashlib
import json
from types import ModuleType


def build(corpus: ModuleType) -> None:
    wide_rows(corpus)
    project_files(corpus)


def wide_rows(c: ModuleType) -> None:
    """Columns and keys that are no field: warned about in one line naming ten of them."""
    names = [f"note{i}" for i in range(2000)]
    head = "id,service,start,end"
    row = "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00"
    listed = ", ".join(names[:10]) + " and 1,990 more; to read one"
    c.adjudicate("csv/wide-2000.csv", f"{head},{','.join(names)}\n{row},{','.join('v' * 2000)}\n",
                 0, ["wide-2000.csv: 2000 column(s) that are no field of outage records are "
                     "ignored: " + listed], **c.counted("a"))  # fmt: skip
    c.jsonl("wide-2000.jsonl", [c.RECORD | dict.fromkeys(names, "v")], 0,
            ["wide-2000.jsonl: 2000 column(s) that are no field of outage records are "
             "ignored: " + listed], **c.counted("a"))  # fmt: skip
    assert json  # used by later classes


def project_files(c: ModuleType) -> None:
    """The project file in use is named with its SHA-256 and shown in the output's header;
    --config refuses what is no file, naming what it is."""
    text = 'timezone = "UTC"\n'
    sha = hashlib.sha256(text.encode()).hexdigest()
    example = ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--config"]
    c.case("config/timezone-utc.toml", text, [*example, "{file}"], 0,
           [f"timezone-utc.toml (sha256 {sha}); --no-config runs without it",
            "timezone Asia/Tokyo (project file ", "timezone-utc.toml; naive times read in UTC)"])  # fmt: skip
    log = "\n".join([c.HEAD, c.GOOD.format(id="a")]) + "\n"
    for device in ("/dev/zero", "/dev/null"):
        name = device.rsplit("/", 1)[1]
        c.case(f"config/config-{name}.csv", log,
               ["adjudicate", "cybermail", "{file}", "--config", device], 1,
               [f"{device}: is a character device, not a file; give the project file's path to --config"])  # fmt: skip
