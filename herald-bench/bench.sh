#!/usr/bin/env bash
# Runs Herald's benchmarks against the other event buses and writes the results.
#
#   herald-bench/bench.sh           full suite (~10 min): bench/results/, docs/benchmarks.md and
#                                   docs/benchmarks-throughput.svg
#   herald-bench/bench.sh --quick   every library in every topology in ~90 s: bench/results/ only
#   herald-bench/bench.sh --no-build ...   use the benchmark jar as it is
#
# Builds the benchmark uber-jar first when it is missing or older than the sources. Works whether
# or not herald-bench is a module of the root reactor: it always installs the parent pom and
# herald-core, then builds this module with -f.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$HERE/target/herald-benchmarks.jar"
RESULTS="$ROOT/bench/results"

mode=full
build=auto
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --no-build) build=never ;;
    --build) build=always ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

stale() {
  [[ ! -f "$JAR" ]] && return 0
  [[ -n "$(find "$ROOT/pom.xml" "$ROOT/herald-core/pom.xml" "$ROOT/herald-core/src/main" \
      "$HERE/pom.xml" "$HERE/src/main" -newer "$JAR" -type f -print -quit)" ]]
}

if [[ "$build" == always ]] || { [[ "$build" == auto ]] && stale; }; then
  echo "== building the benchmark jar"
  cd "$ROOT"
  # The parent pom alone (-N), then herald-core: the bench module resolves both from ~/.m2.
  mvn -B -q -N install -f pom.xml
  mvn -B -q -DskipTests install -f herald-core/pom.xml
  mvn -B -q -DskipTests -f herald-bench/pom.xml package
fi
[[ -f "$JAR" ]] || { echo "bench.sh: $JAR is missing; run without --no-build" >&2; exit 1; }

if [[ "$mode" == quick ]]; then
  jmh_opts=(-f 1 -wi 1 -w 500ms -i 2 -r 500ms)
  latency_opts=(--warmup-ms 200 --measure-ms 300)
else
  jmh_opts=(-f 2 -wi 2 -w 1s -i 4 -r 1s)
  latency_opts=(--warmup-ms 1000 --measure-ms 3000)
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
jmh_json="$RESULTS/$stamp-jmh.json.tmp"
latency_json="$RESULTS/$stamp-latency.json.tmp"
trap 'rm -f "$jmh_json" "$latency_json"' EXIT

start=$SECONDS
echo "== throughput ($mode): JMH ${jmh_opts[*]} -prof gc"
java -jar "$JAR" 'dev.herald.bench.*' "${jmh_opts[@]}" -prof gc -foe true \
  -rf json -rff "$jmh_json" > "$RESULTS/$stamp-jmh.log.tmp" 2>&1 || {
  tail -40 "$RESULTS/$stamp-jmh.log.tmp" >&2
  rm -f "$RESULTS/$stamp-jmh.log.tmp"
  echo "bench.sh: JMH failed" >&2
  exit 1
}
rm -f "$RESULTS/$stamp-jmh.log.tmp"

echo "== latency at a fixed rate ($mode), 1->1"
java -cp "$JAR" dev.herald.bench.LatencyAtFixedRate "${latency_opts[@]}" \
  --rates 100000,1000000 --json "$latency_json"

report_opts=(--jmh "$jmh_json" --latency "$latency_json" --out "$RESULTS" --stamp "$stamp" --mode "$mode")
if [[ "$mode" == full ]]; then
  report_opts+=(--svg "$ROOT/docs/benchmarks-throughput.svg" --docs "$ROOT/docs/benchmarks.md")
fi
echo
java -cp "$JAR" dev.herald.bench.BenchReport "${report_opts[@]}"
echo "($mode run: $((SECONDS - start)) s)"
