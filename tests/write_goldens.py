"""Write the golden files from the current output; the tests only ever read them.

    python -m tests.write_goldens            # write every golden file that changed or is missing
    python -m tests.write_goldens --check    # write nothing; exit 1 if one would change
    python -m tests.write_goldens NAME ...   # only the golden files whose path contains NAME

Run it from the checkout's root after a change of output, then review ``git diff`` before
committing: a golden file is an expectation, and a diff nobody read is no test. A
diagnostics case whose codes differ from its ``# expect:`` line is refused, not written.
The golden files are listed in :mod:`tests.goldens`.
"""

from __future__ import annotations

import sys

from tests.goldens import ROOT, every


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if a != "--check"]
    changed = 0
    for path, produce in every():
        shown = path.relative_to(ROOT).as_posix()
        if names and not any(n in shown for n in names):
            continue
        content = produce()
        data = content.encode("utf-8") if isinstance(content, str) else content
        old = path.read_bytes() if path.is_file() else None
        if old == data:
            continue
        changed += 1
        state = "missing" if old is None else "changed"
        if check:
            print(f"{shown}: {state}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {shown} ({state})")
    if check and changed:
        print(f"{changed} golden file(s) would change", file=sys.stderr)
        return 1
    print(f"{changed} golden file(s) {'would change' if check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
