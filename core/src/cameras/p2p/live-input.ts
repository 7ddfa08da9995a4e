/**
 * A TrailCam's live video as an ffmpeg input. The camera sends H.264 access units in live records over
 * the P2P session (cmdId 258 starts them, 259 stops them); camflow serves them on a loopback TCP port
 * that ffmpeg reads as a raw H.264 stream, stamped with their arrival time (the records carry no
 * timestamps ffmpeg could use). The camera streams only while someone reads: 258 goes out when the
 * first ffmpeg connects, 259 when the last one leaves, so a battery camera is not kept streaming for
 * nobody, and two viewers share one stream (a second 258, or one viewer's 259, would disturb the other).
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { AuthError, ConnectionError, ensureError, isAbortError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { LiveVideo } from '../live-video.js';
import type { CallOptions } from '../hikvision/types.js';
import type { MediaRecord } from './artemis-codec.js';
import type { TrailCamClient } from './client.js';

/** No record for this long: the camera stopped sending (the session dropped, it went to sleep). */
const SILENCE_MS = 10_000;

export interface P2pLiveOptions {
  client: TrailCamClient;
  /** Connects the session when it is not (the camera's own rule: join a connect under way, race again after a drop). */
  connect: (o: CallOptions) => Promise<void>;
  /** `camera <id>`, for messages. */
  what: string;
  logger?: Logger;
}

export async function p2pLiveVideo(o: P2pLiveOptions, call: CallOptions = {}): Promise<LiveVideo> {
  // Connect first, so an unreachable camera is an error now, not a stream that never starts.
  try {
    await o.connect(call);
  } catch (error) {
    const e = ensureError(error);
    if (isAbortError(e)) throw e;
    throw new (e instanceof AuthError ? AuthError : ConnectionError)(`${o.what}: no live video: ${e.message}`, { cause: e });
  }
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const stopping = new AbortController();
  let endedOnItsOwn!: () => void;
  const ended = new Promise<void>((resolve) => (endedOnItsOwn = resolve));
  let serving = false;
  server.on('connection', (socket) => {
    // One reader: ffmpeg. Anything else on the port is turned away.
    if (serving) return void socket.destroy();
    serving = true;
    void serve(o, socket, stopping.signal).then((why) => {
      socket.destroy();
      if (!stopping.signal.aborted) {
        o.logger?.info(`live video ended: ${why}`);
        endedOnItsOwn();
      }
    });
  });
  let closed: Promise<void> | undefined;
  return {
    input: ['-f', 'h264', '-use_wallclock_as_timestamps', '1', '-i', `tcp://127.0.0.1:${port}`],
    description: `TrailCam live video of ${o.what}`,
    codec: 'h264',
    ended,
    close() {
      closed ??= (async () => {
        stopping.abort();
        server.close();
        await once(server, 'close').catch(() => undefined);
      })();
      return closed;
    },
  };
}

/** Streams records to the socket from the first key frame on; resolves with why it stopped. */
async function serve(o: P2pLiveOptions, socket: Socket, stop: AbortSignal): Promise<string> {
  const live = new AbortController();
  const onStop = (): void => live.abort();
  let why = 'stopped';
  stop.addEventListener('abort', onStop, { once: true });
  socket.once('close', () => {
    why = 'ffmpeg left';
    live.abort();
  });
  socket.on('error', onStop);
  let silence: NodeJS.Timeout | undefined;
  const quiet = (): void => {
    clearTimeout(silence);
    silence = setTimeout(() => {
      why = `the camera sent nothing for ${SILENCE_MS / 1000} s`;
      live.abort();
    }, SILENCE_MS);
  };
  let leave: (() => void) | undefined;
  try {
    await o.connect({ signal: live.signal });
    quiet();
    let started = false;
    const ended = new Promise<void>((resolve) => {
      live.signal.addEventListener('abort', () => resolve(), { once: true });
      leave = sharedFeed(o.client).join(
        (record) => {
          quiet();
          // A decoder can start only at a key frame (with its parameter sets): skip what comes before one.
          started ||= startsStream(record.data);
          if (!started || socket.destroyed) return;
          // Behind on a slow reader: drop until it drains, then start again at a key frame.
          if (socket.writableNeedDrain) {
            started = false;
            return;
          }
          socket.write(record.data);
        },
        (error) => {
          why = error.message;
          resolve();
        },
      );
    });
    await ended;
  } catch (error) {
    if (!live.signal.aborted) why = (error as Error).message;
  } finally {
    leave?.();
    clearTimeout(silence);
    stop.removeEventListener('abort', onStop);
  }
  return why;
}

type RecordListener = (record: MediaRecord) => void;
type ErrorListener = (error: Error) => void;

/** One live stream per camera client, fanned out to every reader; started by the first, stopped by the last. */
interface Feed {
  join(onRecord: RecordListener, onError: ErrorListener): () => void;
}

const feeds = new WeakMap<TrailCamClient, Feed>();

function sharedFeed(client: TrailCamClient): Feed {
  let feed = feeds.get(client);
  if (feed !== undefined) return feed;
  const readers = new Map<RecordListener, ErrorListener>();
  let running: AbortController | undefined;
  const run = async (signal: AbortSignal): Promise<void> => {
    try {
      // 258 now; 259 when the signal aborts (the generator's finally).
      for await (const record of client.liveVideo({ signal })) for (const onRecord of readers.keys()) onRecord(record);
    } catch (error) {
      if (!signal.aborted) for (const onError of readers.values()) onError(ensureError(error));
    } finally {
      // Ended (stopped, or failed): the next reader starts it again.
      if (running?.signal === signal) running = undefined;
    }
  };
  feed = {
    join(onRecord, onError) {
      readers.set(onRecord, onError);
      if (running === undefined) {
        running = new AbortController();
        void run(running.signal);
      }
      return () => {
        readers.delete(onRecord);
        if (readers.size === 0) {
          running?.abort();
          running = undefined;
        }
      };
    },
  };
  feeds.set(client, feed);
  return feed;
}

/** Whether the access unit holds an SPS (7) or an IDR slice (5). */
function startsStream(data: Buffer): boolean {
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      const type = (data[i + 3] ?? 0) & 0x1f;
      if (type === 7 || type === 5) return true;
    }
  }
  return false;
}
