#!/usr/bin/env bash
# Run the test suite N times in a row (default 3) while two busy processes load the machine, as
# issue 15 asks: it shows the suite does not flake on a loaded 2-core machine. Run from a clean
# clone: `bash scripts/suite-under-load.sh [N]`. Each run's wall time and result are printed at the
# end; the busy loops are stopped however the script ends.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"

busy=()
stop_busy() { [ ${#busy[@]} -gt 0 ] && kill "${busy[@]}" 2>/dev/null; wait 2>/dev/null; }
trap stop_busy EXIT
for _ in 1 2; do
    python3 -c "while True: pass" &
    busy+=($!)
done
echo "suite-under-load: busy processes ${busy[*]} started; load $(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
summary=()
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    if make test >"suite-run-$i.log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
    seconds=$(( $(date +%s) - start ))
    line="run $i: $result in ${seconds} s ($(tail -n 1 "suite-run-$i.log")); load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "suite-under-load: $line"
    summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit "$failed"
