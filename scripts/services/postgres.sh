#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 server on loopback for the journal and cluster tests and prints its
# Npgsql connection string. Installs Debian's postgresql-15 when missing; idempotent: a server already
# answering on the port is reused (the database and user are ensured again, so a half-finished run heals).
# Env: SALESDASH_POSTGRES_PORT (55432), SALESDASH_POSTGRES_DIR (/tmp/salesdash-postgres): data, socket, log.
# Output: the last line on stdout is the connection string — tests read it from SALESDASH_POSTGRES, so
# callers do: export SALESDASH_POSTGRES="$(scripts/services/postgres.sh | tail -n1)"
# The user may create databases: each test makes its own, so runs and tests never share a journal.
set -euo pipefail

PORT="${SALESDASH_POSTGRES_PORT:-55432}"
DIR="${SALESDASH_POSTGRES_DIR:-/tmp/salesdash-postgres}"
DATABASE=salesdash
USER_NAME=salesdash
PASSWORD=salesdash
CONNECTION="Host=127.0.0.1;Port=${PORT};Database=${DATABASE};Username=${USER_NAME};Password=${PASSWORD}"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null && sudo=(sudo)
fi

bin_dir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
    done
    return 1
}

BIN="$(bin_dir || true)"
if [[ -z "$BIN" ]]; then
    [[ $(id -u) -eq 0 || ${#sudo[@]} -gt 0 ]] || { log "postgresql-15 is missing and this is not root; install it first"; exit 1; }
    log "installing postgresql-15 (Debian)"
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql-15 postgresql-client-15 >&2
    BIN="$(bin_dir)"
fi

# initdb and the server refuse to run as root, so as root they run as the postgres user the package made.
as_owner=()
OWNER="$(id -un)"
if [[ $(id -u) -eq 0 ]]; then
    OWNER=postgres
    as_owner=(runuser -u postgres --)
fi

answers() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" >/dev/null 2>&1; }

# Runs SQL as the cluster's superuser over the private socket (peer/trust: no password needed there).
superuser_sql() { "${as_owner[@]}" "$BIN/psql" -v ON_ERROR_STOP=1 -qAt -h "$DIR/socket" -p "$PORT" -d postgres -c "$1"; }

ensure_database() {
    if [[ "$(superuser_sql "SELECT 1 FROM pg_roles WHERE rolname = '${USER_NAME}'")" != 1 ]]; then
        superuser_sql "CREATE ROLE ${USER_NAME} LOGIN CREATEDB PASSWORD '${PASSWORD}'"
    fi
    # Tests drop their databases WITH (FORCE). An autovacuum worker that just started on such a database belongs to no
    # role, and ending it needs pg_signal_backend: without it the drop fails with "must be a member of the role whose
    # process is being terminated" whenever autovacuum happens to be there (seen in MigrationTests' clean-up).
    superuser_sql "GRANT pg_signal_backend TO ${USER_NAME}"
    if [[ "$(superuser_sql "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != 1 ]]; then
        superuser_sql "CREATE DATABASE ${DATABASE} OWNER ${USER_NAME}"
    fi
}

if answers; then
    if [[ -S "$DIR/socket/.s.PGSQL.${PORT}" ]]; then
        ensure_database
    fi
    log "already running on 127.0.0.1:${PORT}"
    echo "$CONNECTION"
    exit 0
fi

mkdir -p "$DIR"
[[ $(id -u) -eq 0 ]] && chown "$OWNER" "$DIR"
"${as_owner[@]}" mkdir -p "$DIR/socket" "$DIR/log"

if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
    log "initdb into $DIR/data"
    # trust only on the private socket; TCP needs the password (scram), as a real server would.
    "${as_owner[@]}" "$BIN/initdb" -D "$DIR/data" -U "$OWNER" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$DIR/log/initdb.log" 2>&1 \
        || { log "initdb failed:"; cat "$DIR/log/initdb.log" >&2; exit 1; }
fi

log "starting PostgreSQL on 127.0.0.1:${PORT} (data in $DIR/data)"
# Small fsync-free settings: the server is thrown away, and tests measure behaviour, not durability of the disk.
# max_connections: three cluster nodes per test, each with a pool, plus the tests' own connections.
# setsid detaches it from the caller's process group, so it outlives this script and test.sh's steps.
setsid "${as_owner[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=${PORT} -c unix_socket_directories=$DIR/socket -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >&2 </dev/null \
    || { log "server did not start; last log lines:"; tail -n 30 "$DIR/log/server.log" >&2 || true; exit 1; }

for _ in $(seq 1 120); do
    if answers; then
        ensure_database
        log "ready on 127.0.0.1:${PORT}"
        echo "$CONNECTION"
        exit 0
    fi
    sleep 0.5
done

log "server did not answer within 60 s; last log lines:"
tail -n 30 "$DIR/log/server.log" >&2 || true
exit 1
