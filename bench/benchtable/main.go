// Command benchtable runs gorbert's benchmarks (package bench) and the
// PyTorch anchor harness (../shared/perf/bert_bench.py) on the same machine,
// interleaved workload by workload and round by round, and prints one
// markdown table: our time, PyTorch's, their ratio (median of the per-round
// ratios, so a noisy minute hits both sides), GFLOP/s and peak RSS.
//
// Each measurement is its own process, so its peak RSS (getrusage of the
// child) belongs to that workload alone.
//
//	go run ./bench/benchtable -tags openblas -rounds 3
//	go run ./bench/benchtable -only 'Forward_Base_B1' -rounds 1 -py ''   # ours only
//
// The PyTorch side needs Debian's python3-torch at /usr/bin/python3 and runs
// tuned as in ../shared/perf/README.md: OMP_WAIT_POLICY=PASSIVE,
// OPENBLAS_NUM_THREADS=2, --threads 2, eager mode.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workload pairs one Go benchmark with the PyTorch harness arguments that
// measure the same thing.
type workload struct {
	name   string // Go benchmark name without "Benchmark"
	iters  int    // -benchtime Nx
	py     []string
	pyIter int
}

var workloads = []workload{
	{"Forward_Base_B1_S128", 10, []string{"--model", "base", "--task", "infer", "--batch", "1", "--seq", "128"}, 10},
	{"Forward_Base_B8_S128", 3, []string{"--model", "base", "--task", "infer", "--batch", "8", "--seq", "128"}, 3},
	{"Forward_Base_B1_S512", 3, []string{"--model", "base", "--task", "infer", "--batch", "1", "--seq", "512"}, 3},
	{"Forward_Mini_B1_S128", 30, []string{"--model", "mini", "--task", "infer", "--batch", "1", "--seq", "128"}, 30},
	{"Forward_Mini_B8_S128", 10, []string{"--model", "mini", "--task", "infer", "--batch", "8", "--seq", "128"}, 10},
	{"Forward_Mini_B1_S512", 10, []string{"--model", "mini", "--task", "infer", "--batch", "1", "--seq", "512"}, 10},
	{"TrainStep_Mini_B16_S128_Gather20", 5, []string{"--model", "mini", "--task", "train", "--batch", "16", "--seq", "128", "--mlm-gather", "20"}, 5},
	{"TrainStep_Base_B8_S128_Gather20", 3, []string{"--model", "base", "--task", "train", "--batch", "8", "--seq", "128", "--mlm-gather", "20"}, 3},
}

type sample struct {
	sec, gflops, rssMiB float64
	allocs              float64
}

func main() {
	tags := flag.String("tags", "openblas", "build tags for the benchmark binary (\"\" = pure-Go BLAS)")
	rounds := flag.Int("rounds", 3, "interleaved rounds")
	only := flag.String("only", "", "regexp: run only the workloads whose name matches")
	py := flag.String("py", "/usr/bin/python3", "python with torch (\"\" to skip PyTorch)")
	harness := flag.String("harness", "", "bert_bench.py (default: ../shared/perf/bert_bench.py from the module root)")
	scale := flag.Float64("iters", 1, "scale every workload's iteration count")
	flag.Parse()

	root, err := moduleRoot()
	check(err)
	if *harness == "" {
		*harness = filepath.Join(root, "..", "shared", "perf", "bert_bench.py")
	}
	var re *regexp.Regexp
	if *only != "" {
		re = regexp.MustCompile(*only)
	}
	var todo []workload
	for _, w := range workloads {
		if re == nil || re.MatchString(w.name) {
			todo = append(todo, w)
		}
	}
	if len(todo) == 0 {
		check(fmt.Errorf("no workload matches %q", *only))
	}
	pyNote := ""
	if *py != "" {
		if err := exec.Command(*py, "-c", "import torch").Run(); err != nil {
			pyNote = fmt.Sprintf("PyTorch not available (%s -c 'import torch': %v; Debian: apt-get install python3-torch): our numbers only", *py, err)
			*py = ""
		} else if _, err := os.Stat(*harness); err != nil {
			pyNote = fmt.Sprintf("PyTorch harness %s not found: our numbers only", *harness)
			*py = ""
		}
	}

	dir, err := os.MkdirTemp("", "benchtable")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	args := []string{"test", "-c", "-o", bin}
	if *tags != "" {
		args = append(args, "-tags", *tags)
	}
	args = append(args, "./bench/")
	build := exec.Command("go", args...)
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "building: go %s\n", strings.Join(args, " "))
	check(build.Run())

	ours := map[string][]sample{}
	theirs := map[string][]sample{}
	ratios := map[string][]float64{}
	for r := 1; r <= *rounds; r++ {
		for _, w := range todo {
			n := max(1, int(math.Round(float64(w.iters)**scale)))
			o, err := runGo(bin, root, w.name, n)
			if err != nil {
				fmt.Fprintf(os.Stderr, "round %d %s (go): %v\n", r, w.name, err)
				continue
			}
			ours[w.name] = append(ours[w.name], o)
			line := fmt.Sprintf("round %d %-34s ours %8.1f ms %6.1f GFLOP/s %6.0f MiB", r, w.name, o.sec*1e3, o.gflops, o.rssMiB)
			if *py != "" {
				pn := max(1, int(math.Round(float64(w.pyIter)**scale)))
				t, err := runPy(*py, *harness, w.py, pn)
				if err != nil {
					fmt.Fprintf(os.Stderr, "round %d %s (pytorch): %v\n", r, w.name, err)
				} else {
					theirs[w.name] = append(theirs[w.name], t)
					ratios[w.name] = append(ratios[w.name], o.sec/t.sec)
					line += fmt.Sprintf(" | pytorch %8.1f ms %6.0f MiB | ratio %.2f", t.sec*1e3, t.rssMiB, o.sec/t.sec)
				}
			}
			fmt.Fprintln(os.Stderr, line)
		}
	}

	host, _ := os.Hostname()
	fmt.Printf("\n%s, GOMAXPROCS=%s, BLAS tags %q, %d round(s), %s\n\n", host, envOr("GOMAXPROCS", "default"), *tags, *rounds, time.Now().Format("2006-01-02 15:04"))
	if pyNote != "" {
		fmt.Printf("> %s\n\n", pyNote)
	}
	fmt.Println("| workload | ours (median) | PyTorch tuned eager (median) | ratio ours/PyTorch (median of rounds) | ours GFLOP/s | PyTorch GFLOP/s | peak RSS ours | peak RSS PyTorch | allocs/op ours |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, w := range todo {
		o := ours[w.name]
		if len(o) == 0 {
			continue
		}
		t := theirs[w.name]
		fmt.Printf("| %s | %s | %s | %s | %.1f | %s | %.0f MiB | %s | %.0f |\n", w.name,
			dur(med(o, func(s sample) float64 { return s.sec })),
			orDash(t, func() string { return dur(med(t, func(s sample) float64 { return s.sec })) }),
			orDashF(ratios[w.name], func(v []float64) string {
				return fmt.Sprintf("**%.2f×** (%s)", median(v), joinF(v))
			}),
			med(o, func(s sample) float64 { return s.gflops }),
			orDash(t, func() string { return fmt.Sprintf("%.1f", med(t, func(s sample) float64 { return s.gflops })) }),
			med(o, func(s sample) float64 { return s.rssMiB }),
			orDash(t, func() string { return fmt.Sprintf("%.0f MiB", med(t, func(s sample) float64 { return s.rssMiB })) }),
			med(o, func(s sample) float64 { return s.allocs }))
	}
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+(\d+)\s+([\d.]+) ns/op(.*)$`)

// runGo runs one benchmark in its own process and reads ns/op, GFLOP/s and
// the process's peak RSS.
func runGo(bin, root, name string, iters int) (sample, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", "^Benchmark"+name+"$", "-test.benchtime", fmt.Sprintf("%dx", iters), "-test.benchmem")
	cmd.Dir = filepath.Join(root, "bench")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%v\n%s", err, tail(out.String()))
	}
	s := sample{rssMiB: maxRSS(cmd.ProcessState)}
	sc := bufio.NewScanner(&out)
	found := false
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[4], 64)
		s.sec = ns / 1e9
		s.gflops = metric(m[5], "GFLOP/s")
		s.allocs = metric(m[5], "allocs/op")
		found = true
	}
	if !found {
		return sample{}, fmt.Errorf("no benchmark line in output:\n%s", tail(out.String()))
	}
	return s, nil
}

func metric(rest, unit string) float64 {
	f := strings.Fields(rest)
	for i := 1; i < len(f); i++ {
		if f[i] == unit {
			v, _ := strconv.ParseFloat(f[i-1], 64)
			return v
		}
	}
	return math.NaN()
}

// runPy runs the PyTorch harness tuned as the perf README's anchors.
func runPy(py, harness string, args []string, iters int) (sample, error) {
	a := append([]string{harness}, args...)
	a = append(a, "--threads", "2", "--iters", strconv.Itoa(iters), "--warmup", "2")
	cmd := exec.Command(py, a...)
	cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY=PASSIVE", "OPENBLAS_NUM_THREADS=2")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%v\n%s", err, tail(out.String()))
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(l, "RESULT ") {
			continue
		}
		var r struct {
			Median float64 `json:"median_s"`
			GFLOPs float64 `json:"gflops_per_s"`
			RSS    float64 `json:"peak_rss_mib"`
		}
		if err := json.Unmarshal([]byte(l[7:]), &r); err != nil {
			return sample{}, err
		}
		return sample{sec: r.Median, gflops: r.GFLOPs, rssMiB: math.Max(r.RSS, maxRSS(cmd.ProcessState)), allocs: math.NaN()}, nil
	}
	return sample{}, fmt.Errorf("no RESULT line:\n%s", tail(out.String()))
}

func maxRSS(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return math.NaN()
}

func med(s []sample, f func(sample) float64) float64 {
	v := make([]float64, len(s))
	for i := range s {
		v[i] = f(s[i])
	}
	return median(v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func dur(sec float64) string {
	if sec < 1 {
		return fmt.Sprintf("%.1f ms", sec*1e3)
	}
	return fmt.Sprintf("%.2f s", sec)
}

func joinF(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, ", ")
}

func orDash(t []sample, f func() string) string {
	if len(t) == 0 {
		return "–"
	}
	return f()
}

func orDashF(v []float64, f func([]float64) string) string {
	if len(v) == 0 {
		return "–"
	}
	return f(v)
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", d)
		}
		d = filepath.Dir(d)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}
