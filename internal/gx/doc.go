// Package gx is the only package that calls Gorgonia's ops. It offers the
// safe subset the model needs, plus the project's own ops where Gorgonia's are
// broken or missing (see ../shared/notes/gorgonia.md):
//
//   - Linear (x·Wᵀ + b with HuggingFace's [out, in] weights), fused LayerNorm
//     (Gorgonia's InverseSqrt gradient is wrong), GELU in its exact erf form
//     (Gorgonia has no Erf) and tanh form, ReLU;
//   - attention products that read heads straight out of the (B·S, H) layout
//     (no transposes, no copies) and a masked softmax with a correct kernel
//     and hash (Gorgonia's softmax is unstable and collides with LogSoftMax);
//   - row gathers with the padding_idx rule and a scatter-add gradient
//     (ByIndices is right only in some cases);
//   - a numerically stable softmax cross-entropy with ignored targets;
//   - dropout as a product with a mask input filled by the caller from a
//     seeded RNG (Gorgonia's Dropout gradient is wrong).
//
// Every op has a finite-difference gradient test (internal/gradcheck).
// Graphs are built through a Builder that carries a sticky error, so model
// code reads top to bottom and is checked once at the end.
package gx
