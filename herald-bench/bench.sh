#!/usr/bin/env bash
# Runs Herald's benchmarks against the other event buses, then the durable log's, then Herald on
# Kafka against plain kafka-clients (and the log against a Kafka broker), and writes the results.
#
#   herald-bench/bench.sh           full suite (~25 min): bench/results/, docs/benchmarks.md and
#                                   docs/benchmarks-throughput.svg
#   herald-bench/bench.sh --quick   every bus library in every topology, under 90 s in all (about
#                                   75 s here): bench/results/ only
#   herald-bench/bench.sh --quick --all   the same, then the durable log (~30 s) and Kafka (~100 s)
#   herald-bench/bench.sh --log-only [--quick]     only the durable log: bench/results/ only
#   herald-bench/bench.sh --kafka-only [--quick]   only Kafka: bench/results/ only
#   herald-bench/bench.sh --no-build ...   use the benchmark jar as it is
#
# Builds the benchmark uber-jar first when it is missing or older than the sources, with the
# reactor (herald-bench and the modules it needs), installing nothing into ~/.m2. Log files go to
# a fresh directory under java.io.tmpdir, deleted afterwards; it must be on a real disk (on tmpfs
# an fsync costs nothing): JAVA_TOOL_OPTIONS=-Dherald.bench.dir=/path/on/the/disk moves them. The
# Kafka benchmarks start a one-node broker in each trial's JVM (no Docker); its log directories are
# made under java.io.tmpdir and deleted when the trial ends.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="$HERE/target/herald-benchmarks.jar"
RESULTS="$ROOT/bench/results"

mode=full
build=auto
suites=
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --all) suites=all ;;
    --log-only) suites=log ;;
    --kafka-only) suites=kafka ;;
    --no-build) build=never ;;
    --build) build=always ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
# The full run measures everything; the quick one the buses only (its promise is a table of every bus
# library in every topology in under 90 s), unless --all or a section is asked for.
if [[ -z "$suites" ]]; then
  if [[ "$mode" == quick ]]; then suites=buses; else suites=all; fi
fi

if [[ "$build" == always ]]; then
  "$ROOT/tools/build-jar.sh" herald-bench "$JAR" --always
elif [[ "$build" == auto ]]; then
  "$ROOT/tools/build-jar.sh" herald-bench "$JAR"
fi
[[ -f "$JAR" ]] || { echo "bench.sh: $JAR is missing; run without --no-build" >&2; exit 1; }

if [[ "$mode" == quick ]]; then
  jmh_opts=(-f 1 -wi 1 -w 500ms -i 2 -r 500ms)
  paired_opts=(--warmup-ms 1000 --rounds 20 --batches 1)
  paired_jvms=1
  # One JVM per library, as in the full run, but no untimed round: every library starts cold alike.
  latency_opts=(--warmup-ms 200 --measure-ms 300 --warmup-rounds 0)
  # Long enough for the measurement to hold at least one INTERVAL(1000 ms) fsync.
  log_latency_opts=(--warmup-ms 500 --measure-ms 1500 --warmup-rounds 0)
  # One warm-up second: each trial's JVM starts its broker and its clients cold.
  kafka_jmh_opts=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
else
  jmh_opts=(-f 2 -wi 2 -w 1s -i 4 -r 1s)
  # 300 rounds of two batches each per library, in 3 JVMs: about 20 s per topology and JVM here.
  paired_opts=(--warmup-ms 5000 --rounds 300 --batches 2)
  paired_jvms=3
  latency_opts=(--warmup-ms 1000 --measure-ms 3000)
  # The durable path runs more code (codec, log, feed) than the in-memory bus: after a one-second
  # warm-up the JIT still compiled for 0.2 to 1.1 s of the five measured seconds on a quiet machine
  # (the tables' JIT ms column; 2.2 s under load), competing with the log's threads for the one core
  # the publisher leaves. After eight seconds it compiles for about 20 ms.
  log_latency_opts=(--warmup-ms 8000 --measure-ms 5000)
  kafka_jmh_opts=(-f 2 -wi 2 -w 1s -i 4 -r 2s)
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
jmh_json="$RESULTS/$stamp-jmh.json.tmp"
latency_json="$RESULTS/$stamp-latency.json.tmp"
log_jmh_json="$RESULTS/$stamp-log-jmh.json.tmp"
log_latency_json="$RESULTS/$stamp-log-latency.json.tmp"
kafka_jmh_json="$RESULTS/$stamp-kafka-jmh.json.tmp"
queue_jmh_json="$RESULTS/$stamp-queue-jmh.json.tmp"
listener_jmh_json="$RESULTS/$stamp-listener-jmh.json.tmp"
batch_jmh_json="$RESULTS/$stamp-batch-jmh.json.tmp"
trap 'rm -f "$jmh_json" "$latency_json" "$log_jmh_json" "$log_latency_json" "$kafka_jmh_json" "$queue_jmh_json" "$listener_jmh_json" "$batch_jmh_json" "$RESULTS/$stamp"-paired-*.json.tmp' EXIT

# Runs JMH with the given arguments, its output in a log that is shown only when it fails. While
# another JMH run on this machine holds JMH's lock, waits for it (up to 15 minutes) rather than
# measuring beside it.
jmh() {
  local log="$RESULTS/$stamp-jmh.log.tmp" waited=0
  until java -jar "$JAR" "$@" > "$log" 2>&1; do
    if grep -q "Unable to acquire the JMH lock" "$log" && ((waited < 900)); then
      ((waited == 0)) && echo "   (another JMH run holds the lock; waiting for it to finish)"
      sleep 5
      waited=$((waited + 5))
      continue
    fi
    tail -40 "$log" >&2
    rm -f "$log"
    echo "bench.sh: JMH failed" >&2
    exit 1
  done
  rm -f "$log"
}

start=$SECONDS
report_opts=(--out "$RESULTS" --stamp "$stamp" --mode "$mode")
if [[ "$suites" == all || "$suites" == buses ]]; then
  echo "== throughput ($mode): JMH ${jmh_opts[*]} -prof gc"
  jmh 'dev.herald.bench.*' -e 'dev\.herald\.bench\.log\.' -e 'dev\.herald\.bench\.kafka\.' \
    -e 'dev\.herald\.bench\.queue\.' -e 'dev\.herald\.bench\.http\.' \
    -e 'dev\.herald\.bench\.listener\.' \
    -e 'dev\.herald\.bench\.lane\.' \
    "${jmh_opts[@]}" -prof gc -foe true -rf json -rff "$jmh_json"

  echo "== latency at a fixed rate ($mode), 1->1"
  java -cp "$JAR" dev.herald.bench.LatencyAtFixedRate "${latency_opts[@]}" \
    --rates 100000,1000000 --json "$latency_json"
  report_opts+=(--jmh "$jmh_json" --latency "$latency_json")

  echo "== the ratio targets, paired: Herald and its peers take turns in one JVM, $paired_jvms JVMs ($mode)"
  paired_files=()
  for ((jvm = 1; jvm <= paired_jvms; jvm++)); do
    for subscribers in 1 4; do
      out="$RESULTS/$stamp-paired-1to$subscribers-$jvm.json.tmp"
      paired_files+=("$out")
      java -cp "$JAR" dev.herald.bench.BusPairedRatio --subscribers "$subscribers" \
        --libraries herald-emit,herald-emit-tuned,guava-async,disruptor "${paired_opts[@]}" --json "$out"
    done
  done
  report_opts+=(--paired "$(IFS=,; echo "${paired_files[*]}")")
  if [[ "$mode" == full ]]; then
    echo "== Herald's queues against JCTools ($mode): JMH ${jmh_opts[*]}"
    jmh 'dev\.herald\.bench\.queue\.' "${jmh_opts[@]}" -foe true -rf json -rff "$queue_jmh_json"
    report_opts+=(--queue-jmh "$queue_jmh_json")
    echo "== batch publish, 1->1: emitAll against emit and the Disruptor's batch claim ($mode): JMH ${jmh_opts[*]} -prof gc"
    jmh 'dev\.herald\.batchpublish\.' "${jmh_opts[@]}" -prof gc -foe true -rf json -rff "$batch_jmh_json"
    report_opts+=(--batch-jmh "$batch_jmh_json")
  fi
  if [[ "$mode" == full ]]; then
    echo "== an annotated listener against the same lambda, 1->1 ($mode): JMH ${jmh_opts[*]}"
    jmh 'dev\.herald\.bench\.listener\.' "${jmh_opts[@]}" -foe true -rf json -rff "$listener_jmh_json"
    java -cp "$JAR" dev.herald.bench.listener.ListenerRatio "$listener_jmh_json"
    echo "== the same, paired: the setups take turns in one JVM (a ratio that load drift moves less)"
    java -cp "$JAR" dev.herald.bench.listener.ListenerPairedRatio --warmup-ms 5000 --rounds 1000 --batches 8
  fi
  if [[ "$mode" == full ]]; then
    report_opts+=(--svg "$ROOT/docs/benchmarks-throughput.svg" --docs "$ROOT/docs/benchmarks.md")
  fi
  echo "(buses: $((SECONDS - start)) s)"
fi

if [[ "$suites" == all || "$suites" == log ]]; then
  log_start=$SECONDS
  echo "== durable log ($mode): JMH ${jmh_opts[*]} -prof gc"
  jmh 'dev\.herald\.bench\.log\.' "${jmh_opts[@]}" -prof gc -foe true -rf json -rff "$log_jmh_json"

  echo "== durable log: publish -> durable subscriber at 50,000 events/s ($mode)"
  java -cp "$JAR" dev.herald.bench.log.DurableLatencyAtFixedRate "${log_latency_opts[@]}" \
    --rate 50000 --interval-ms 1000 --append-queue 65536 --json "$log_latency_json"
  report_opts+=(--log-jmh "$log_jmh_json" --log-latency "$log_latency_json")
  echo "(durable log: $((SECONDS - log_start)) s)"
fi

if [[ "$suites" == all || "$suites" == kafka ]]; then
  kafka_start=$SECONDS
  load_before="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
  # Every trial starts its own broker (a few seconds, outside the measurement).
  echo "== Kafka ($mode): JMH ${kafka_jmh_opts[*]} -prof gc, a broker in each trial's JVM"
  jmh 'dev\.herald\.bench\.kafka\.' "${kafka_jmh_opts[@]}" -prof gc -foe true -rf json \
    -rff "$kafka_jmh_json"
  load_after="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
  report_opts+=(--kafka-jmh "$kafka_jmh_json" --kafka-load "$load_before at the start, $load_after at the end")
  echo "(Kafka: $((SECONDS - kafka_start)) s)"
fi

echo
java -cp "$JAR" dev.herald.bench.BenchReport "${report_opts[@]}"
echo "($mode run: $((SECONDS - start)) s)"
