// node hot.mjs PROFILE_DIR [N] [FUNCTION_REGEX]
// The newest .cpuprofile in PROFILE_DIR: the N functions with the most self time, or,
// with FUNCTION_REGEX, the callers (two frames up) of the functions it matches.
import fs from 'node:fs';
import path from 'node:path';

const [dir, n = '30', pattern] = process.argv.slice(2);
const file = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => path.join(dir, f))
  .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const self = new Map();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? 0)));
const name = (id) => byId.get(id).callFrame.functionName || '(anonymous)';
const total = [...self.values()].reduce((a, b) => a + b, 0);
const sums = new Map();
for (const [id, t] of self) {
  let key = name(id);
  if (pattern) {
    if (!new RegExp(pattern).test(key)) continue;
    const up = [];
    for (let q = parent.get(id), k = 0; q !== undefined && k < 2; q = parent.get(q), k++) up.push(name(q));
    key = up.join(' <- ');
  }
  sums.set(key, (sums.get(key) ?? 0) + t);
}
for (const [k, t] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${(t / 1000).toFixed(0).padStart(6)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k.slice(0, 160)}`);
}
