#!/usr/bin/env bash
# Times `conprof-cli profile merge` against `go tool pprof -proto` merging the same N CPU profiles of
# one process, both as whole processes the way a user runs them, and reports wall time, CPU time and
# peak RSS of each (GNU time), plus the merged profile's own size. Run from the repository root after
# `./mvnw -B -q -DskipTests package`:
#
#   benchmarks/scripts/merge-vs-go.sh [N] [RUNS]
#
# The profiles come from benchmarks/go/cpuprofiles (a busy Go program writing N CPU profiles of
# 500 ms each at 1 kHz, about the samples of a 5 s profile at Go's 100 Hz); they are generated once
# into ${CONPROF_BENCH_DIR:-/tmp/conprof-bench}/cpu-N. The two tools run alternately, so that a
# change of load on a shared machine affects both alike; the load average is printed before and
# after, and the median of each column at the end.
set -euo pipefail
n=${1:-1000}
runs=${2:-5}
root=$(pwd)
work=${CONPROF_BENCH_DIR:-/tmp/conprof-bench}
dir="$work/cpu-$n"
mkdir -p "$work"
command -v go >/dev/null || { echo "needs Go (apt-get install golang-go)"; exit 2; }
if [ ! -d "$dir" ] || [ "$(ls "$dir" | wc -l)" -lt "$n" ]; then
  (cd "$root/benchmarks/go/cpuprofiles" && GO111MODULE=off go build -o "$work/cpuprofiles" main.go)
  echo "generating $n CPU profiles into $dir (takes about $((n / 2)) s)" >&2
  "$work/cpuprofiles" -n "$n" -d 500ms -hz 1000 -out "$dir"
fi
files=("$dir"/cpu-*.pb.gz)
files=("${files[@]:0:$n}")
bytes=$(cat "${files[@]}" | wc -c)
echo "input: ${#files[@]} CPU profiles, $bytes bytes gzipped"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), $(go version)"

run_once() { # label, output file, command...
  local label=$1 out=$2; shift 2
  rm -f "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
  read -r wall user sys rss < "$work/time.txt"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')
  echo "$label run $i: wall ${wall}s cpu ${cpu}s peak-rss ${rss}KB"
  echo "$wall $cpu $rss" >> "$work/$label.runs"
}

median() { # file, column
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}

rm -f "$work/conprof.runs" "$work/go.runs"
# One untimed run of each first: it writes the launcher's class-data archive after a rebuild and
# warms the page cache for both.
"$root/bin/conprof-cli" profile merge -o "$work/conprof.pb.gz" "${files[@]}" > /dev/null
go tool pprof -proto -symbolize=none -output "$work/go.pb.gz" "${files[@]}" > /dev/null 2>&1
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  run_once conprof "$work/conprof.pb.gz" "$root/bin/conprof-cli" profile merge -o "$work/conprof.pb.gz" "${files[@]}"
  run_once go "$work/go.pb.gz" go tool pprof -proto -symbolize=none -output "$work/go.pb.gz" "${files[@]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for label in conprof go; do
  echo "$label median of $runs: wall $(median "$work/$label.runs" 1)s cpu $(median "$work/$label.runs" 2)s peak-rss $(median "$work/$label.runs" 3)KB"
done
echo "wall-time ratio go/conprof (medians): $(awk -v g="$(median "$work/go.runs" 1)" -v c="$(median "$work/conprof.runs" 1)" 'BEGIN{printf "%.2f", g/c}')"

raw=$(gzip -dc < "$work/conprof.pb.gz" | wc -c)
echo "merged profile: $(wc -c < "$work/conprof.pb.gz") bytes gzipped, $raw bytes raw protobuf"
ours=$(go tool pprof -raw -symbolize=none "$work/conprof.pb.gz" 2>/dev/null | grep -c '^ *[0-9]' || true)
echo "go tool pprof reads our output: $( [ "$ours" -gt 0 ] && echo yes || echo NO )"
"$root/bin/conprof-cli" profile info --output json "$work/conprof.pb.gz" "$work/go.pb.gz"
