#!/usr/bin/env bash
# Refresh the front-end assets Great Expectations' Data Docs pages load from CDNs, bundled in
# expectations/data_docs/vendor/ so the site works with no network (expectations/data_docs.py copies
# them into every site and points the pages at them). Run by a maintainer when GX's templates change
# (see expectations/data_docs.py: CDN_ASSETS); the result is committed. Uses npm against the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="expectations/data_docs/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch PACKAGE@VERSION FILE... : copy FILEs (paths inside the package) into $dest/PACKAGE/
    local spec="$1"; shift
    local name="${spec%@*}"
    (cd "$work" && npm pack --silent "$spec" >/dev/null)
    local tgz
    tgz="$(ls "$work"/*.tgz)"
    mkdir -p "$work/x" && tar -xzf "$tgz" -C "$work/x"
    for file in "$@" LICENSE; do
        [ -f "$work/x/package/$file" ] || { [ "$file" = LICENSE ] && continue; echo "missing $spec/$file" >&2; exit 1; }
        mkdir -p "$dest/$name/$(dirname "$file")"
        cp "$work/x/package/$file" "$dest/$name/$file"
    done
    rm -rf "$work/x" "$tgz"
}

rm -rf "$dest"
fetch bootstrap@4.3.1 dist/css/bootstrap.min.css dist/js/bootstrap.min.js
fetch jquery@3.7.1 dist/jquery.min.js LICENSE.txt
fetch popper.js@1.12.9 dist/umd/popper.min.js
fetch bootstrap-table@1.19.1 dist/bootstrap-table.min.css dist/bootstrap-table.min.js \
    dist/extensions/filter-control/bootstrap-table-filter-control.min.js \
    dist/extensions/filter-control/bootstrap-table-filter-control.css
fetch bootstrap-datepicker@1.9.0 dist/css/bootstrap-datepicker.min.css dist/js/bootstrap-datepicker.min.js
fetch @fortawesome/fontawesome-free@6.6.0 css/all.min.css webfonts/fa-solid-900.woff2 \
    webfonts/fa-regular-400.woff2 webfonts/fa-brands-400.woff2 webfonts/fa-v4compatibility.woff2 LICENSE.txt
fetch @forevolve/bootstrap-dark@1.1.0 dist/css/bootstrap-prefers-dark.min.css
du -sh "$dest"
