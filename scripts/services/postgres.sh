# PostgreSQL for the shipper's tests (logger-read, tests/postgres_*.rs).
#
# start_postgres initialises a throwaway cluster owned by the `postgres`
# user (the server refuses to run as root) under $LOGGER_TEST_STATE, with
# password authentication on its own loopback port, and exports:
#   LOGGER_TEST_PG_URL   superuser URL (tests create one database each)
#   LOGGER_TEST_PG_BIN   the server's bin directory (initdb, pg_ctl, postgres)
#   LOGGER_TEST_PG_USER  the OS user the server runs as (for tests that start
#                        a cluster of their own, e.g. to restart it mid-test)
#   LOGGER_TEST_PG_DATA  the data directory of the shared cluster
# It works with whatever major version Debian's `postgresql` package installed.
PACKAGES+=(postgresql)

pg_bin_dir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
        echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" >&2
        return 1
    fi
    echo "$d"
}

pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_postgres() {
    local bin user data port pw
    bin="$(pg_bin_dir)"
    user=postgres
    id "$user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
    data="$LOGGER_TEST_STATE/postgres"
    mkdir -p "$data"
    chown "$user" "$data"
    chmod 700 "$data"
    pw="logger-test-$RANDOM$RANDOM"
    echo "$pw" >"$LOGGER_TEST_STATE/pg_pw"
    chown "$user" "$LOGGER_TEST_STATE/pg_pw"
    runuser -u "$user" -- "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 \
        --pwfile="$LOGGER_TEST_STATE/pg_pw" -E UTF8 --no-sync >"$LOGGER_TEST_STATE/pg_initdb.log" 2>&1 || {
        cat "$LOGGER_TEST_STATE/pg_initdb.log" >&2
        return 1
    }
    port="$(pg_free_port)"
    runuser -u "$user" -- "$bin/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
        -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null || {
        cat "$data/server.log" >&2
        return 1
    }
    export LOGGER_TEST_PG_URL="postgres://postgres:$pw@127.0.0.1:$port/postgres"
    export LOGGER_TEST_PG_BIN="$bin"
    export LOGGER_TEST_PG_USER="$user"
    export LOGGER_TEST_PG_DATA="$data"
    echo "postgres.sh: PostgreSQL ($bin) on 127.0.0.1:$port" >&2
}

stop_postgres() {
    [ -n "${LOGGER_TEST_PG_DATA:-}" ] || return 0
    runuser -u "$LOGGER_TEST_PG_USER" -- "$LOGGER_TEST_PG_BIN/pg_ctl" -D "$LOGGER_TEST_PG_DATA" -m immediate stop >/dev/null 2>&1 || true
}
