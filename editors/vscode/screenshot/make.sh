#!/usr/bin/env bash
# Makes images/screenshot.png, the picture in README.md and docs/editors.md:
# the bundled cybermail contract with `and` left at the end of two `when` lines (the
# example of issue 28), highlighted by this extension's TextMate grammar (vscode-textmate,
# VS Code's tokenizer, coloured as the Dark+ theme) with the diagnostics `rulebook check`
# gives for it (the language server publishes the same), drawn by screenshot/render.js and
# captured by headless Chromium. It is a rendering of those parts, not a capture of VS Code.
#
#   cd editors/vscode && npm ci && screenshot/make.sh     (rulebook and chromium installed)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/cybermail.sla" <<'PY'
import sys
from rulebook.load import bundled_dir
lines = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8").split("\n")
whens = [i for i, line in enumerate(lines) if line.strip().startswith("when cause = ")][:2]
for i in whens:
    lines[i] += " and"
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines))
PY
read -r first last < <(python3 - <<'PY'
from rulebook.load import bundled_dir
lines = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8").split("\n")
whens = [i for i, line in enumerate(lines) if line.strip().startswith("when cause = ")][:2]
print(whens[0] - 9, whens[1] + 15)
PY
)
python3 -m rulebook check --json "$work/cybermail.sla" > "$work/diagnostics.json" || true
node screenshot/render.js "$work/cybermail.sla" "$work/diagnostics.json" "$first" "$last" > "$work/page.html"
mkdir -p images
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1500,840 \
  --screenshot="$PWD/images/screenshot.png" "file://$work/page.html" 2>/dev/null
echo "wrote images/screenshot.png"
