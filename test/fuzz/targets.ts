/**
 * Fuzz targets shared by the seeded test run (test/fuzz) and the long run (bench/fuzz): every parser
 * that reads bytes from a camera, a broker or a user. Each target is a fast-check arbitrary (random
 * bytes, mutated real seeds, grammar-shaped text) and a property: the parser either answers or throws
 * its documented error class, never anything else; where a codec has both directions, what it decodes
 * it encodes back to the same meaning. No relative imports: bench/fuzz loads this file directly.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  CamflowError,
  ConfigError,
  decodeArtemisFrame,
  decodeMediaRecord,
  decodeMessage,
  decryptCommand,
  encodeMessage,
  encryptCommand,
  MultipartReader,
  parseConfig,
  parseEventXml,
  parseWwwAuthenticate,
  pickChallenge,
  ProtocolError,
} from '@camflow/core';
import { parseXml, serializeXml } from '@camflow/core/cameras/hikvision/xml';
import { type CommandTarget, parseCommand } from 'camflow-mqtt-bridge';

export interface FuzzTarget {
  name: string;
  /** Generates one input. */
  arbitrary: fc.Arbitrary<unknown>;
  /** Throws when the parser broke its contract on the input. */
  check: (input: unknown) => void;
}

function target<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => void): FuzzTarget {
  return { name, arbitrary: arbitrary as fc.Arbitrary<unknown>, check: check as (input: unknown) => void };
}

function allowOnly(error: unknown, ...classes: (abstract new (...args: never[]) => Error)[]): void {
  if (classes.some((c) => error instanceof c)) return;
  throw new Error(`unexpected ${(error as Error)?.constructor?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Replaces, inserts or deletes a few characters of a seed: real documents, slightly broken. */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6, unit: 'binary' })), { maxLength: 6 }))
    .map(([seed, edits]) => {
      let text = seed;
      for (const [at, remove, insert] of edits) {
        const i = text.length === 0 ? 0 : at % text.length;
        text = text.slice(0, i) + insert + text.slice(i + remove);
      }
      return text;
    });
}

const XML_SEEDS = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><deviceName>IP CAMERA</deviceName><model>DS-2CD2143G2-I</model><serialNumber>DS-2CD2143G2-I20230601AAWRJ00000001</serialNumber></DeviceInfo>',
  '<TextOverlayList version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><TextOverlay><id>1</id><enabled>true</enabled><positionX>16</positionX><positionY>528</positionY><displayText>Front &amp; back</displayText></TextOverlay></TextOverlayList>',
  '<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><ipAddress>192.0.2.64</ipAddress><channelID>1</channelID><dateTime>2026-12-05T04:09:50+01:00</dateTime><eventType>VMD</eventType><eventState>active</eventState><eventDescription>Motion alarm</eventDescription></EventNotificationAlert>',
  '<ResponseStatus version="1.0" xmlns="urn:psialliance-org"><requestURL>/ISAPI/x</requestURL><statusCode>4</statusCode><statusString>Invalid Operation</statusString><subStatusCode>notSupport</subStatusCode></ResponseStatus>',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&amp;&#x41;&#65;</x>',
];

const xmlText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutated(XML_SEEDS), fc.constantFrom(...XML_SEEDS));

const isapiXml = target('isapi-xml', xmlText, (text) => {
    let root;
    try {
      root = parseXml(text);
    } catch (error) {
      allowOnly(error, ProtocolError);
      return;
    }
    // What we read we can write, and writing is stable: read-modify-write never corrupts a document.
    const once = serializeXml(root);
    const twice = serializeXml(parseXml(once));
    if (once !== twice) throw new Error('serialise(parse(serialise(x))) differs from serialise(x)');
    try {
      parseEventXml(text);
    } catch (error) {
      allowOnly(error, CamflowError);
    }
  });

function multipartStream(parts: readonly string[], boundary: string): Buffer {
  return Buffer.from(parts.map((body) => `--${boundary}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}\r\n`).join(''));
}

const multipart = target('multipart', 
    fc.tuple(
      fc.array(fc.oneof(fc.constantFrom(...XML_SEEDS), fc.string({ maxLength: 200 })), { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.boolean(),
    ),
    ([bodies, cuts, garbage, corrupt]) => {
      const whole = multipartStream(bodies, 'boundary');
      const stream = corrupt ? Buffer.concat([Buffer.from(garbage), whole, Buffer.from(garbage)]) : whole;
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const reader = new MultipartReader();
      const got: string[] = [];
      try {
        let last = 0;
        for (const point of [...points, stream.length]) {
          for (const part of reader.push(stream.subarray(last, point))) got.push(part.body.toString());
          last = point;
        }
      } catch (error) {
        allowOnly(error, ProtocolError);
        return;
      }
      // However the stream is cut into chunks, a clean stream yields exactly its parts.
      if (!corrupt && JSON.stringify(got) !== JSON.stringify(bodies)) throw new Error(`parts differ: ${JSON.stringify(got)} vs ${JSON.stringify(bodies)}`);
    },
  );

interface PacketFixture {
  hex: string;
}
const PACKETS = readFileSync(new URL('../fixtures/trailcam/packets.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => Buffer.from((JSON.parse(line) as PacketFixture).hex, 'hex'));

const packetBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.constantFrom(...PACKETS), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([packet, at, byte]) => {
    const copy = Buffer.from(packet);
    if (copy.length > 0) copy[at % copy.length] = byte;
    return copy;
  }),
  fc.constantFrom(...PACKETS),
);

const pppp = target('pppp', packetBytes, (bytes) => {
    let message;
    try {
      message = decodeMessage(bytes);
    } catch (error) {
      allowOnly(error, ProtocolError);
      return;
    }
    const again = decodeMessage(encodeMessage(message));
    if (JSON.stringify(again) !== JSON.stringify(message)) throw new Error(`PPPP round trip changed ${JSON.stringify(message)} into ${JSON.stringify(again)}`);
  });

const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), { maxKeys: 6 });

const artemis = target('artemis', fc.tuple(packetBytes, jsonObject), ([bytes, json]) => {
    for (const decode of [decodeArtemisFrame, decryptCommand, decodeMediaRecord] as ((b: Buffer) => unknown)[]) {
      try {
        decode(bytes);
      } catch (error) {
        allowOnly(error, CamflowError);
      }
    }
    const back = decryptCommand(encryptCommand(json));
    if (JSON.stringify(back) !== JSON.stringify(json)) throw new Error(`ARTEMIS command round trip changed ${JSON.stringify(json)} into ${JSON.stringify(back)}`);
  });

const CHALLENGE_SEEDS = [
  'Digest realm="IP Camera(C4821)", nonce="4e5468694e7a6b354e7a413650673d3d", qop="auth,auth-int", opaque="", stale="FALSE"',
  'Digest realm="cam", nonce="a", algorithm=SHA-256, qop="auth-int", Digest realm="cam", nonce="b", algorithm=MD5, qop="auth"',
  'Basic realm="DS-2CD"',
  'Digest realm="x\\"y", domain="::", nonce=abc, algorithm=MD5-sess',
];

const digest = target('digest-challenge', fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutated(CHALLENGE_SEEDS)), (header) => {
    const challenges = parseWwwAuthenticate(header);
    pickChallenge(challenges);
    for (const challenge of challenges) if (typeof challenge.scheme !== 'string' || challenge.scheme === '') throw new Error('a challenge without a scheme');
  });

const TARGETS = new Map<string, CommandTarget>([['cam0', { accepts: new Set(['snapshot', 'record', 'overlay_text', 'overlay_sync'] as const), overlays: new Map([[2, 44]]) }]]);

const mqttCommands = target('mqtt-commands', 
    fc.tuple(
      fc.oneof(fc.constantFrom('camflow/cam0/overlay/2/set', 'camflow/cam0/record/press', 'camflow/cam0/snapshot/press', 'camflow/cam0/overlay_sync/set', 'camflow/bridge/x'), fc.string({ maxLength: 40 })),
      fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.string({ maxLength: 100 }).map((s) => Buffer.from(s))),
    ),
    ([topic, payload]) => {
      const parsed = parseCommand('camflow', topic, payload, TARGETS);
      if (parsed.ok !== true && typeof parsed.error !== 'string') throw new Error('a refusal without a reason');
    },
  );

const CONFIG_SEEDS = [
  'cameras:\n  - id: gate\n    type: hikvision\n    host: 192.0.2.10\n    username: admin\n    password: ${GATE_PASSWORD:-x}\n    overlays:\n      - id: 1\n        text: "{{counter}} {{now:HH:mm|Europe/Berlin}} {{value.t:0.1}}"\n',
  'mqtt:\n  url: mqtt://u:p@broker.lan:1883\n  base_topic: camflow\npipeline:\n  engine: redis\n  concurrency: { download: 2 }\n',
  'cameras:\n  - id: trail\n    type: p2p\n    did: LBCS-000000-CCCJJ\n    password: x\n    servers: ["203.0.113.5:32100"]\n',
];

const configLoading = target('config', fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutated(CONFIG_SEEDS)), (text) => {
    try {
      parseConfig(text, { env: {} });
    } catch (error) {
      allowOnly(error, ConfigError);
    }
  });

export const fuzzTargets: readonly FuzzTarget[] = [isapiXml, multipart, pppp, artemis, digest, mqttCommands, configLoading];
