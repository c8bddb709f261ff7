package plot

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatMapOptions label and scale a heat map.
type HeatMapOptions struct {
	Title, XLabel, YLabel string
	// Min and Max fix the colour scale; both zero: the data's range.
	Min, Max float64
	// Annotate writes each cell's value in it, with Format ("%.2f" when
	// empty). Text is the cell text instead, when non-nil (same shape as z).
	Annotate bool
	Format   string
	Text     [][]string
	// ColorMap is the colour scale; nil: Kindlmann's (dark to light, even
	// lightness steps, readable in grey).
	ColorMap palette.ColorMap
	// Cell is the side of a cell in the rendered figure; 0: 0.32 inch.
	Cell vg.Length
}

// HeatMap draws z (rows × columns) as coloured cells, row 0 at the top, with
// rows and cols as tick labels (the column labels written vertically), and
// a colour bar on the right.
func HeatMap(z [][]float64, rows, cols []string, o HeatMapOptions) (*Figure, error) {
	if len(z) == 0 || len(z[0]) == 0 {
		return nil, fmt.Errorf("plot: empty heat map")
	}
	for i, r := range z {
		if len(r) != len(z[0]) {
			return nil, fmt.Errorf("plot: heat map row %d has %d values, row 0 has %d", i, len(r), len(z[0]))
		}
	}
	if len(rows) != len(z) || len(cols) != len(z[0]) {
		return nil, fmt.Errorf("plot: heat map of %d×%d values with %d row and %d column labels",
			len(z), len(z[0]), len(rows), len(cols))
	}
	if o.Text != nil && (len(o.Text) != len(z) || len(o.Text[0]) != len(z[0])) {
		return nil, fmt.Errorf("plot: heat map text is not %d×%d", len(z), len(z[0]))
	}
	g := grid(z)
	lo, hi := o.Min, o.Max
	if lo == 0 && hi == 0 {
		lo, hi = g.Min(), g.Max()
	}
	if !(lo < hi) { // one value everywhere (or all NaN): any non-empty range
		if math.IsNaN(lo) || math.IsInf(lo, 0) {
			lo = 0
		}
		hi = lo + 1
	}
	cm := o.ColorMap
	if cm == nil {
		cm = moreland.Kindlmann()
	}
	cm.SetMin(lo)
	cm.SetMax(hi)
	pal := cm.Palette(255)

	p := plot.New()
	p.Title.Text = o.Title
	p.X.Label.Text = o.XLabel
	p.Y.Label.Text = o.YLabel
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = lo, hi
	hm.Underflow, hm.Overflow = pal.Colors()[0], pal.Colors()[len(pal.Colors())-1]
	hm.NaN = color.Gray{Y: 200}
	p.Add(hm)
	if o.Annotate || o.Text != nil {
		format := o.Format
		if format == "" {
			format = "%.2f"
		}
		p.Add(&cellText{g: g, text: o.Text, format: format, cm: cm})
	}
	xt := make([]plot.Tick, len(cols))
	for i, c := range cols {
		xt[i] = plot.Tick{Value: float64(i), Label: c}
	}
	yt := make([]plot.Tick, len(rows))
	for i, r := range rows {
		yt[i] = plot.Tick{Value: g.Y(len(rows) - 1 - i), Label: r}
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Padding, p.Y.Padding = 0, 0

	bar := plot.New()
	bar.HideX()
	bar.Y.Padding = 0
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})

	// Cells are about 0.3 inch, within sensible limits.
	cell := o.Cell
	if cell <= 0 {
		cell = vg.Length(0.32) * Inch
	}
	w := max(4*Inch, min(12*Inch, cell*vg.Length(len(cols))+2.8*Inch))
	h := max(3*Inch, min(12*Inch, cell*vg.Length(len(rows))+2*Inch))
	return &Figure{Width: w, Height: h, draw: func(c draw.Canvas) {
		barW := vg.Length(0.9) * Inch
		p.Draw(draw.Crop(c, 0, -barW, 0, 0))
		// The bar spans the heat map's data area, roughly: below it the
		// rotated column labels take the space.
		dc := p.DataCanvas(draw.Crop(c, 0, -barW, 0, 0))
		bc := draw.Crop(c, c.Size().X-barW+vg.Millimeter*3, -vg.Millimeter*3, dc.Min.Y-c.Min.Y, dc.Max.Y-c.Max.Y)
		bar.Draw(bc)
	}}, nil
}

// Attention draws one head's attention probabilities (queries × keys, as a
// row of graph's attentions.i output) with the tokens on both axes, on a
// fixed 0..1 colour scale.
func Attention(weights [][]float64, tokens []string, title string) (*Figure, error) {
	return HeatMap(weights, tokens, tokens, HeatMapOptions{
		Title: title, XLabel: "key (attended to)", YLabel: "query", Min: 0, Max: 1,
	})
}

// ConfusionMatrix counts (gold, predicted) pairs: m[g][p] is how many
// examples of class g were predicted as class p, for classes 0..classes-1.
func ConfusionMatrix(gold, pred []int, classes int) ([][]int, error) {
	if len(gold) != len(pred) {
		return nil, fmt.Errorf("plot: %d gold labels and %d predictions", len(gold), len(pred))
	}
	m := make([][]int, classes)
	for i := range m {
		m[i] = make([]int, classes)
	}
	for i := range gold {
		g, p := gold[i], pred[i]
		if g < 0 || g >= classes || p < 0 || p >= classes {
			return nil, fmt.Errorf("plot: example %d: label %d or prediction %d outside 0..%d", i, g, p, classes-1)
		}
		m[g][p]++
	}
	return m, nil
}

// Confusion draws a confusion matrix (rows: gold class, columns: predicted
// class, as ConfusionMatrix counts them). Each cell shows its count and is
// coloured by the fraction of its row, so classes of different sizes read
// alike; the title gains the accuracy.
func Confusion(counts [][]int, labels []string, title string) (*Figure, error) {
	if len(counts) != len(labels) {
		return nil, fmt.Errorf("plot: %d×%d confusion matrix with %d labels", len(counts), len(counts), len(labels))
	}
	frac := make([][]float64, len(counts))
	text := make([][]string, len(counts))
	var right, total int
	for i, row := range counts {
		if len(row) != len(counts) {
			return nil, fmt.Errorf("plot: confusion matrix row %d has %d cells, want %d", i, len(row), len(counts))
		}
		sum := 0
		for _, v := range row {
			sum += v
		}
		frac[i] = make([]float64, len(row))
		text[i] = make([]string, len(row))
		for j, v := range row {
			if sum > 0 {
				frac[i][j] = float64(v) / float64(sum)
			}
			text[i][j] = fmt.Sprint(v)
		}
		right += row[i]
		total += sum
	}
	if total > 0 {
		title = fmt.Sprintf("%s (accuracy %.1f%% of %d)", title, 100*float64(right)/float64(total), total)
	}
	return HeatMap(frac, labels, labels, HeatMapOptions{
		Title: title, XLabel: "predicted", YLabel: "gold", Min: 0, Max: 1, Text: text,
		ColorMap: blues(), Cell: Inch,
	})
}

// blues is a white-to-dark-blue scale (ColorBrewer's Blues end points).
func blues() palette.ColorMap {
	// NewLuminance wants the control colours dark to light.
	cm, err := moreland.NewLuminance([]color.Color{
		color.NRGBA{R: 8, G: 48, B: 107, A: 255}, color.NRGBA{R: 247, G: 251, B: 255, A: 255}})
	if err != nil {
		panic(err) // fixed, valid control colours
	}
	return palette.Reverse(cm)
}

// grid is z as a plotter.GridXYZ: column c at x = c, row r at y = rows-1-r,
// so that row 0 is drawn at the top.
type grid [][]float64

func (g grid) Dims() (c, r int)   { return len(g[0]), len(g) }
func (g grid) Z(c, r int) float64 { return g[len(g)-1-r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

func (g grid) Min() float64 {
	m := math.Inf(1)
	for _, row := range g {
		for _, v := range row {
			if !math.IsNaN(v) {
				m = math.Min(m, v)
			}
		}
	}
	return m
}

func (g grid) Max() float64 {
	m := math.Inf(-1)
	for _, row := range g {
		for _, v := range row {
			if !math.IsNaN(v) {
				m = math.Max(m, v)
			}
		}
	}
	return m
}

// cellText writes a value (or given text) in each heat-map cell, black on
// light colours and white on dark ones.
type cellText struct {
	g      grid
	text   [][]string
	format string
	cm     palette.ColorMap
}

func (t *cellText) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := p.X.Tick.Label
	sty.Rotation = 0
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for i, row := range t.g {
		for j, v := range row {
			s := fmt.Sprintf(t.format, v)
			if t.text != nil {
				s = t.text[i][j]
			}
			sty.Color = color.Black
			if col, err := t.cm.At(math.Max(t.cm.Min(), math.Min(t.cm.Max(), v))); err == nil && luminance(col) < 0.45 {
				sty.Color = color.White
			}
			c.FillText(sty, vg.Point{X: tx(float64(j)), Y: ty(t.g.Y(len(t.g) - 1 - i))}, s)
		}
	}
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}
