#!/usr/bin/env bash
# stage.sh NAME CMD...   runs CMD, prints how long it took, and records it for the summary.
# stage.sh --summary     prints every recorded stage with its duration.
set -uo pipefail
log="${CARGO_TARGET_DIR:-target}/.stages"
mkdir -p "$(dirname "$log")"
if [ "${1:-}" = "--summary" ]; then
  echo
  echo "Stage timings:"
  total=0
  while IFS=$'\t' read -r name secs status; do
    printf '  %-16s %5ss  %s\n' "$name" "$secs" "$status"
    total=$((total + secs))
  done < "$log"
  printf '  %-16s %5ss\n' "total" "$total"
  exit 0
fi
name=$1; shift
printf '\n\033[1m==> %s\033[0m\n' "$name"
start=$(date +%s)
"$@"; rc=$?
secs=$(( $(date +%s) - start ))
status=$([ $rc -eq 0 ] && echo ok || echo "FAILED ($rc)")
printf '%s\t%s\t%s\n' "$name" "$secs" "$status" >> "$log"
printf '\033[1m<== %s: %ss, %s\033[0m\n' "$name" "$secs" "$status"
if [ $rc -ne 0 ]; then
  "$0" --summary
fi
exit $rc
