#!/usr/bin/env bash
# Makes sure the real services the tests use are here: PostgreSQL on 127.0.0.1:5432 and Debian chromium.
# Sourced by scripts/test.sh; exports ORDERFLOW_TEST_DATABASE_URL.

ensure_postgres() {
    local url="postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
            echo "PostgreSQL is not running; starting it"
            pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
            for _ in $(seq 1 30); do
                pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && break
                sleep 1
            done
        fi
    fi
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        export ORDERFLOW_TEST_DATABASE_URL="${ORDERFLOW_TEST_DATABASE_URL:-$url}"
        echo "PostgreSQL: using $ORDERFLOW_TEST_DATABASE_URL"
    elif [ "${CI:-}" = "true" ]; then
        echo "ERROR: PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started." >&2
        echo "CI needs it for the store tests. Start it with:" >&2
        echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
        exit 1
    else
        echo "PostgreSQL is not available here: the PostgreSQL store tests will be skipped."
    fi
}

ensure_chromium() {
    if ! find tests/browser -name 'test_*.py' 2>/dev/null | grep -q .; then
        return 0
    fi
    if [ ! -x /usr/bin/chromium ]; then
        echo "Installing Debian chromium for the browser tests (once)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
}
