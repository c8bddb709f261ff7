// Runs ONNX models in onnxruntime-node and writes their outputs as JSON.
//
//   NODE_PATH=<dir>/node_modules node run_ort.js runs.json outputs.json
//
// runs.json is a list of runs, each {"model": "file.onnx", "feeds": {name:
// {"dims": [...], "data": [...]}}} with int64 feeds; outputs.json is the list
// of their outputs in the same order, {name: {"dims": [...], "data": [...]}}
// (float32 values as JSON numbers; a NaN or infinite output is an error). One process runs every model, so the
// runtime loads once.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [inPath, outPath] = process.argv.slice(2);
  const runs = JSON.parse(fs.readFileSync(inPath, 'utf8'));
  const sessions = new Map();
  const results = [];
  for (const run of runs) {
    let session = sessions.get(run.model);
    if (!session) {
      session = await ort.InferenceSession.create(run.model, {
        executionProviders: ['cpu'],
        intraOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      sessions.set(run.model, session);
    }
    const feeds = {};
    for (const [name, t] of Object.entries(run.feeds)) {
      feeds[name] = new ort.Tensor('int64', BigInt64Array.from(t.data, BigInt), t.dims);
    }
    const out = await session.run(feeds);
    const result = {};
    for (const name of session.outputNames) {
      const data = Array.from(out[name].data);
      // JSON has no NaN or Infinity (they would read back as null = 0).
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new Error(`${run.model}: output ${name}[${bad}] is ${data[bad]}`);
      }
      result[name] = { dims: Array.from(out[name].dims), data };
    }
    results.push(result);
  }
  fs.writeFileSync(outPath, JSON.stringify(results));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
