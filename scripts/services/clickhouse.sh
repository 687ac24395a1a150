#!/usr/bin/env bash
# Starts a throw-away ClickHouse server on loopback for the history tests and prints its HTTP URL.
# Installs Debian's clickhouse-server when missing; idempotent: a server already answering is reused.
# Env: SALESDASH_CLICKHOUSE_HTTP_PORT (8123), SALESDASH_CLICKHOUSE_TCP_PORT (9000),
#      SALESDASH_CLICKHOUSE_DIR (/tmp/salesdash-clickhouse): data, logs and the generated config.
# Output: the last line on stdout is the URL, e.g. http://127.0.0.1:8123 — tests read it from
# SALESDASH_CLICKHOUSE_URL, so callers do: export SALESDASH_CLICKHOUSE_URL="$(scripts/services/clickhouse.sh | tail -n1)"
set -euo pipefail

HTTP_PORT="${SALESDASH_CLICKHOUSE_HTTP_PORT:-8123}"
TCP_PORT="${SALESDASH_CLICKHOUSE_TCP_PORT:-9000}"
DIR="${SALESDASH_CLICKHOUSE_DIR:-/tmp/salesdash-clickhouse}"
URL="http://127.0.0.1:${HTTP_PORT}"

log() { printf 'clickhouse.sh: %s\n' "$*" >&2; }

answers() { curl -fsS --max-time 2 "${URL}/ping" 2>/dev/null | grep -q 'Ok'; }

if answers; then
    log "already running at ${URL}"
    echo "$URL"
    exit 0
fi

SERVER="$(command -v clickhouse-server || true)"
if [[ -z "$SERVER" ]]; then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { log "clickhouse-server is missing and this is not root; install it first"; exit 1; }
        sudo=(sudo)
    fi
    log "installing clickhouse-server (Debian)"
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends clickhouse-server clickhouse-client curl >&2
    SERVER="$(command -v clickhouse-server)"
fi
command -v curl >/dev/null || { log "curl is needed to probe the server"; exit 1; }

mkdir -p "$DIR/data" "$DIR/tmp" "$DIR/user_files" "$DIR/format_schemas" "$DIR/log"

# A config of our own: loopback only, data under $DIR, no dependence on /etc/clickhouse-server or /var/lib.
cat > "$DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>${DIR}/log/clickhouse-server.log</log>
        <errorlog>${DIR}/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>${HTTP_PORT}</http_port>
    <tcp_port>${TCP_PORT}</tcp_port>
    <max_connections>256</max_connections>
    <keep_alive_timeout>10</keep_alive_timeout>
    <max_concurrent_queries>64</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>1073741824</mark_cache_size>
    <path>${DIR}/data/</path>
    <tmp_path>${DIR}/tmp/</tmp_path>
    <user_files_path>${DIR}/user_files/</user_files_path>
    <format_schema_path>${DIR}/format_schemas/</format_schema_path>
    <users_config>${DIR}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
</yandex>
XML

cat > "$DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
        </default>
    </quotas>
</yandex>
XML

log "starting ${SERVER} on ${URL} (data in ${DIR})"
# setsid detaches it from the caller's process group, so it outlives this script and test.sh's steps.
setsid "$SERVER" --config-file="$DIR/config.xml" --pid-file="$DIR/clickhouse.pid" \
    >"$DIR/log/stdout.log" 2>&1 < /dev/null &

for _ in $(seq 1 120); do
    if answers; then
        log "ready at ${URL}"
        echo "$URL"
        exit 0
    fi
    sleep 0.5
done

log "server did not answer within 60 s; last log lines:"
tail -n 30 "$DIR/log/clickhouse-server.err.log" "$DIR/log/stdout.log" >&2 2>/dev/null || true
exit 1
