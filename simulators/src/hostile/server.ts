/**
 * A camera that misbehaves on purpose, for the client's hardening tests: answers far larger than any
 * real camera sends, bodies that never end, a byte a second, multipart streams whose parts or
 * boundaries never come. It asks for no login (a camera with auth switched off), so every request
 * reaches the misbehaviour at once. Each answer stops when the client goes away.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HostileMode =
  /** A 200 XML answer of `sizeBytes` (default 50 MB) with a Content-Length. */
  | 'huge-xml'
  /** A well-formed document that defines entities expanding to gigabytes (billion laughs). */
  | 'entity-expansion'
  /** A 200 chunked answer that never ends, as fast as the socket takes it. */
  | 'endless-chunked'
  /** A 200 XML answer that trickles one byte a second. */
  | 'trickle'
  /** An alert stream whose first part announces and sends `sizeBytes` (default 100 MB). */
  | 'huge-part'
  /** An alert stream that opens a part and then sends body bytes with no boundary, forever. */
  | 'no-boundary'
  /** The alert stream answers 503 with a body that never ends. */
  | 'endless-error';

export interface HostileOptions {
  mode: HostileMode;
  sizeBytes?: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'A');

export class HostileCamera {
  readonly options: HostileOptions;
  /** Bytes written to clients so far, over every request. */
  bytesSent = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: HostileOptions) {
    this.options = options;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const size = this.options.sizeBytes;
    switch (this.options.mode) {
      case 'huge-xml':
        return this.sized(res, size ?? 50 * 1024 * 1024, 'application/xml', '<?xml version="1.0"?><DeviceInfo><deviceName>');
      case 'entity-expansion':
        return this.entityBomb(res);
      case 'endless-chunked':
        res.writeHead(200, { 'content-type': req.url?.includes('picture') === true ? 'image/jpeg' : 'application/xml' });
        return this.pump(res, Buffer.concat([Buffer.from([0xff, 0xd8]), CHUNK]));
      case 'trickle':
        return this.trickle(res);
      case 'huge-part':
        return this.hugePart(res, size ?? 100 * 1024 * 1024);
      case 'no-boundary':
        res.writeHead(200, { 'content-type': 'multipart/mixed; boundary=boundary' });
        res.write('--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\n\r\n<EventNotificationAlert>');
        return this.pump(res, CHUNK);
      case 'endless-error':
        res.writeHead(503, { 'content-type': 'text/html' });
        return this.pump(res, CHUNK);
    }
  }

  /** Writes `chunk` again and again, as fast as the client reads, until it goes away. */
  private pump(res: ServerResponse, chunk: Buffer): void {
    const write = (): void => {
      while (!res.destroyed) {
        this.bytesSent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
    };
    write();
  }

  private sized(res: ServerResponse, size: number, type: string, head: string): void {
    res.writeHead(200, { 'content-type': type, 'content-length': String(size) });
    let left = size;
    const first = Buffer.from(head);
    const write = (): void => {
      while (left > 0 && !res.destroyed) {
        const piece = left === size ? first : CHUNK.subarray(0, Math.min(CHUNK.length, left));
        left -= piece.length;
        this.bytesSent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', write);
          return;
        }
      }
      if (left <= 0) res.end();
    };
    write();
  }

  private entityBomb(res: ServerResponse): void {
    let defs = '<!ENTITY lol0 "lollollollollollollollollollol">';
    for (let i = 1; i <= 9; i++) defs += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const body = `<?xml version="1.0"?>\n<!DOCTYPE DeviceInfo [${defs}]>\n<DeviceInfo><deviceName>&lol9;</deviceName><model>bomb</model></DeviceInfo>\n`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) });
    this.bytesSent += body.length;
    res.end(body);
  }

  private trickle(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/xml' });
    const text = '<?xml version="1.0"?><DeviceInfo><deviceName>slow</deviceName></DeviceInfo>';
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed || at >= text.length) {
        clearInterval(timer);
        this.timers.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      this.bytesSent++;
      res.write(text[at++] ?? '');
    }, 1000);
    this.timers.add(timer);
  }

  private hugePart(res: ServerResponse, size: number): void {
    res.writeHead(200, { 'content-type': 'multipart/mixed; boundary=boundary' });
    res.write(`--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: ${size}\r\n\r\n`);
    this.pump(res, CHUNK);
  }
}
