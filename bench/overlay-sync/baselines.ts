/**
 * The two baselines, against the same simulated cameras as camflow. Both write one overlay per request
 * (a `TextOverlay` PUT; the naive one is bench/lib/naive-digest.ts) and change every text every cycle, like camflow's {{counter}} templates.
 */
import { CameraHttpClient } from '@camflow/core';
import { NaiveDigestClient } from '../lib/naive-digest.ts';
import type { Contender } from './measure.ts';

const NS = 'http://www.hikvision.com/ver20/XMLSchema';
const CREDENTIALS = { username: 'admin', password: 'password' };

function overlayPath(id: number): string {
  return `/ISAPI/System/Video/inputs/channels/1/overlays/text/${id}`;
}

function overlayXml(id: number, text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<TextOverlay version="2.0" xmlns="${NS}"><id>${id}</id><displayText>${text}</displayText></TextOverlay>`;
}

function text(camera: number, overlay: number, cycle: number): string {
  return `Cam ${camera} #${cycle} line ${overlay}`;
}

/** One request after another; the digest nonce is cached (camflow's own HTTP layer), so 1 RTT each. */
export function sequential(ports: readonly number[], overlays: number): Contender {
  const clients = ports.map((port) => new CameraHttpClient({ origin: `http://127.0.0.1:${port}`, ...CREDENTIALS, timeoutMs: 10_000 }));
  let cycle = 0;
  return {
    async cycle() {
      cycle++;
      for (const [camera, client] of clients.entries()) {
        for (let id = 1; id <= overlays; id++) {
          const response = await client.request({ method: 'PUT', path: overlayPath(id), body: overlayXml(id, text(camera, id, cycle)) });
          if (response.status !== 200) throw new Error(`sequential: PUT answered ${response.status}`);
        }
      }
      return clients.length * overlays;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** Every overlay of every camera at once; each request is sent bare, challenged, and sent again signed. */
export function naiveConcurrent(ports: readonly number[], overlays: number): Contender {
  const clients = ports.map((port) => new NaiveDigestClient({ origin: `http://127.0.0.1:${port}`, ...CREDENTIALS }));
  let cycle = 0;
  return {
    async cycle() {
      cycle++;
      const work: Promise<void>[] = [];
      for (const [camera, client] of clients.entries()) {
        for (let id = 1; id <= overlays; id++) {
          const body = overlayXml(id, text(camera, id, cycle));
          work.push(
            client.request({ method: 'PUT', path: overlayPath(id), body, headers: { 'content-type': 'application/xml' } }).then((response) => {
              if (response.status !== 200) throw new Error(`naive: PUT answered ${response.status}`);
            }),
          );
        }
      }
      await Promise.all(work);
      return work.length;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
