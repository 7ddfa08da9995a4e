/**
 * A one-sentence description of a picture from a local LLM through Ollama's HTTP API
 * (`POST /api/generate` or `/api/chat`, streamed NDJSON or one JSON answer). Optional: when Ollama is
 * down, slow or answers an error, `describe` resolves to `{ok: false, text: 'description unavailable: ...'}`
 * so the detection is still reported. Plain fetch; nothing here retries (the next event asks again).
 */
import { ensureError } from '../errors.js';
import type { Logger } from '../log.js';
import { noopLogger } from '../log.js';

export interface OllamaOptions {
  url: string;
  model: string;
  prompt: string;
  timeoutMs: number;
  api?: 'generate' | 'chat';
  stream?: boolean;
}

export interface ImageDescription {
  ok: boolean;
  text: string;
  model: string;
  ms: number;
}

interface OllamaChunk {
  response?: string;
  message?: { content?: string };
  done?: boolean;
  error?: string;
}

export class OllamaDescriber {
  readonly #options: OllamaOptions;
  readonly #logger: Logger;

  constructor(options: OllamaOptions, logger: Logger = noopLogger) {
    this.#options = options;
    this.#logger = logger.child('ollama');
  }

  /** Never throws for Ollama's faults; an abort of `signal` still rejects. */
  async describe(jpeg: Uint8Array, signal?: AbortSignal): Promise<ImageDescription> {
    const { url, model, prompt, timeoutMs } = this.#options;
    const api = this.#options.api ?? 'generate';
    const stream = this.#options.stream ?? false;
    const started = Date.now();
    const image = Buffer.from(jpeg).toString('base64');
    const body =
      api === 'generate'
        ? { model, prompt, images: [image], stream, options: { temperature: 0 } }
        : { model, messages: [{ role: 'user', content: prompt, images: [image] }], stream, options: { temperature: 0 } };
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(new URL(`/api/${api}`, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      if (!response.ok) {
        const detail = await response.text().catch(() => '');
        throw new Error(`HTTP ${response.status}${errorText(detail)}`);
      }
      const text = stream ? await readStream(response) : textOf(JSON.parse(await response.text()) as OllamaChunk);
      return { ok: true, text: text.trim(), model, ms: Date.now() - started };
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : ensureError(error).message;
      this.#logger.warn(`description unavailable from ${url} (${model}): ${reason}`);
      return { ok: false, text: `description unavailable: ${reason}`, model, ms: Date.now() - started };
    }
  }
}

function textOf(chunk: OllamaChunk): string {
  if (typeof chunk.error === 'string') throw new Error(chunk.error);
  return chunk.response ?? chunk.message?.content ?? '';
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as OllamaChunk;
    return typeof parsed.error === 'string' ? `: ${parsed.error}` : '';
  } catch {
    return '';
  }
}

/** NDJSON: one JSON object per line, the text in pieces, the last with `done: true`. */
async function readStream(response: Response): Promise<string> {
  if (response.body === null) throw new Error('empty answer');
  const decoder = new TextDecoder();
  let buffered = '';
  let text = '';
  let done = false;
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      const parsed = JSON.parse(line) as OllamaChunk;
      text += textOf(parsed);
      if (parsed.done === true) done = true;
    }
  }
  if (buffered.trim() !== '') {
    const parsed = JSON.parse(buffered) as OllamaChunk;
    text += textOf(parsed);
    if (parsed.done === true) done = true;
  }
  if (!done) throw new Error('the answer stream ended before done');
  return text;
}
