# rsyslog for the syslog destination's tests (logger-read/tests/ship_syslog.rs).
#
# The tests start rsyslogd themselves, each with its own configuration
# (loopback UDP, TCP and TLS ports, a local socket, an output file in their
# temporary directory), so nothing is started here: start_rsyslog only
# checks the binary and the GnuTLS network stream driver (`lmnsd_gtls`,
# package rsyslog-gnutls: imtcp's TLS listener) and exports
#   LOGGER_TEST_RSYSLOGD   the rsyslogd binary
PACKAGES+=(rsyslog rsyslog-gnutls)

start_rsyslog() {
    local bin
    bin="$(command -v rsyslogd || echo /usr/sbin/rsyslogd)"
    if [ ! -x "$bin" ]; then
        echo "rsyslog.sh: rsyslogd not found after installing the rsyslog package" >&2
        return 1
    fi
    if ! dpkg -L rsyslog-gnutls 2>/dev/null | grep -q 'lmnsd_gtls\.so$'; then
        echo "rsyslog.sh: rsyslog's TLS driver lmnsd_gtls.so not found after installing rsyslog-gnutls" >&2
        return 1
    fi
    export LOGGER_TEST_RSYSLOGD="$bin"
}
