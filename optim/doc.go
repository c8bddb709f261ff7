// Package optim owns the training-side numerics of gorbert that do not need
// a graph: the optimizer update, learning-rate schedules, global-norm
// gradient clipping, gradient-accumulation helpers and the optimizer's
// checkpointable state. It works in plain Go on the float32 backing slices
// of the model's weight tensors and gradient accumulators (Param), because
// Gorgonia's solvers are unusable for BERT (its AdamW never updates the
// weights; WithClip clamps elements instead of the global norm).
//
// Main types and functions:
//
//   - Param: a named (Value, Grad) pair of live float32 slices.
//   - Optimizer: the interface the trainer drives, once per optimizer step:
//     ZeroGrads → accumulate micro-batch gradients → ClipGradNorm →
//     Step(schedule(StepCount())).
//   - AdamW (NewAdamW, AdamWConfig): with BiasCorrection it is
//     torch.optim.AdamW (torch 2.11, foreach=False), reproduced op by op in
//     float32; without it, the original google-research/bert
//     AdamWeightDecayOptimizer (no bias correction, update += wd*p).
//   - SGD (NewSGD, SGDConfig): torch.optim.SGD with momentum, dampening,
//     Nesterov and coupled weight decay.
//   - DecayGroup / TFBERTDecayGroup / DecayAll: which parameter names get
//     weight decay (HF convention by default: not biases, not LayerNorm).
//   - Schedule with Constant, ConstantWithWarmup, LinearWarmupDecay,
//     CosineWarmup (the transformers schedules, evaluated at the number of
//     completed steps) and TFBERTWarmupDecay.
//   - ClipGradNorm / GradNorm: torch.nn.utils.clip_grad_norm_.
//   - ZeroGrads / ScaleGrads: gradient-accumulation bookkeeping.
//   - SaveState / LoadState (and StateTensors / LoadStateTensors): the full
//     optimizer state as a safetensors file (exp_avg.<param>,
//     exp_avg_sq.<param> or momentum_buffer.<param>; step count,
//     hyper-parameters and decay groups in the metadata), restored bit for
//     bit.
//
// Step, ClipGradNorm, ZeroGrads and ScaleGrads allocate nothing: all state
// is allocated at construction.
//
// What it does not do: it computes no gradients (the graph does), does not
// own the weights or decide which tensors are trainable or tied (the caller
// passes each tensor once, a tied decoder weight under its canonical
// embedding name), does not skip steps on overflow or do mixed precision,
// and does not save the model weights (checkpoint does). AdamW.Step can split
// its elements among AdamWConfig.Workers goroutines (bit-identical to one);
// SGD.Step and ClipGradNorm run on the calling goroutine.
package optim
