import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { OllamaDescriber } from '@camflow/core';
import { FakeOllama } from '../../helpers/fake-ollama.js';

const jpeg = readFileSync(new URL('../../fixtures/detect/people.jpg', import.meta.url));
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function ollama(options: ConstructorParameters<typeof FakeOllama>[0] = {}): Promise<FakeOllama> {
  const fake = new FakeOllama(options);
  await fake.start();
  cleanup.push(() => fake.stop());
  return fake;
}

describe('Ollama description', () => {
  it('reads a streamed /api/generate answer and sends the picture as bare base64 with the prompt', async () => {
    const fake = await ollama({ answer: 'Three people pose for a photo.' });
    const d = new OllamaDescriber({ url: fake.url, model: 'llava', prompt: 'What is here?', timeoutMs: 5000, stream: true });
    const result = await d.describe(jpeg);
    expect(result).toMatchObject({ ok: true, text: 'Three people pose for a photo.', model: 'llava' });
    expect(fake.requests[0]?.path).toBe('/api/generate');
    expect(fake.requests[0]?.body).toMatchObject({ model: 'llava', prompt: 'What is here?', stream: true, images: [jpeg.toString('base64')] });
  });

  it('reads a non-streamed /api/chat answer', async () => {
    const fake = await ollama({ answer: 'A man at dinner.' });
    const d = new OllamaDescriber({ url: fake.url, model: 'llava', prompt: 'Describe', timeoutMs: 5000, api: 'chat', stream: false });
    expect((await d.describe(jpeg)).text).toBe('A man at dinner.');
    expect(fake.requests[0]?.body).toMatchObject({ stream: false, messages: [{ role: 'user', content: 'Describe' }] });
  });

  it('says the description is unavailable when Ollama is down, slow, or lacks the model', async () => {
    const down = new FakeOllama();
    await down.start();
    const url = down.url;
    await down.stop();
    const options = { model: 'llava', prompt: 'Describe', timeoutMs: 300 };
    const refused = await new OllamaDescriber({ ...options, url }).describe(jpeg);
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(/^description unavailable: /);

    const slow = await ollama({ delayMs: 5000 });
    const late = await new OllamaDescriber({ ...options, url: slow.url }).describe(jpeg);
    expect(late).toMatchObject({ ok: false, text: 'description unavailable: no answer within 300 ms' });

    const fake = await ollama({ models: ['moondream'] });
    const missing = await new OllamaDescriber({ ...options, url: fake.url, timeoutMs: 5000 }).describe(jpeg);
    expect(missing.text).toBe('description unavailable: HTTP 404: model "llava" not found, try pulling it first');
  });
});
