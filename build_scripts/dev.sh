#!/usr/bin/env bash
# ClinicDesk developer entry point for a fresh Debian/Ubuntu machine.
#
#   bash build_scripts/dev.sh start   install what is missing, then start the app
#   bash build_scripts/dev.sh test    install what is missing, then run lint + the whole test suite
#
# It installs the Debian libraries Qt needs (when run as root, or via sudo when available), makes
# .venv with the project and its extras, and for `test` starts throw-away PostgreSQL and MariaDB servers
# on 127.0.0.1 (ordinary processes with their own data folders, both stopped on exit) so the server
# tests run instead of skipping.
#
#   bash build_scripts/dev.sh servers  start only the two test servers, print their URLs, stop on Enter
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

QT_RUNTIME_PKGS="libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0 \
fontconfig-config fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 \
libxcb-shm0 libxcb-sync1 libxcb-xkb1 libnss3 libasound2"
TEST_PKGS="postgresql mariadb-server mariadb-client xvfb xauth binutils poppler-utils"

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
}
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local bindir; bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$bindir/pg_ctl -D $PG_DIR/data -m fast stop" >/dev/null 2>&1 || true
  else "$bindir/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$PG_DIR"
}

MARIADB_DIR=""
start_mariadb() {
  if [ -n "${CLINICDESK_TEST_MARIADB_URL:-}" ]; then return 0; fi
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    echo "MariaDB not installed: its tests will be skipped" >&2; return 0
  fi
  local mariadbd; mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
  local port=${CLINICDESK_TEST_MARIADB_PORT:-55449}
  MARIADB_DIR=$(mktemp -d /tmp/clinicdesk-mariadb.XXXXXX)
  local user; user=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then user=mysql; chown mysql "$MARIADB_DIR"; fi
  log "Starting a throw-away MariaDB on 127.0.0.1:$port"
  mariadb-install-db --no-defaults --datadir="$MARIADB_DIR/data" --user="$user" \
    --auth-root-authentication-method=normal >"$MARIADB_DIR/install.log" 2>&1
  "$mariadbd" --no-defaults --datadir="$MARIADB_DIR/data" --user="$user" --port="$port" \
    --bind-address=127.0.0.1 --socket="$MARIADB_DIR/sock" --pid-file="$MARIADB_DIR/pid" \
    --innodb-flush-log-at-trx-commit=2 --log-error="$MARIADB_DIR/log" >>"$MARIADB_DIR/log" 2>&1 &
  local tries=0
  until mariadb --no-defaults -h 127.0.0.1 -P "$port" -u root -e 'select 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ $tries -gt 150 ]; then echo "MariaDB did not start (see $MARIADB_DIR/log)" >&2; return 1; fi
    sleep 0.2
  done
  export CLINICDESK_TEST_MARIADB_URL="mysql+pymysql://root@127.0.0.1:$port/"
}
stop_mariadb() {
  [ -n "$MARIADB_DIR" ] || return 0
  if [ -f "$MARIADB_DIR/pid" ]; then
    local pid; pid=$(cat "$MARIADB_DIR/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$MARIADB_DIR"
}

stop_servers() { stop_mariadb; stop_postgres; }
start_servers() {
  trap stop_servers EXIT   # one trap for both, set before either starts
  start_postgres
  start_mariadb
}

cmd=${1:-}
shift || true
case "$cmd" in
  start)
    apt_install $QT_RUNTIME_PKGS
    make_venv "postgres,mysql"
    exec "$VENV/bin/clinicdesk" "$@"
    ;;
  test)
    apt_install $QT_RUNTIME_PKGS $TEST_PKGS
    make_venv "dev,build"
    start_servers
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
  servers)
    start_servers
    echo "CLINICDESK_TEST_POSTGRES_URL=${CLINICDESK_TEST_POSTGRES_URL:-}"
    echo "CLINICDESK_TEST_MARIADB_URL=${CLINICDESK_TEST_MARIADB_URL:-}"
    if [ -t 0 ]; then read -r -p "Press Enter to stop the servers. "; else "$@"; fi
    ;;
  *)
    echo "usage: bash build_scripts/dev.sh start|test|servers [args]" >&2
    exit 2
    ;;
esac
