#!/usr/bin/env bash
# Follows Docs/Extending.md literally in a temporary folder: a fresh package `MyLayers`
# next to this repository (as `InternViTSwift`, a path dependency), every
# "**File: `PATH`**" block written to PATH, every "**Run:**" block run in order, in
# MyLayers/ (the numpy fixture script, then `swift test`). Also checks that the page's list
# of tensor operations names every public function of the Tensor+*.swift extensions.
#
# Needs: the Swift toolchain, python3 with numpy (the guide's fixture step).
# Usage: Scripts/check_extending_guide.sh        (called from .ci/run)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
GUIDE="$REPO/Docs/Extending.md"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/extending-guide.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
start=$(date +%s)

python3 -c "import numpy" 2>/dev/null || { echo "check_extending_guide: python3 with numpy is required" >&2; exit 1; }

# Every public Tensor operation is on the page.
missing=$(grep -ho 'public \(static \)\?func [a-zA-Z]\+' "$REPO"/Sources/Tensor/Tensor+*.swift | awk '{print $NF}' | sort -u |
          while read -r name; do grep -q "\`$name" "$GUIDE" || echo "$name"; done)
if [ -n "$missing" ]; then
    echo "check_extending_guide: Docs/Extending.md does not list: $missing" >&2
    exit 1
fi

ln -s "$REPO" "$WORK/InternViTSwift"
mkdir "$WORK/MyLayers"
# Extract the files and the commands, in page order.
python3 - "$GUIDE" "$WORK/MyLayers" "$WORK/commands.sh" <<'PY'
import os, re, sys
guide, package, commands = sys.argv[1:]
lines = open(guide, encoding="utf-8").read().split("\n")
runs, files, i, pending = [], 0, 0, None
while i < len(lines):
    line = lines[i]
    m = re.fullmatch(r"\*\*File: `([^`]+)`\*\*", line.strip())
    if m:
        pending = ("file", m.group(1))
    elif line.strip() == "**Run:**":
        pending = ("run", None)
    elif line.startswith("```") and pending:
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        body = "\n".join(lines[i + 1:j]) + "\n"
        if pending[0] == "file":
            path = os.path.join(package, pending[1])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w", encoding="utf-8").write(body)
            files += 1
        else:
            runs.append(body)
        pending, i = None, j
    i += 1
if files < 4 or len(runs) < 2:
    sys.exit(f"check_extending_guide: found {files} files and {len(runs)} commands in {guide}")
open(commands, "w").write("set -euxo pipefail\n" + "".join(runs))
print(f"guide: {files} files, {len(runs)} commands")
PY
(cd "$WORK/MyLayers" && bash "$WORK/commands.sh") 2>&1 | tee "$WORK/log"
# A test run that found no tests would pass silently: require the guide's test by name.
grep -q "Test matchesTheNumpyReference() passed" "$WORK/log" || {
    echo "check_extending_guide: the guide's test did not run and pass" >&2; exit 1; }
echo "check_extending_guide: the guide builds and its test passes ($(( $(date +%s) - start )) s)"
