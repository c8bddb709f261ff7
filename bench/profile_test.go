package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/internal/gx"
)

// benchOpProfile is benchForward with gx's op statistics on: it logs each
// op kind's share of the wall time per forward and, for the matmul kinds,
// its GFLOP/s (the time outside project ops — Gorgonia's tape, Tanh,
// output copies — is the remainder).
func benchOpProfile(b *testing.B, cfg gorbert.Config, batch, seq int) {
	gx.EnableOpStats(true)
	defer gx.EnableOpStats(false)
	start := time.Now()
	benchForward(b, cfg, batch, seq)
	total := time.Since(start)
	stats := gx.OpStats()
	gx.EnableOpStats(false)
	runs := 0
	for _, s := range stats {
		if s.Kind == "gx.LayerNorm" {
			runs = s.Calls / (2*cfg.NumHiddenLayers + 1) // LayerNorms per forward
		}
	}
	if runs == 0 || b.N == 1 { // the testing package's probe run with b.N = 1
		return
	}
	var sb strings.Builder
	var inOps time.Duration
	fmt.Fprintf(&sb, "\n%d forwards (incl. warm-up); per forward:\n| op | calls | ms | share | GFLOP/s |\n|---|---|---|---|---|\n", runs)
	per := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(runs) }
	for _, s := range stats {
		inOps += s.Time
	}
	for _, s := range stats {
		rate := "–"
		if s.FLOPs > 0 {
			rate = fmt.Sprintf("%.1f", s.FLOPs/s.Time.Seconds()/1e9)
			b.ReportMetric(s.FLOPs/s.Time.Seconds()/1e9, "GFLOP/s:"+strings.TrimPrefix(s.Kind, "gx."))
		}
		fmt.Fprintf(&sb, "| %s | %d | %.2f | %.1f%% | %s |\n", s.Kind, s.Calls/runs, per(s.Time), 100*s.Time.Seconds()/inOps.Seconds(), rate)
	}
	fmt.Fprintf(&sb, "project ops %.1f ms per forward; benchmark wall time %.0f ms in all (set-up included)\n", per(inOps), total.Seconds()*1e3)
	b.Log(sb.String())
}

func BenchmarkOpProfile_Base_B1_S128(b *testing.B) { benchOpProfile(b, gorbert.Base(), 1, 128) }
func BenchmarkOpProfile_Base_B8_S128(b *testing.B) { benchOpProfile(b, gorbert.Base(), 8, 128) }
func BenchmarkOpProfile_Base_B1_S512(b *testing.B) { benchOpProfile(b, gorbert.Base(), 1, 512) }
func BenchmarkOpProfile_Mini_B1_S512(b *testing.B) { benchOpProfile(b, gorbert.Mini(), 1, 512) }
func BenchmarkOpProfile_Mini_B1_S128(b *testing.B) { benchOpProfile(b, gorbert.Mini(), 1, 128) }
func BenchmarkOpProfile_Mini_B8_S128(b *testing.B) { benchOpProfile(b, gorbert.Mini(), 8, 128) }
