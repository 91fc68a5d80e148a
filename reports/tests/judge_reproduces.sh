#!/usr/bin/env bash
# judge_reproduces.sh CXREPORT RUNS_DIR: every run of the conformance suite (RUNS_DIR/*/, one per
# library scenario, written by the conformance_suite test) judged again by `cxreport judge` from
# its history.jsonl and the mock's saved verdict gives exactly the recorded violations (counts,
# rule IDs, examples), the same reconciliation with the ledger and the same exit code. Fails if
# no run is there to judge.
set -euo pipefail
cxreport=$1 runs=$2
n=0 bad=0
for d in "$runs"/*/; do
    [ -f "$d/summary.json" ] || continue
    n=$((n + 1))
    rc=0
    out=$("$cxreport" judge "$d" --out "$d/rejudged" --quiet) || rc=$?
    want=$(jq .exitCode "$d/summary.json")
    problem=""
    [ "$rc" = "$want" ] || problem="exit $rc, recorded $want"
    grep -q "the violation counts recorded" <<<"$out" || problem="$problem; $out"
    for key in violations reconciliation; do
        diff <(jq -S ".$key" "$d/summary.json") <(jq -S ".$key" "$d/rejudged/summary.json") \
            >/dev/null || problem="$problem; .$key differs"
    done
    if [ -n "$problem" ]; then
        bad=$((bad + 1))
        echo "FAIL $d: $problem"
    fi
done
echo "judged again: $n runs, $bad differ from what they recorded"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
