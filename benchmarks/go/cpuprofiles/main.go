// cpuprofiles writes a series of CPU profiles of one busy Go process, the input of the merge
// benchmark (benchmarks/scripts/merge-vs-go.sh). Standard library only; builds offline:
//
//	go build -o /tmp/cpuprofiles main.go && /tmp/cpuprofiles -n 1000 -d 200ms -out DIR
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

func main() {
	n := flag.Int("n", 1000, "number of profiles")
	d := flag.Duration("d", 200*time.Millisecond, "duration of each profile")
	out := flag.String("out", "cpu-profiles", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	stop := make(chan struct{})
	for _, f := range []func(<-chan struct{}){hashing, sorting, compressing, encoding} {
		go f(stop)
	}
	for i := 0; i < *n; i++ {
		f, err := os.Create(filepath.Join(*out, fmt.Sprintf("cpu-%05d.pb.gz", i)))
		if err != nil {
			log.Fatal(err)
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
