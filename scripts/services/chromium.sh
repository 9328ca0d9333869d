# Headless Chromium opens the HTML page of `logger report` (logger-cli/tests/
# plot_report.rs); DejaVu is the font `logger plot`/`report` draw chart text with.
PACKAGES+=(chromium fonts-dejavu-core)
