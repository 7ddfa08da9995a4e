/**
 * The never-ending `alertStream` answers of the simulated camera: multipart/mixed parts with a
 * Content-Length each, a videoloss-inactive heartbeat on one shared timer, and triggered events.
 */
import type { ServerResponse } from 'node:http';
import { eventAlertXml } from './documents.js';
import { SNAPSHOT_JPEG } from './media.js';
import type { TriggeredEvent } from './types.js';

export interface AlertStreamOptions {
  ns: string;
  macAddress: string;
  heartbeatMs: number;
  /** Firmware quirks seen in the wild. */
  rawAmpersand: boolean;
  mismatchedBoundary: boolean;
  onOpen: () => void;
  onClose: () => void;
}

export class AlertStreams {
  private readonly options: AlertStreamOptions;
  private readonly open = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private postCounts = new Map<string, number>();

  constructor(options: AlertStreamOptions) {
    this.options = options;
  }

  get count(): number {
    return this.open.size;
  }

  /** Answers the request with the stream head and keeps the response open. */
  attach(res: ServerResponse): void {
    const announced = this.options.mismatchedBoundary ? 'MIME_boundary' : 'boundary';
    res.writeHead(200, {
      'MIME-Version': '1.0',
      Connection: 'close',
      'Content-Type': `multipart/mixed; boundary=${announced}`,
    });
    res.flushHeaders();
    this.open.add(res);
    this.options.onOpen();
    res.once('close', () => {
      if (this.open.delete(res)) this.options.onClose();
      if (this.open.size === 0) this.stopHeartbeat();
    });
    this.heartbeat ??= setInterval(() => this.send({ type: 'videoloss', state: 'inactive' }, true), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Writes one event (and a picture part when asked) to every open stream. */
  send(event: TriggeredEvent & { picture?: boolean }, heartbeat = false): void {
    if (this.open.size === 0) return;
    const channel = event.channel ?? 1;
    const state = event.state ?? 'active';
    const key = `${event.type}/${channel}`;
    const postCount = state === 'active' ? (this.postCounts.get(key) ?? 0) + 1 : 1;
    this.postCounts.set(key, state === 'active' ? postCount : 0);
    const xml = eventAlertXml(this.options.ns, {
      type: event.type,
      state,
      channel,
      postCount,
      description: event.description ?? (heartbeat ? 'videoloss alarm' : `${event.type} alarm`),
      rawAmpersand: this.options.rawAmpersand && !heartbeat,
      macAddress: this.options.macAddress,
    });
    const body = Buffer.from(xml);
    let part = Buffer.concat([
      Buffer.from(`--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
      Buffer.from('\r\n'),
    ]);
    if (event.picture === true) {
      part = Buffer.concat([
        part,
        Buffer.from(
          `--boundary\r\nContent-Disposition: form-data; name="${event.type}"; filename="picture.jpg"\r\n` +
            `Content-Type: image/jpeg\r\nContent-Length: ${SNAPSHOT_JPEG.length}\r\n\r\n`,
        ),
        SNAPSHOT_JPEG,
        Buffer.from('\r\n'),
      ]);
    }
    for (const res of this.open) res.write(part);
  }

  /** Ends every stream abruptly (reboot, stop, cable pulled). */
  closeAll(): void {
    // Each response's 'close' handler removes it and counts it closed.
    for (const res of [...this.open]) res.destroy();
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
