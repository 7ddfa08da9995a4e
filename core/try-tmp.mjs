import { DetectionService, detectConfig } from '/work/h-detect/core/dist/index.js';
import { readFileSync } from 'node:fs';
const s = new DetectionService({ config: detectConfig.parse({ threads: 1 }), dataDir: '/tmp/detect-pk/d', mediaDir: '/tmp/detect-pk/m' });
await s.detector.enroll('Vladimir', ['face-a-1.jpg','face-a-2.jpg'].map(n => ({ name: n, jpeg: readFileSync('../test/fixtures/detect/' + n) })));
const d = await s.detect('cam', 'x', [{ jpeg: readFileSync('../test/fixtures/detect/people.jpg'), at: new Date() }]);
const e = await s.detect('cam', 'y', [{ jpeg: readFileSync('../test/fixtures/detect/face-a-dinner.jpg'), at: new Date() }]);
console.log(d, e);
await s.close();
