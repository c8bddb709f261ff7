// Package graph builds the BERT model for a configuration, a task and a fixed
// (batch, sequence) shape as one symbolic Gorgonia graph, binds it to shared
// weights, and runs it on a compiled machine.
//
// Params owns the weight tensors. Any number of graphs (a training graph,
// inference graphs for several sequence buckets) are built over the same
// Params and see each other's updates. Build returns a Net: the graph's input
// and output nodes, its loss and gradients when asked for, and Run/Output to
// execute it. Model wraps Params with a cache of inference Nets, one per
// shape, for callers that just want outputs.
package graph
