/**
 * The two baselines, against the same simulated cameras as camflow. Both write one overlay per request
 * (a `TextOverlay` PUT) and change every text every cycle, like camflow's {{counter}} templates.
 */
import { Agent, request } from 'undici';
import { buildDigestAuthorization, CameraHttpClient, entryFromChallenge, parseWwwAuthenticate, pickChallenge } from '@camflow/core';
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
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  let cycle = 0;
  const put = async (port: number, id: number, body: string): Promise<void> => {
    const url = `http://127.0.0.1:${port}${overlayPath(id)}`;
    const headers = { 'content-type': 'application/xml' };
    const first = await request(url, { method: 'PUT', body, headers, dispatcher: agent });
    await first.body.dump();
    const challenge = pickChallenge(parseWwwAuthenticate(first.headers['www-authenticate']));
    if (first.statusCode !== 401 || challenge === undefined) throw new Error(`naive: expected a challenge, got ${first.statusCode}`);
    const entry = entryFromChallenge(challenge, CREDENTIALS);
    const authorization = buildDigestAuthorization(entry, CREDENTIALS, { method: 'PUT', uri: overlayPath(id) });
    const second = await request(url, { method: 'PUT', body, headers: { ...headers, authorization }, dispatcher: agent });
    await second.body.dump();
    if (second.statusCode !== 200) throw new Error(`naive: signed PUT answered ${second.statusCode}`);
  };
  return {
    async cycle() {
      cycle++;
      const work: Promise<void>[] = [];
      for (const [camera, port] of ports.entries()) {
        for (let id = 1; id <= overlays; id++) work.push(put(port, id, overlayXml(id, text(camera, id, cycle))));
      }
      await Promise.all(work);
      return work.length;
    },
    async close() {
      await agent.close();
    },
  };
}
