#!/usr/bin/env bash
# Installs what the tests need, builds the front end and the solution, runs every test project,
# and ends with one line: "N passed, N failed" (", N skipped" when any), summed over all trx files.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

# Debian packages the tests need, one per line; an issue that needs a new server adds it here.
APT_PACKAGES=(
    chromium         # the browser Playwright drives (/usr/bin/chromium); never a downloaded build
    fonts-liberation # so screenshots render text in real fonts
    poppler-utils    # pdftotext: the report tests read the figures back out of the printed PDFs
)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false NPM_CONFIG_UPDATE_NOTIFIER=false

step() { printf '\n==> %s\n' "$*"; }

install_missing_packages() {
    local missing=() package
    for package in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    command -v python3 >/dev/null || missing+=(python3)
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "test.sh: missing packages ${missing[*]} and not root; install them first" >&2; exit 1; }
        sudo=(sudo)
    fi
    step "Installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_missing_packages

# Real servers the integration tests talk to, one per line; each script installs its server if missing, starts it
# on loopback (or reuses a running one) and prints how to reach it as its last line.
start_service() { local var=$1 script=$2 value; value="$("$script" | tail -n1)" || { echo "test.sh: $script failed" >&2; exit 1; }; export "$var=$value"; echo "$var=$value"; }
step "Starting test servers"
start_service SALESDASH_POSTGRES       scripts/services/postgres.sh
start_service SALESDASH_CLICKHOUSE_URL scripts/services/clickhouse.sh
smtp_out="$(scripts/services/smtp.sh)" || { echo "test.sh: scripts/services/smtp.sh failed" >&2; exit 1; }
export SALESDASH_SMTP="$(tail -n1 <<<"$smtp_out")" SALESDASH_SMTP_MAILDIR="$(tail -n2 <<<"$smtp_out" | head -n1)"
echo "SALESDASH_SMTP=$SALESDASH_SMTP (maildir $SALESDASH_SMTP_MAILDIR)"

step "Front end: npm ci, build, test"
(
    cd src/Web/ClientApp
    npm ci --no-audit --no-fund
    npm run build
    # CI=true keeps the test runner from watching when a person runs this in a terminal.
    CI=true npm test
)

step "dotnet build SalesDash.sln -c Release"
dotnet build SalesDash.sln -c Release --nologo

results="$ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results" "$ROOT/artifacts/screenshots"

# The deployment files against the Kubernetes object schemas and the no-state-on-pod-disks rule; its results are a
# trx file like the test projects', so a broken manifest fails CI and counts in the summary.
step "Deploy manifests: deploy/validate"
manifest_results=0
(
    cd deploy/validate
    npm ci --no-audit --no-fund
    node validate.mjs --trx "$results/DeployManifests.trx"
) || manifest_results=1
[[ $manifest_results -eq 0 ]] || echo "test.sh: deploy/validate found problems (listed above)" >&2

mapfile -t projects < <(find tests -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' | sort)
[[ ${#projects[@]} -gt 0 ]] || { echo "test.sh: no test projects under tests/" >&2; echo "0 passed, 0 failed"; exit 1; }

# Projects run one after another: on 2 cores parallel hosts only fight over CPU (and Chromium needs its share).
# A hung test is killed after 10 minutes so CI reports it instead of timing out silently.
crashed=0
for project in "${projects[@]}"; do
    name="$(basename "$project" .csproj)"
    step "dotnet test $name"
    if ! dotnet test "$project" --no-build -c Release --nologo \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
        --results-directory "$results" \
        --blame-hang-timeout 10m --blame-hang-dump-type none; then
        [[ -f "$results/$name.trx" ]] || { echo "test.sh: $name wrote no results" >&2; crashed=1; }
    fi
done

step "Summary"
status=0
python3 "$ROOT/scripts/trx-summary.py" "$results" "$(( ${#projects[@]} + 1 ))" || status=$?
[[ $crashed -eq 0 ]] || status=1
exit "$status"
