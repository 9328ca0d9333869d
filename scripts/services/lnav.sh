# lnav: logger-cli's tests load its format file (logger-cli/lnav/logger_json.json)
# and query a test directory with it (logger-cli/tests/lnav.rs).
PACKAGES+=(lnav)
