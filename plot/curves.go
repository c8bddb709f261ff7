package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Panel is one plot of Curves: the listed series that the metrics have,
// against the step.
type Panel struct {
	Title, YLabel string
	Series        []string
	LogY          bool
}

// DefaultPanels are the panels Curves draws when given none: the training
// losses, the learning rate, held-out pretraining accuracy (masked tokens,
// the most-frequent-token baseline, next sentence) and the fine-tuning
// evaluation metrics. Panels whose series are all absent are left out.
var DefaultPanels = []Panel{
	{Title: "Loss", YLabel: "loss", Series: []string{
		"loss", "mlm_loss", "nsp_loss", "start_loss", "end_loss", "eval_loss", "eval_mlm_loss"}},
	{Title: "Learning rate", YLabel: "lr", Series: []string{"lr"}},
	{Title: "Held-out pretraining accuracy", YLabel: "accuracy", Series: []string{
		"eval_mlm_accuracy", "eval_baseline_accuracy", "eval_nsp_accuracy"}},
	{Title: "Fine-tuning evaluation", YLabel: "metric", Series: []string{
		"eval_accuracy", "eval_f1", "eval_f1_macro", "eval_mcc", "eval_precision", "eval_recall",
		"eval_exact_match", "eval_pearson", "eval_spearman"}},
}

// Curves draws the panels (DefaultPanels when none are given) that have at
// least one series in m, two panels a row when there are more than two. It
// fails when no panel has data.
func Curves(m *Metrics, panels ...Panel) (*Figure, error) {
	if len(panels) == 0 {
		panels = DefaultPanels
	}
	var plots []*plot.Plot
	for _, pn := range panels {
		p, err := panelPlot(m, pn)
		if err != nil {
			return nil, err
		}
		if p != nil {
			plots = append(plots, p)
		}
	}
	if len(plots) == 0 {
		return nil, fmt.Errorf("plot: %s has none of the series to plot (it has %v)", m.Source, m.Names())
	}
	cols := 1
	if len(plots) > 2 {
		cols = 2
	}
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range plots {
		grid[i/cols][i%cols] = p
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	width := 6 * Inch
	if cols == 2 {
		width = 11 * Inch
	}
	return &Figure{Width: width, Height: vg.Length(rows) * 3.4 * Inch, draw: func(c draw.Canvas) {
		canvases := plot.Align(grid, tiles, c)
		for j := range grid {
			for i, p := range grid[j] {
				if p != nil {
					p.Draw(canvases[j][i])
				}
			}
		}
	}}, nil
}

// panelPlot builds one panel, nil when m has none of its series.
func panelPlot(m *Metrics, pn Panel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = "step"
	p.Y.Label.Text = pn.YLabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	if pn.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	n := 0
	for _, name := range pn.Series {
		s := m.Series(name)
		if s == nil {
			continue
		}
		xy := make(plotter.XYs, 0, len(s.Steps))
		for i := range s.Steps {
			v := s.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) || (pn.LogY && v <= 0) {
				continue
			}
			xy = append(xy, plotter.XY{X: s.Steps[i], Y: v})
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", name, err)
		}
		l.Color = plotutil.Color(n)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
		if len(xy) <= 40 { // few points (evaluations): mark each one
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, fmt.Errorf("plot: %s: %w", name, err)
			}
			sc.Color = l.Color
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(2.5)
			p.Add(sc)
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return p, nil
}
