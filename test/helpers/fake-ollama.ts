/**
 * A fake Ollama on 127.0.0.1 following its documented HTTP API (ollama/ollama docs/api.md):
 * `POST /api/generate` and `POST /api/chat`, streamed NDJSON by default (`"stream": false` gives one
 * JSON object), `GET /api/tags`, `{"error": ...}` with 404 for an unknown model and 400 for a bad
 * body. Ollama cannot run here (no model weights), so this is the one mock the detection tests use.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeOllamaOptions {
  /** Models it has, default ['llava']. */
  models?: string[];
  /** The answer's text. */
  answer?: string;
  /** Wait this long before answering (a slow or overloaded Ollama). */
  delayMs?: number;
}

export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
}

export class FakeOllama {
  readonly requests: ReceivedRequest[] = [];
  readonly #options: FakeOllamaOptions;
  #server: Server | undefined;
  #port = 0;

  constructor(options: FakeOllamaOptions = {}) {
    this.#options = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
    };
    const models = this.#options.models ?? ['llava'];
    if (req.method === 'GET' && req.url === '/api/tags') {
      send(200, { models: models.map((name) => ({ name: `${name}:latest`, model: `${name}:latest`, size: 4_700_000_000 })) });
      return;
    }
    if (req.method !== 'POST' || (req.url !== '/api/generate' && req.url !== '/api/chat')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      send(400, { error: 'invalid character in request body' });
      return;
    }
    this.requests.push({ path: req.url, body });
    const model = String(body.model ?? '');
    if (!models.includes(model.replace(/:latest$/, ''))) {
      send(404, { error: `model "${model}" not found, try pulling it first` });
      return;
    }
    const chat = req.url === '/api/chat';
    const images = chat ? ((body.messages as { images?: unknown[] }[] | undefined)?.[0]?.images ?? []) : ((body.images as unknown[] | undefined) ?? []);
    if (images.some((image) => typeof image !== 'string' || image.startsWith('data:'))) {
      send(400, { error: 'illegal base64 data at input byte 4' });
      return;
    }
    if ((this.#options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.#options.delayMs));
    if (res.destroyed) return;
    const text = this.#options.answer ?? 'A person is standing in a room.';
    const created_at = new Date().toISOString();
    const piece = (content: string, done: boolean): Record<string, unknown> =>
      chat ? { model, created_at, message: { role: 'assistant', content }, done } : { model, created_at, response: content, done };
    const final = { done_reason: 'stop', total_duration: 1_234_000_000, load_duration: 1_000_000, prompt_eval_count: 600, eval_count: 12, eval_duration: 900_000_000 };
    if (body.stream === false) {
      send(200, { ...piece(text, true), ...final });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const word of text.split(/(?<= )/)) res.write(`${JSON.stringify(piece(word, false))}\n`);
    res.end(`${JSON.stringify({ ...piece('', true), ...final })}\n`);
  }
}
