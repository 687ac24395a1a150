#!/usr/bin/env bash
# Installs what the tests need, builds the front end and the solution, runs every test project,
# and ends with one line: "N passed, N failed" (", N skipped" when any), summed over all trx and JUnit files, with
# each step that failed (a server that did not start, a build) counted as one failure.
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

results="$ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results" "$ROOT/artifacts/screenshots"

# A step that fails is named here and counted as a failure in the summary; the run goes on to the next step, so one
# broken step never hides the others' results and the summary line is always the last line printed.
failed_steps=()
failed_step() { echo "test.sh: $1 failed" >&2; failed_steps+=("$1"); }

# Real servers the integration tests talk to, one per line; each script installs its server if missing, starts it
# on loopback (or reuses a running one) and prints how to reach it as its last line.
start_service() {
    local var=$1 script=$2 value
    if value="$("$script" | tail -n1)" && [[ -n $value ]]; then export "$var=$value"; echo "$var=$value"; else failed_step "$script"; fi
}
step "Starting test servers"
start_service SALESDASH_POSTGRES       scripts/services/postgres.sh
start_service SALESDASH_CLICKHOUSE_URL scripts/services/clickhouse.sh
if smtp_out="$(scripts/services/smtp.sh)"; then
    export SALESDASH_SMTP="$(tail -n1 <<<"$smtp_out")" SALESDASH_SMTP_MAILDIR="$(tail -n2 <<<"$smtp_out" | head -n1)"
    echo "SALESDASH_SMTP=$SALESDASH_SMTP (maildir $SALESDASH_SMTP_MAILDIR)"
else
    failed_step scripts/services/smtp.sh
fi

step "Front end: npm ci, build, test"
# The front end's tests write JUnit XML beside the trx files, so they count in the summary like the .NET tests.
(cd src/Web/ClientApp && npm ci --no-audit --no-fund) || failed_step "npm ci (src/Web/ClientApp)"
(cd src/Web/ClientApp && npm run build) || failed_step "npm run build (src/Web/ClientApp)"
# CI=true keeps the test runner from watching when a person runs this in a terminal.
(cd src/Web/ClientApp && CI=true npm test -- --reporter=default --reporter=junit --outputFile.junit="$results/FrontEnd.junit.xml") ||
    [[ -f "$results/FrontEnd.junit.xml" ]] || failed_step "npm test (src/Web/ClientApp) wrote no results"

step "dotnet build SalesDash.sln -c Release"
built=1
dotnet build SalesDash.sln -c Release --nologo || { failed_step "dotnet build SalesDash.sln"; built=0; }

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
[[ ${#projects[@]} -gt 0 ]] || failed_step "finding test projects under tests/"

# Projects run one after another: on 2 cores parallel hosts only fight over CPU (and Chromium needs its share).
# A hung test is killed after 10 minutes so CI reports it instead of timing out silently.
crashed=0
[[ $built -eq 1 ]] || projects=()   # nothing to run; each project's missing results count in the summary
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
# Result files expected: one per test project, the manifests' and the front end's.
mapfile -t all_projects < <(find tests -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*')
status=0
python3 "$ROOT/scripts/trx-summary.py" "$results" "$(( ${#all_projects[@]} + 2 ))" "${failed_steps[@]/#/--failed-step=}" || status=$?
[[ $crashed -eq 0 ]] || status=1
exit "$status"
