#!/usr/bin/env bash
# Every benchmark in turn, one at a time so they never share the CPU; output in bench/out/.
# The million-person loads take about ten minutes each on 2 cores: pass --no-load to reuse them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
LOAD="--load"
[ "${1:-}" = "--no-load" ] && LOAD=""
PY=.venv/bin/python
for db in sqlite postgres; do
  $PY bench/search.py --db "$db" $LOAD --explain 2>&1 | tee "bench/out/search-$db.txt"
done
for db in sqlite postgres; do
  $PY bench/search_breakdown.py --db "$db" 2>&1 | tee "bench/out/breakdown-$db.txt"
  $PY bench/registration.py --db "$db" 2>&1 | tee "bench/out/registration-$db.txt"
  $PY bench/profile_registration.py --db "$db" > "bench/out/profile-$db.txt" 2>&1
  grep '^==' "bench/out/profile-$db.txt"
done
for args in "" "--supply 0.9" "--supply 1.2" "--kind host_family"; do
  $PY bench/allocation.py $args 2>&1 | tee -a bench/out/allocation.txt
done
$PY bench/allocation_perfect.py 2>&1 | tee bench/out/allocation-perfect.txt
