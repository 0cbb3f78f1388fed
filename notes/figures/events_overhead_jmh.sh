#!/usr/bin/env bash
# What the engines' event reports cost when nobody listens, measured with JMH: the claim is at
# most 2%. One build, two JVM settings, the same benchmark code:
#   A (shipped)  events on, no listener attached: each emission point is a guard that finds
#                EventListener.NONE
#   B (baseline) -Dstoragelab.events=off: EventListener.EMIT is false and the JIT drops every
#                emission point, as if the engine had none
# The benchmarks are those whose operations pass emission points: the B+tree's random fill
# (splits) and random reads from a pool smaller than the tree (evictions), the LSM tree's puts
# (flushes, compactions) and gets, and MVCC commits (a begin and a commit event per transaction).
# A and B alternate fork by fork (A B, then B A, ...), ROUNDS forks each, every fork a fresh JVM.
# Prints every fork's score, then per benchmark the mean of A and of B, A/B as time per operation
# (1.000 = no cost; 1.020 = A is 2% slower) and a 95% confidence interval of that ratio
# (Welch's t over the forks' scores). Run it on a quiet machine.
#
#   notes/figures/events_overhead_jmh.sh
#
# Environment: ROUNDS (forks per setting, default 5), WI/I (warm-up and measured iterations per
# fork, default 3 and 5), ONLY (a regular expression: run only the benchmarks whose line matches),
# OUT (where each fork's JSON goes; default a new temporary folder), REUSE=1 (with OUT, ROUNDS and
# ONLY as the run had them: only the analysis, over that run's JSON).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${ROUNDS:-5}
WI=${WI:-3}
I=${I:-5}
ONLY=${ONLY:-.}
REUSE=${REUSE:-}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/events-overhead-jmh-XXXXXX")}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
mkdir -p "$OUT"

# module | benchmark regex | JMH parameters (-p name=value ...)
BENCHMARKS=(
  "lab-04-btree|FillBenchmark.fill$|-p impl=BPlusTree -p order=random -p keys=200000"
  "lab-04-btree|ReadBenchmark.readrandom$|-p impl=BPlusTree -p keys=200000"
  "lab-05-lsm|LsmStoreBenchmark.put$|"
  "lab-05-lsm|LsmStoreBenchmark.get$|"
  "lab-06-wal-mvcc|MvccBenchmark.commitTwoKeys$|-p mvccEngine=memory -p versionsPerKey=8"
)
selected=()
for spec in "${BENCHMARKS[@]}"; do
  if [[ "$spec" =~ $ONLY ]]; then selected+=("$spec"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "ONLY=$ONLY matches no benchmark" >&2; exit 2; }
BENCHMARKS=("${selected[@]}")

if [ -z "$REUSE" ]; then
modules=$(printf '%s\n' "${BENCHMARKS[@]}" | cut -d'|' -f1 | sort -u | paste -sd, -)
declare -A CP
for m in ${modules//,/ }; do
  # in one reactor with the labs it uses, so that theirs resolve to their target/classes; the
  # module itself comes last and writes the file last
  mvn -q -B -Dstyle.color=never -pl "$m" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$OUT/$m.cp" -Dmaven.compiler.useIncrementalCompilation=false
  CP[$m]="$m/target/test-classes:$m/target/classes:$(cat "$OUT/$m.cp")"
done

echo "events overhead (JMH): $ROUNDS forks per setting, ${WI}+${I} iterations; JSON in $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
for spec in "${BENCHMARKS[@]}"; do
  IFS='|' read -r module regex params <<< "$spec"
  n=$((n + 1))
  echo "== $module $regex $params"
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
    for label in $order; do
      prepend=()
      [ "$label" = B ] && prepend=(-jvmArgsPrepend -Dstoragelab.events=off)
      # shellcheck disable=SC2086
      java -cp "${CP[$module]}" org.openjdk.jmh.Main "$regex" $params -f 1 -wi "$WI" -i "$I" "${prepend[@]}" \
          -rf json -rff "$OUT/b$n-$label-$r.json" > "$OUT/b$n-$label-$r.log" 2>&1
      python3 - "$OUT/b$n-$label-$r.json" "$label" "$r" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))[0]["primaryMetric"]
print(f"  {sys.argv[2]} fork {sys.argv[3]}: {m['score']:12.4f} {m['scoreUnit']}")
PY
    done
  done
done

fi

python3 - "$OUT" "$ROUNDS" "${BENCHMARKS[@]}" <<'PY'
import json, math, statistics, sys
out, rounds, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# two-sided 97.5% quantiles of Student's t by degrees of freedom (Welch's df rounded down)
T = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
     12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}
def t975(df):
    return T[max(k for k in T if k <= max(1, int(df)))]
print()
print("A/B as time per operation (1.000 = no cost; 1.020 = A is 2% slower), 95% confidence intervals:")
print("  unpaired: the means of A's and B's forks (Welch's t, the delta method)")
print("  paired:   the geometric mean of each round's A/B (A and B of a round run back to back, in")
print("            alternating order, so the machine's drift over the run cancels within a round)")
print(f"{'benchmark':58s} {'A: on, none listening':>22s} {'B: events off':>14s} {'A/B':>7s}  unpaired CI       paired A/B and CI")
worst = 0.0
for n, spec in enumerate(specs, 1):
    module, regex, params = spec.split("|")
    score = lambda label: [json.load(open(f"{out}/b{n}-{label}-{r}.json"))[0]["primaryMetric"]["score"]
                           for r in range(1, rounds + 1)]
    a, b = score("A"), score("B")
    ma, mb = statistics.mean(a), statistics.mean(b)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    # the ratio's standard error by the delta method; Welch-Satterthwaite degrees of freedom
    se = (ma / mb) * math.sqrt(va / ma ** 2 + vb / mb ** 2)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if va + vb > 0 else 30
    lo, hi = ma / mb - t975(df) * se, ma / mb + t975(df) * se
    # paired: the log of each round's ratio, a t interval over the rounds, back to a ratio
    logs = [math.log(x / y) for x, y in zip(a, b)]
    ml, sl = statistics.mean(logs), statistics.stdev(logs) / math.sqrt(len(logs))
    plo, phi = math.exp(ml - t975(len(logs) - 1) * sl), math.exp(ml + t975(len(logs) - 1) * sl)
    worst = max(worst, phi)
    unit = json.load(open(f"{out}/b{n}-A-1.json"))[0]["primaryMetric"]["scoreUnit"]
    name = f"{regex.rstrip('$')} {params}".strip()
    print(f"{name:58s} {ma:15.4f} {unit:6s} {mb:14.4f} {ma / mb:7.3f}  [{lo:.3f}, {hi:.3f}]"
          f"   {math.exp(ml):.3f} [{plo:.3f}, {phi:.3f}]")
print(f"\nthe largest upper bound of the paired A/B: {worst:.3f} (at most 1.020 holds the 2% claim)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
