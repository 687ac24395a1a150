#!/usr/bin/env bash
# Builds the front end and starts SalesDash with the demo store replaying, on http://localhost:5080
# (PORT=... or URLS=... to change). Ctrl-C stops it cleanly; data stays in ./data and the next run continues.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false

URLS="${URLS:-http://localhost:${PORT:-5080}}"
export ASPNETCORE_URLS="$URLS"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
# Absolute paths: `dotnet run` keeps this folder as the working directory, so relative ones would be read from here
# by some code and from src/Web by other code.
export ASPNETCORE_CONTENTROOT="$ROOT/src/Web"
export Engine__DataDirectory="${Engine__DataDirectory:-$ROOT/data}"
export Demo__Enabled="${Demo__Enabled:-true}"

echo "==> dotnet restore"
dotnet restore SalesDash.sln

echo "==> Front end: npm ci, npm run build"
(cd src/Web/ClientApp && npm ci --no-audit --no-fund && npm run build)

echo "==> Building the server"
dotnet build src/Web -c Release --nologo --no-restore -v quiet

# The first address in URLS is the one shown; "+", "*" and 0.0.0.0 mean "every interface", reachable as localhost.
first_url="${URLS%%;*}"
first_url="$(sed -E 's#://(\+|\*|0\.0\.0\.0|\[::\])#://localhost#' <<<"$first_url")"
first_url="${first_url%/}"

# The server runs in its own process group (job control on), so Ctrl-C reaches this script once and is forwarded
# to dotnet run and the app together. Forwarded as SIGTERM: a job started without a terminal inherits SIGINT as
# ignored, and ASP.NET Core shuts down just as gracefully on SIGTERM.
set -m
dotnet run --project src/Web -c Release --no-launch-profile --no-build &
server=$!
set +m

stopping=0
stop() {
    [[ $stopping -eq 1 ]] && return
    stopping=1
    echo
    echo "==> Stopping SalesDash (data kept in $Engine__DataDirectory)"
    kill -TERM -- "-$server" 2>/dev/null || true
}
trap stop INT TERM HUP

# Tell the person where to look once the server really answers.
(
    for _ in $(seq 1 600); do
        kill -0 "$server" 2>/dev/null || exit 0
        if curl -fsS -o /dev/null --max-time 2 "$first_url/healthz" 2>/dev/null; then
            printf '\n============================================================\n'
            printf '  SalesDash is running: %s/\n' "$first_url"
            printf '  Demo dashboard:       %s/dashboards/demo/demo-shop\n' "$first_url"
            printf '  Sign in as:           demo@salesdash.local (password printed above at first start;\n'
            printf '                        Demo__ResetOwnerPassword=true ./run.sh prints a new one)\n'
            printf '  Press Ctrl-C to stop.\n'
            printf '============================================================\n\n'
            exit 0
        fi
        sleep 0.5
    done
    echo "run.sh: the server did not answer $first_url/healthz within 5 minutes" >&2
) &
watcher=$!

# wait returns early when a trap runs; keep waiting until the server has really exited.
status=0
while kill -0 "$server" 2>/dev/null; do
    wait "$server" && status=0 || status=$?
done
# dotnet run may exit before the app it started has finished flushing; wait for the whole group.
while kill -0 -- "-$server" 2>/dev/null; do sleep 0.2; done
kill "$watcher" 2>/dev/null || true
# Stopped by Ctrl-C or SIGTERM is how a person ends it: not an error.
if [[ $stopping -eq 1 ]]; then exit 0; fi
exit "$status"
