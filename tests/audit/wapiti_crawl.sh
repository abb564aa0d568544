#!/usr/bin/env bash
# The wapiti scanner against a real server with the demo data, signed in as the demo teacher
# and then as a demo pupil; prints how many answers were 5xx. Not run by CI (minutes long).
#
#   tests/audit/wapiti_crawl.sh                 # 4 minutes per user (SCAN_MINUTES=...)
#
# Only 127.0.0.1: a fresh SQLite database and data folder under /tmp, a free port; wapiti
# lives in its own virtualenv under /tmp (not one of the project's dependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
[ -x "$PY" ] || { echo "Run 'make install' first."; exit 2; }
SCAN_MINUTES=${SCAN_MINUTES:-4}
WAPITI_VENV=${WAPITI_VENV:-/tmp/clustermarket-wapiti-venv}
WORK=$(mktemp -d /tmp/clustermarket-wapiti-XXXXXX)
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

export APP_ENV=development DATA_DIR=$WORK/data DATABASE_URL=sqlite:///$WORK/data/scan.sqlite3
export SECRET_KEY=wapiti-scan-secret-key-0123456789abcdef PASSWORD_HASH_PROFILE=fast
export PUBLIC_URL=$BASE
unset REDIS_URL STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET STRIPE_PUBLISHABLE_KEY SMTP_HOST || true
mkdir -p "$DATA_DIR"

if [ ! -x "$WAPITI_VENV/bin/wapiti" ]; then
  python3 -m venv "$WAPITI_VENV"
  "$WAPITI_VENV/bin/pip" install --quiet --disable-pip-version-check "wapiti3==3.2.3"
fi

"$PY" -m clustermarket migrate >/dev/null
"$PY" -m clustermarket demo >/dev/null
LOG=$WORK/server.log
"$ROOT/.venv/bin/uvicorn" app:app --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "$BASE/health" >/dev/null && break; sleep 0.2; done

# Sign in as a browser does (CSRF token from the page) and print the Cookie header.
signed_in_cookie() {
  local jar=$WORK/$1.jar token
  token=$(curl -fs -c "$jar" "$BASE/login" | sed -n 's/.*name="_csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode "_csrf_token=$token" "$BASE/login" | grep -q 302 \
    || { echo "could not sign in as $1" >&2; exit 1; }
  # HttpOnly cookies are written as "#HttpOnly_host ..." lines.
  sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 {printf "%s=%s; ", $6, $7}'

}

scan() {  # username password
  local cookie
  cookie=$(signed_in_cookie "$1" "$2")
  curl -fs -H "Cookie: $cookie" -o /dev/null -w '%{http_code}' "$BASE/dashboard" | grep -q 200 \
    || { echo "the session cookie of $1 does not sign in" >&2; exit 1; }
  echo "== wapiti as $1 for up to $SCAN_MINUTES minutes"
  # Modules that need no outside host (no ssrf, log4shell, wapp); no bug reports sent out.
  "$WAPITI_VENV/bin/wapiti" -u "$BASE/" --scope folder -H "Cookie: $cookie" \
    -m "exec,file,permanentxss,redirect,sql,xss,crlf,csrf,methods,upload,http_headers,csp,cookieflags" \
    --endpoint "$BASE/" --no-bugreport \
    -x "$BASE/logout" -x "$BASE/login" -x "$BASE/pupils/*/reset" -x "$BASE/admin/staff/*/reset" \
    --max-scan-time "$((SCAN_MINUTES * 60))" --max-attack-time 60 --flush-session \
    --store-session "$WORK/session-$1" -f txt -o "$WORK/report-$1.txt" -v 0 || true
}

# The pupil first: the teacher's scan may deactivate the pupil or reset their password.
scan ameliab apple-otter-12
scan staylor teacher-demo-1

requests=$(grep -c '" [0-9][0-9][0-9]' "$LOG" || true)
errors=$(grep -c '" 5[0-9][0-9]' "$LOG" || true)
echo "server answered $requests requests; 5xx answers: $errors"
{ grep '" 5[0-9][0-9]' "$LOG" || true; } | sed 's/.*"\([A-Z]* [^ ]*\) HTTP.*/\1/' | sort | uniq -c | sort -rn | head -20
echo "reports: $WORK/report-staylor.txt $WORK/report-ameliab.txt; server log: $LOG"
[ "$errors" = 0 ]
