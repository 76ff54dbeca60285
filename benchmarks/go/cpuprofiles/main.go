// cpuprofiles writes a series of CPU profiles of one busy Go process, the input of the merge
// benchmark (benchmarks/scripts/merge-vs-go.sh). Standard library only; builds offline:
//
//	go build -o /tmp/cpuprofiles main.go && /tmp/cpuprofiles -n 1000 -d 500ms -hz 1000 -out DIR
//
// At -hz 1000 a 500 ms profile holds about as many samples as a 5 s profile at Go's default
// 100 Hz, so a realistic series is generated in minutes instead of hours.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"
)

func hashing(stop <-chan struct{}) {
	buf := make([]byte, 64<<10)
	for {
		select {
		case <-stop:
			return
		default:
		}
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
	}
}

func sorting(stop <-chan struct{}) {
	r := rand.New(rand.NewSource(1))
	for {
		select {
		case <-stop:
			return
		default:
		}
		xs := make([]int, 20000)
		for i := range xs {
			xs[i] = r.Int()
		}
		sort.Ints(xs)
	}
}

func compressing(stop <-chan struct{}) {
	payload := []byte(strings.Repeat("continuous profiling keeps history ", 2000))
	for {
		select {
		case <-stop:
			return
		default:
		}
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(payload)
		w.Close()
	}
}

type record struct {
	Name   string            `json:"name"`
	Values []int             `json:"values"`
	Labels map[string]string `json:"labels"`
}

func encoding(stop <-chan struct{}) {
	re := regexp.MustCompile(`(a+b)+c[0-9]{2,4}`)
	rec := record{Name: "series", Values: make([]int, 200), Labels: map[string]string{"job": "api", "instance": "10.0.0.1:8080"}}
	for {
		select {
		case <-stop:
			return
		default:
		}
		b, _ := json.Marshal(rec)
		var back record
		json.Unmarshal(b, &back)
		re.MatchString("aabaabaabc1234 and more text to scan for the pattern")
	}
}

// The call-tree workload gives the profiles the many distinct stacks of a real service: each
// level calls one of several functions, chosen by a pseudo-random walk.
func walk0(r *rand.Rand, depth int) int { return step(r, depth) + 1 }
func walk1(r *rand.Rand, depth int) int { return step(r, depth) + 2 }
func walk2(r *rand.Rand, depth int) int { return step(r, depth) + 3 }
func walk3(r *rand.Rand, depth int) int { return step(r, depth) + 4 }
func walk4(r *rand.Rand, depth int) int { return step(r, depth) + 5 }
func walk5(r *rand.Rand, depth int) int { return step(r, depth) + 6 }

func step(r *rand.Rand, depth int) int {
	if depth == 0 {
		s := 0
		for i := 0; i < 2000; i++ {
			s += i * i % 7
		}
		return s
	}
	switch r.Intn(6) {
	case 0:
		return walk0(r, depth-1)
	case 1:
		return walk1(r, depth-1)
	case 2:
		return walk2(r, depth-1)
	case 3:
		return walk3(r, depth-1)
	case 4:
		return walk4(r, depth-1)
	default:
		return walk5(r, depth-1)
	}
}

func callTree(stop <-chan struct{}) {
	r := rand.New(rand.NewSource(2))
	for {
		select {
		case <-stop:
			return
		default:
		}
		step(r, 3+r.Intn(5))
	}
}

func main() {
	n := flag.Int("n", 1000, "number of profiles")
	hz := flag.Int("hz", 100, "CPU profiling rate in samples per second (Go's default is 100)")
	d := flag.Duration("d", 200*time.Millisecond, "duration of each profile")
	out := flag.String("out", "cpu-profiles", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	stop := make(chan struct{})
	for _, f := range []func(<-chan struct{}){hashing, sorting, compressing, encoding, callTree} {
		go f(stop)
	}
	for i := 0; i < *n; i++ {
		f, err := os.Create(filepath.Join(*out, fmt.Sprintf("cpu-%05d.pb.gz", i)))
		if err != nil {
			log.Fatal(err)
		}
		if *hz != 100 {
			// Must precede every StartCPUProfile (which then warns that the rate is already set).
			runtime.SetCPUProfileRate(*hz)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		time.Sleep(*d)
		pprof.StopCPUProfile()
		f.Close()
	}
	close(stop)
}
