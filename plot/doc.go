// Package plot draws the pictures a person looks at while training and
// studying BERT models: training curves from the JSON Lines metrics that
// train.Pretrain and train.Finetune write, attention heat maps with the
// tokens on both axes, and confusion matrices.
//
// ReadMetrics parses a metrics.jsonl into named series (every numeric field
// against "step"); Curves lays them out in panels (losses, learning rate,
// evaluation metrics) and returns a Figure. HeatMap, Attention and Confusion
// return Figures too. A Figure renders to PNG or SVG bytes (for a notebook's
// display) or to a file whose extension names the format.
//
// The drawing is done by gonum.org/v1/plot; this package only chooses what
// goes in which panel and how it is labelled.
package plot
