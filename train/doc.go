// Package train runs BERT training: Stepper is the training-step API (build
// the loss graph for a batch shape over shared weights, forward + backward,
// gradient accumulation over micro-batches, global-norm clipping, an
// optimizer step), and the trainers for pretraining and fine-tuning drive it.
//
// Gradients come from Gorgonia's symbolic differentiation of the same graph
// that serves inference; the optimizer (package optim) updates the weight
// tensors in place, so every graph over the same Params sees the new values.
package train
