// heapserver is a small Go service with a varied, slowly changing heap that serves net/http/pprof on
// 127.0.0.1:6061: the source of the heap series of the chunk compression benchmark
// (benchmarks/src/main/java/io/conprof/benchmarks/tsdb/ChunkCompressionBenchmark.java). Standard library only:
//
//	go build -o /tmp/heapserver main.go && /tmp/heapserver &
//	for i in $(seq -w 0 99); do curl -s -o heap-0$i.pb.gz http://127.0.0.1:6061/debug/pprof/heap; sleep 1; done
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net/http"
	_ "net/http/pprof"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

type record struct {
	Name   string            `json:"name"`
	Values []int             `json:"values"`
	Labels map[string]string `json:"labels"`
}

var (
	mu     sync.Mutex
	cache  = map[string][]byte{}
	ring   [][]byte
	ringAt int
)

func keep(b []byte) {
	mu.Lock()
	if len(ring) < 4096 {
		ring = append(ring, b)
	} else {
		ring[ringAt%len(ring)] = b
	}
	ringAt++
	mu.Unlock()
}

func jsonWork(r *rand.Rand) {
	rec := record{Name: fmt.Sprintf("r%d", r.Intn(1000)), Labels: map[string]string{}}
	for i := 0; i < r.Intn(50); i++ {
		rec.Values = append(rec.Values, r.Int())
		rec.Labels[fmt.Sprintf("k%d", i)] = strings.Repeat("v", i)
	}
	b, _ := json.Marshal(rec)
	var back record
	json.Unmarshal(b, &back)
	keep(b)
}

func gzipWork(r *rand.Rand) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(strings.Repeat("heap profiles change slowly ", 100+r.Intn(400))))
	w.Close()
	keep(buf.Bytes())
}

func regexWork(r *rand.Rand) {
	re := regexp.MustCompile(fmt.Sprintf(`(a+b)+c[0-9]{2,%d}`, 3+r.Intn(5)))
	keep([]byte(re.String()))
}

func cacheWork(r *rand.Rand) {
	k := fmt.Sprintf("key-%d", r.Intn(20000))
	mu.Lock()
	cache[k] = make([]byte, 64+r.Intn(4096))
	mu.Unlock()
}

func sortWork(r *rand.Rand) {
	xs := make([]string, 200+r.Intn(2000))
	for i := range xs {
		xs[i] = fmt.Sprint(r.Int())
	}
	sort.Strings(xs)
	if r.Intn(10) == 0 {
		keep([]byte(strings.Join(xs[:10], ",")))
	}
}

func clientWork(addr string) {
	for {
		resp, err := http.Get("http://" + addr + "/work?n=" + fmt.Sprint(rand.Intn(100)))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			keep(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func main() {
	addr := "127.0.0.1:6061"
	http.HandleFunc("/work", func(w http.ResponseWriter, req *http.Request) {
		var out []string
		for i := 0; i < 50; i++ {
			out = append(out, strings.ToUpper(req.URL.Query().Get("n")+fmt.Sprint(i)))
		}
		json.NewEncoder(w).Encode(out)
	})
	work := []func(*rand.Rand){jsonWork, gzipWork, regexWork, cacheWork, sortWork}
	for i, f := range work {
		go func(seed int64, f func(*rand.Rand)) {
			r := rand.New(rand.NewSource(seed))
			for {
				f(r)
				time.Sleep(time.Duration(1+r.Intn(3)) * time.Millisecond)
			}
		}(int64(i), f)
	}
	go clientWork(addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
