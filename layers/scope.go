package layers

import (
	"math"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/internal/gx"
)

// Scope hands a layer its weight nodes by HuggingFace name relative to the
// layer's prefix, e.g. Scope "bert.encoder.layer.3." + "attention.self.query.weight".
type Scope struct {
	prefix string
	lookup func(name string) *gx.Node
}

// NewScope makes the root scope over a lookup of full parameter names.
func NewScope(lookup func(name string) *gx.Node) Scope { return Scope{lookup: lookup} }

// Sub is the scope of a child module.
func (s Scope) Sub(name string) Scope { return Scope{prefix: s.prefix + name + ".", lookup: s.lookup} }

// Get returns the weight node of a parameter of this module.
func (s Scope) Get(name string) *gx.Node { return s.lookup(s.prefix + name) }

// Context is what every layer builder needs besides its weights.
type Context struct {
	B      *gx.Builder
	Config gorbert.Config
	Batch  int // B
	Seq    int // S
	// Train turns dropout on (masks become graph inputs filled per step).
	Train bool
}

// Dropout applies p-dropout when training and is the identity otherwise.
func (c Context) Dropout(x *gx.Node, p float64) *gx.Node {
	if !c.Train || p == 0 {
		return x
	}
	return c.B.Dropout(x, p)
}

// Dense is nn.Linear: x·Wᵀ + b with the module's weight and bias.
func Dense(c Context, s Scope, x *gx.Node) *gx.Node {
	return c.B.Linear(x, s.Get("weight"), s.Get("bias"))
}

// LayerNorm is nn.LayerNorm with the config's epsilon.
func LayerNorm(c Context, s Scope, x *gx.Node) *gx.Node {
	return c.B.LayerNorm(x, s.Get("weight"), s.Get("bias"), c.Config.LayerNormEps)
}

// scale is 1/√D, the attention logits' scaling.
func scale(c gorbert.Config) float64 { return 1 / math.Sqrt(float64(c.HeadDim())) }
