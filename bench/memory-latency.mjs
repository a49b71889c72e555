// What one cache miss to memory costs on this machine: a dependent pointer chase through a random cycle in arrays of
// growing size (`node bench/memory-latency.mjs`). Quoted in docs/PERFORMANCE.md ("Why rows 3 and 7 stay missed").
const steps = 2_000_000;
for (const mb of [1, 4, 16, 64, 256]) {
  const n = (mb * 1024 * 1024) / 4;
  const next = new Uint32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  // Sattolo's shuffle: one cycle through every slot, so each load depends on the one before.
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * i);
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  let p = 0;
  const t0 = process.hrtime.bigint();
  for (let s = 0; s < steps; s++) p = next[p];
  const ns = Number(process.hrtime.bigint() - t0) / steps;
  console.log(`${String(mb).padStart(4)} MB: ${ns.toFixed(1)} ns per dependent load${p < 0 ? '' : ''}`);
}
