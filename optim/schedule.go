package optim

import "math"

// Schedule gives the learning rate for an optimizer step from the number of
// completed steps k (0 for the first step), like torch's LambdaLR evaluated
// at last_epoch = k: the trainer calls opt.Step(sched(k)) for k = 0, 1, ...
// The HF constructors below reproduce transformers' lr_lambda functions
// (optimization.py) and LambdaLR's base_lr * lambda(k) bit for bit in
// float64.
type Schedule func(step int) float64

// Constant is transformers.get_constant_schedule: lr at every step.
func Constant(lr float64) Schedule {
	return func(int) float64 { return lr }
}

// ConstantWithWarmup is transformers.get_constant_schedule_with_warmup:
// lr * k / warmup for k < warmup, then lr.
func ConstantWithWarmup(lr float64, warmup int) Schedule {
	return func(k int) float64 {
		if k < warmup {
			return lr * (float64(k) / math.Max(1, float64(warmup)))
		}
		return lr * 1.0
	}
}

// LinearWarmupDecay is transformers.get_linear_schedule_with_warmup:
// lr * k / warmup for k < warmup, else lr * max(0, (total-k)/(total-warmup)).
// Step 0 therefore runs with lr = 0 when warmup > 0 (it still advances
// Adam's step count and moments), the peak lr is used at k = warmup, and
// the last step (k = total-1) uses lr / (total - warmup).
func LinearWarmupDecay(lr float64, warmup, total int) Schedule {
	return func(k int) float64 {
		if k < warmup {
			return lr * (float64(k) / float64(max(1, warmup)))
		}
		return lr * math.Max(0, float64(total-k)/float64(max(1, total-warmup)))
	}
}

// CosineWarmup is transformers.get_cosine_schedule_with_warmup with its
// default num_cycles = 0.5: linear warmup as LinearWarmupDecay, then
// lr * max(0, 0.5 * (1 + cos(pi * 2 * 0.5 * progress))) with
// progress = (k - warmup) / max(1, total - warmup).
func CosineWarmup(lr float64, warmup, total int) Schedule {
	return CosineWarmupCycles(lr, warmup, total, 0.5)
}

// CosineWarmupCycles is get_cosine_schedule_with_warmup with an explicit
// num_cycles (0.5 = one half-cosine from lr down to 0).
func CosineWarmupCycles(lr float64, warmup, total int, cycles float64) Schedule {
	return func(k int) float64 {
		if k < warmup {
			return lr * (float64(k) / float64(max(1, warmup)))
		}
		progress := float64(k-warmup) / float64(max(1, total-warmup))
		return lr * math.Max(0, 0.5*(1.0+math.Cos(math.Pi*cycles*2.0*progress)))
	}
}

// TFBERTWarmupDecay is the schedule of google-research/bert
// optimization.create_optimizer: tf.train.polynomial_decay(lr, k, total,
// end_learning_rate=0, power=1) = lr * (1 - min(k, total)/total), replaced
// by the warmup ramp lr * k / warmup while k < warmup. Unlike
// LinearWarmupDecay the decay is measured from step 0, not from the end of
// warmup.
func TFBERTWarmupDecay(lr float64, warmup, total int) Schedule {
	return func(k int) float64 {
		if warmup > 0 && k < warmup {
			return lr * (float64(k) / float64(warmup))
		}
		if total <= 0 {
			return 0
		}
		return lr * (1 - float64(min(k, total))/float64(total))
	}
}
