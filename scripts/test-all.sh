#!/usr/bin/env bash
# Every test of the workspace, with the real servers and tools some of them
# need. On a fresh Debian machine (as root) it installs what is missing from
# Debian's packages (one `apt-get update` first), starts throwaway instances
# (own data directory, own port, a non-root user where the server demands
# it), runs `cargo test --workspace`, and stops the instances again.
#
#   scripts/test-all.sh                 # everything
#   scripts/test-all.sh -p logger-read  # extra arguments go to `cargo test`
#
# Each file in scripts/services/ describes one server or tool:
#   PACKAGES+=(debian-package ...)   what it needs installed
#   start_<name> / stop_<name>        optional functions; start exports the
#                                     variables the tests read (LOGGER_TEST_*)
# A test that needs a server reads its variable and fails with a message
# naming this script when it is absent: no test skips silently.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=()
SERVICES=()
for f in scripts/services/*.sh; do
    [ -e "$f" ] || continue
    # shellcheck source=/dev/null
    source "$f"
    SERVICES+=("$(basename "$f" .sh)")
done

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "test-all: installing ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export LOGGER_TEST_STATE
LOGGER_TEST_STATE="$(mktemp -d /tmp/logger-test-state.XXXXXX)"
chmod 755 "$LOGGER_TEST_STATE"
started=()
stop_all() {
    for s in "${started[@]}"; do
        if declare -F "stop_$s" >/dev/null; then "stop_$s" || true; fi
    done
    rm -rf "$LOGGER_TEST_STATE"
}
trap stop_all EXIT
for s in "${SERVICES[@]}"; do
    if declare -F "start_$s" >/dev/null; then
        "start_$s"
        started+=("$s")
    fi
done

cargo test --workspace "$@"
