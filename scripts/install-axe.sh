#!/usr/bin/env bash
# Fetch axe-core (the accessibility checker the browser tests run inside Chromium) from the npm
# registry with npm itself, into out/test-tools/axe-core/axe.min.js. Idempotent: does nothing when the
# pinned version is already there. Without npm it says so and exits 0: the accessibility checks then
# skip (and fail under CI, like the browser test without Chromium).
set -euo pipefail

VERSION="4.10.3"
cd "$(dirname "$0")/.."
target="out/test-tools/axe-core"
if [ -f "$target/axe.min.js" ] && [ "$(cat "$target/VERSION" 2>/dev/null)" = "$VERSION" ]; then
    echo "install-axe: axe-core $VERSION already installed"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        echo "install-axe: installing npm"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; }
    else
        echo "install-axe: npm not found; the accessibility checks will skip" >&2
        exit 0
    fi
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tar -xzf "$work"/axe-core-"$VERSION".tgz -C "$work" package/axe.min.js package/LICENSE
mkdir -p "$target"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$target/"
echo "$VERSION" > "$target/VERSION"
echo "install-axe: axe-core $VERSION installed in $target"
