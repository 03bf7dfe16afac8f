#!/usr/bin/env bash
# Install Debian's Chromium (and a small CJK font, so screenshots of Chinese names are legible) for the
# browser test of report.html (tests/test_report_html.py). Idempotent: does nothing when both are there.
# Needs root (or sudo) and apt; on other systems it says so and exits 0 — the test then skips, naming why.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# WenQuanYi Micro Hei: 1.6 MB download, enough to render the Chinese unit names and the --lang zh page.
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk\|noto serif cjk" || need+=(fonts-wqy-microhei)

if [ ${#need[@]} -eq 0 ]; then
    echo "install-chromium: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not found; install Chromium yourself (the browser test will skip)" >&2
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-chromium: not root and no sudo; cannot install ${need[*]} (the browser test will skip)" >&2
        exit 0
    fi
fi

echo "install-chromium: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
/usr/bin/chromium --version 2>/dev/null || true
