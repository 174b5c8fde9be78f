#!/usr/bin/env bash
# Installs Debian's headless Chromium for the report page's browser test (Playwright drives the
# system browser; nothing is downloaded outside the package registry). Under CI=true a failure is
# fatal; elsewhere the browser test is skipped without it.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "[chromium] no instalado y no soy root" >&2
    exit 1
fi
echo "[chromium] instalando chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
