#!/usr/bin/env bash
# Starts a throw-away SMTP server on loopback (Debian's python3-aiosmtpd) that stores every message it receives as a
# maildir file, for the alert e-mail tests. Installs python3-aiosmtpd when missing; idempotent: a server already
# answering on the port is reused.
# Env: SALESDASH_SMTP_PORT (2525), SALESDASH_SMTP_DIR (/tmp/salesdash-smtp): the maildir is $DIR/maildir, the log $DIR/smtp.log.
# Output: the maildir on the line before last, host:port on the last line — tests read SALESDASH_SMTP and
# SALESDASH_SMTP_MAILDIR, so callers do:
#   out="$(scripts/services/smtp.sh)"; export SALESDASH_SMTP="$(tail -n1 <<<"$out")" SALESDASH_SMTP_MAILDIR="$(tail -n2 <<<"$out" | head -n1)"
set -euo pipefail

PORT="${SALESDASH_SMTP_PORT:-2525}"
DIR="${SALESDASH_SMTP_DIR:-/tmp/salesdash-smtp}"
MAILDIR="$DIR/maildir"

log() { printf 'smtp.sh: %s\n' "$*" >&2; }

# Debian's package installs into the system Python, which a pyenv or venv python3 on PATH would not see.
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY="$(command -v python3)"

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null && sudo=(sudo)
fi

if ! "$PY" -c 'import aiosmtpd' >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 || ${#sudo[@]} -gt 0 ]] || { log "python3-aiosmtpd is missing and this is not root; install it first"; exit 1; }
    log "installing python3-aiosmtpd (Debian)"
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends python3-aiosmtpd >&2
fi

answers() { "$PY" - "$PORT" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
banner = s.recv(64)
s.close()
sys.exit(0 if banner.startswith(b"220") else 1)
PY
}

# Maildir wants cur/, new/ and tmp/; aiosmtpd's Mailbox handler writes into new/.
mkdir -p "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp"

if ! answers; then
    log "starting aiosmtpd on 127.0.0.1:${PORT}, storing mail in ${MAILDIR}"
    setsid nohup "$PY" -m aiosmtpd -n -l "127.0.0.1:${PORT}" -c aiosmtpd.handlers.Mailbox "$MAILDIR" >"$DIR/smtp.log" 2>&1 < /dev/null &
    for _ in $(seq 1 50); do
        answers && break
        sleep 0.2
    done
    answers || { log "aiosmtpd did not answer on ${PORT}; see $DIR/smtp.log"; cat "$DIR/smtp.log" >&2 || true; exit 1; }
fi

echo "$MAILDIR"
echo "127.0.0.1:${PORT}"
