import { HumanDetector } from '/work/h-detect/core/dist/detect/human.js';
import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
const d = new HumanDetector();
await d.load();
const embs = [];
for (const f of process.argv.slice(2)) {
  const img = jpeg.decode(readFileSync(f), { useTArray: true, formatAsRGBA: false });
  const r = await d.detect({ width: img.width, height: img.height, data: img.data }, { objects: true, faces: true });
  console.log(f, JSON.stringify(r.objects.map(o=>[o.label,+o.score.toFixed(2)]))); r.faces.forEach((fc, i) => embs.push({ name: f.split('/').pop() + '#' + i, e: fc.embedding, size: Math.round(fc.box[2]) }));
}



