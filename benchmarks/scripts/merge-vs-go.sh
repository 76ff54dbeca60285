#!/usr/bin/env bash
# Times `conprof-cli profile merge` against `go tool pprof -proto` merging the same N CPU profiles of
# one process, both as whole processes the way a user runs them, and reports wall time, CPU time and
# peak RSS of each (GNU time), plus the merged profile's own size. Run from the repository root after
# `./mvnw -B -q -DskipTests package`:
#
#   benchmarks/scripts/merge-vs-go.sh [N] [RUNS]
#
# The profiles come from benchmarks/go/cpuprofiles (a busy Go program writing N CPU profiles of
# 200 ms each); they are generated once into ${CONPROF_BENCH_DIR:-/tmp/conprof-bench}/cpu-N.
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
  echo "generating $n CPU profiles into $dir (takes about $((n / 5)) s)" >&2
  "$work/cpuprofiles" -n "$n" -d 200ms -out "$dir"
fi
files=("$dir"/cpu-*.pb.gz)
files=("${files[@]:0:$n}")
bytes=$(cat "${files[@]}" | wc -c)
echo "input: ${#files[@]} CPU profiles, $bytes bytes gzipped"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), $(go version)"

measure() { # label, output file, command...
  local label=$1 out=$2; shift 2
  local i
  for i in $(seq 1 "$runs"); do
    rm -f "$out"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
    read -r wall user sys rss < "$work/time.txt"
    echo "$label run $i: wall ${wall}s cpu $(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')s peak-rss ${rss}KB"
  done
}

measure conprof "$work/conprof.pb.gz" "$root/bin/conprof-cli" profile merge -o "$work/conprof.pb.gz" "${files[@]}"
measure go "$work/go.pb.gz" go tool pprof -proto -symbolize=none -output "$work/go.pb.gz" "${files[@]}"

raw=$(gzip -dc < "$work/conprof.pb.gz" | wc -c)
echo "merged profile: $(wc -c < "$work/conprof.pb.gz") bytes gzipped, $raw bytes raw protobuf"
ours=$(go tool pprof -raw -symbolize=none "$work/conprof.pb.gz" 2>/dev/null | grep -c '^ *[0-9]' || true)
echo "go tool pprof reads our output: $( [ "$ours" -gt 0 ] && echo yes || echo NO )"
"$root/bin/conprof-cli" profile info --output json "$work/conprof.pb.gz" "$work/go.pb.gz"
