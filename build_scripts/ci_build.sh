#!/usr/bin/env bash
# CI step: build the frozen bundle + archive, smoke-test the bundle and the unpacked archive, print sizes.
#
#   build_scripts/ci_build.sh            (uses .venv/bin/python, or $PYTHON)
#
# Debian packages: binutils (objdump, strip: PyInstaller and the trimming use them); to run the frozen
# app: libgl1 libegl1 libxcb1 fontconfig-config; optional: xvfb xauth (GUI start on the real xcb
# platform) and libcups2. With CLINICDESK_TEST_POSTGRES_URL set, the frozen app also reads that
# server's status through its bundled libpq.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
started=$(date +%s)

"$PY" build_scripts/build.py
"$PY" build_scripts/smoke_test.py dist/clinicdesk

# The archive is what clinics get: unpack it elsewhere and run the same smoke test on that copy.
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
shopt -s nullglob
archives=(dist/clinicdesk-*.tar.gz dist/clinicdesk-*.zip)
[ "${#archives[@]}" -eq 1 ] || { echo "expected one archive in dist/, found: ${archives[*]:-none}" >&2; exit 1; }
archive="${archives[0]}"
case "$archive" in
  *.zip) "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$unpacked" ;;
  *) tar -xzf "$archive" -C "$unpacked" ;;
esac
"$PY" build_scripts/smoke_test.py "$unpacked/clinicdesk"

echo "bundle:  $(du -sh dist/clinicdesk | cut -f1)  archive: $(du -h "$archive" | cut -f1)  ($archive)"
echo "ci_build.sh finished in $(( $(date +%s) - started )) s"
