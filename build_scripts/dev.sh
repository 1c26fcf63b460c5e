#!/usr/bin/env bash
# ClinicDesk developer entry point for a fresh Debian/Ubuntu machine.
#
#   bash build_scripts/dev.sh start   install what is missing, then start the app
#   bash build_scripts/dev.sh test    install what is missing, then run lint + the whole test suite
#
# It installs the Debian libraries Qt needs (when run as root, or via sudo when available), makes
# .venv with the project and its extras, and for `test` starts a throw-away PostgreSQL server on
# 127.0.0.1 (stopped on exit) so the PostgreSQL tests run instead of skipping.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

QT_RUNTIME_PKGS="libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0 \
fontconfig-config fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 \
libxcb-shm0 libxcb-sync1 libxcb-xkb1 libnss3 libasound2"
TEST_PKGS="postgresql xvfb xauth binutils poppler-utils"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Not a Debian-like system: install the equivalents of: ${missing[*]}" >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "Missing system packages (run as root): apt-get install ${missing[*]}" >&2; return 0
    fi
  fi
  log "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

make_venv() {
  local extras=$1
  if [ ! -x "$VENV/bin/python" ]; then
    log "Creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  log "Installing ClinicDesk into .venv ($extras)"
  "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v -i "warning" || true
  "$VENV/bin/python" -m pip install -q -e ".[$extras]" 2>&1 | grep -v -i "warning: location" || true
  "$VENV/bin/python" -c "import desktop, PySide6, sqlalchemy, onnxruntime" # fail loudly if the install did not work
}

PG_DIR=""
start_postgres() {
  if [ -n "${CLINICDESK_TEST_POSTGRES_URL:-}" ]; then return 0; fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ]; then echo "PostgreSQL not installed: its tests will be skipped" >&2; return 0; fi
  PG_DIR=$(mktemp -d /tmp/clinicdesk-pg.XXXXXX)
  local port=${CLINICDESK_TEST_PG_PORT:-55439}
  local as=""
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; as="su postgres -c"; else as="bash -c"; fi
  log "Starting a throw-away PostgreSQL on 127.0.0.1:$port"
  $as "$bindir/initdb -D $PG_DIR/data -A trust -U postgres >/dev/null && \
       $bindir/pg_ctl -D $PG_DIR/data -o '-h 127.0.0.1 -p $port -k $PG_DIR -c fsync=off' -l $PG_DIR/log -w start >/dev/null"
  export CLINICDESK_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  export PATH="$bindir:$PATH"   # pg_dump for the backup tests
  trap stop_postgres EXIT
}
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local bindir; bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$bindir/pg_ctl -D $PG_DIR/data -m fast stop" >/dev/null 2>&1 || true
  else "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$PG_DIR"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    apt_install $QT_RUNTIME_PKGS
    make_venv "postgres"
    exec "$VENV/bin/clinicdesk" "$@"
    ;;
  test)
    apt_install $QT_RUNTIME_PKGS $TEST_PKGS
    make_venv "dev,build"
    start_postgres
    export QT_QPA_PLATFORM=offscreen
    log "ruff"
    "$VENV/bin/ruff" check .
    log "import-linter (layer contracts)"
    "$VENV/bin/lint-imports"
    log "mypy (Qt-free layers)"
    "$VENV/bin/mypy"
    log "pytest"
    set +e
    "$VENV/bin/python" -m pytest "$@"
    rc=$?
    set -e
    exit $rc
    ;;
  *)
    echo "usage: bash build_scripts/dev.sh start|test [args]" >&2
    exit 2
    ;;
esac
