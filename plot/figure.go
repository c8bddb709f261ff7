package plot

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default figure sizes.
const (
	Inch = vg.Inch
	// PNGDPI is the resolution of PNG output.
	PNGDPI = 96
)

// Figure is a picture of one or more plots with a preferred size.
type Figure struct {
	// Width and Height are the size the figure is rendered at by PNG, SVG
	// and Save. They can be changed before rendering.
	Width, Height vg.Length
	draw          func(draw.Canvas)
}

// Draw draws the figure on a canvas of any size.
func (f *Figure) Draw(c draw.Canvas) { f.draw(c) }

// WriteTo renders the figure in a format: "png" or "svg".
func (f *Figure) WriteTo(w io.Writer, format string) error {
	switch strings.ToLower(format) {
	case "png":
		c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(PNGDPI))
		f.draw(draw.New(c))
		_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return err
	case "svg":
		c := vgsvg.New(f.Width, f.Height)
		f.draw(draw.New(c))
		_, err := c.WriteTo(w)
		return err
	}
	return fmt.Errorf("plot: unknown image format %q (want png or svg)", format)
}

// PNG renders the figure as PNG bytes (what gonbui.DisplayPNG shows).
func (f *Figure) PNG() ([]byte, error) {
	var b bytes.Buffer
	err := f.WriteTo(&b, "png")
	return b.Bytes(), err
}

// SVG renders the figure as an SVG document (what gonbui.DisplaySVG shows).
func (f *Figure) SVG() (string, error) {
	var b bytes.Buffer
	err := f.WriteTo(&b, "svg")
	return b.String(), err
}

// Save writes the figure to a file; the extension (.png or .svg) names the
// format.
func (f *Figure) Save(path string) (err error) {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if format != "png" && format != "svg" {
		return fmt.Errorf("plot: %s: the extension must name the image format: .png or .svg", path)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.WriteTo(out, format); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
