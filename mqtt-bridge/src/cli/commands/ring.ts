import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig, ringLogin } from '@camflow/core';
import { CONFIG_OPTION, type CliIo, type Command, UsageError, writeLine } from '../command.js';

export const ringLoginCommand: Command = {
  path: ['ring', 'login'],
  usage: 'ring login (-c FILE | --data-dir DIR)',
  summary: 'Log in to Ring (email, password, 2FA code) and store the refresh token (mode 0600) in the data directory',
  options: [
    CONFIG_OPTION,
    ['--data-dir DIR', "where to store the token instead of the config's pipeline.data_dir"],
    ['env CAMFLOW_RING_EMAIL / CAMFLOW_RING_PASSWORD / CAMFLOW_RING_CODE', 'answers for scripts; otherwise asked on the terminal (password hidden)'],
    ['env CAMFLOW_RING_API_BASE', 'FOR TESTING ONLY: base URL of a fake Ring cloud'],
  ],
  async run(args, io) {
    const { values } = parseArgs({ args, allowPositionals: false, options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' } } });
    let dataDir = values['data-dir'];
    if (dataDir === undefined) {
      if (values.config === undefined) throw new UsageError('expected -c FILE or --data-dir DIR');
      const config = await loadConfig(values.config, { env: io.env });
      dataDir = resolve(dirname(values.config), config.pipeline.data_dir);
    }
    const email = io.env.CAMFLOW_RING_EMAIL ?? (await ask(io, 'Ring email: ', false));
    const password = io.env.CAMFLOW_RING_PASSWORD ?? (await ask(io, 'Ring password: ', true));
    const path = await ringLogin({
      email,
      password,
      dataDir,
      ...(io.env.CAMFLOW_RING_API_BASE === undefined ? {} : { apiBase: io.env.CAMFLOW_RING_API_BASE }),
      askCode: async (prompt) => io.env.CAMFLOW_RING_CODE ?? (await ask(io, `${prompt}: `, false)),
    });
    writeLine(io.stdout, `✓ Ring login stored in ${path}`);
    return 0;
  },
};

/** One answer from the terminal; the password is not echoed. Without a terminal: a usage error naming the env variables. */
async function ask(io: CliIo, question: string, hidden: boolean): Promise<string> {
  if (process.stdin.isTTY !== true) throw new UsageError('no terminal to ask on: set CAMFLOW_RING_EMAIL, CAMFLOW_RING_PASSWORD and CAMFLOW_RING_CODE');
  const rl = createInterface({ input: process.stdin, output: io.stderr, terminal: true });
  if (hidden) {
    // readline echoes through _writeToOutput; swallowing it hides what is typed but keeps the question.
    const internal = rl as unknown as { _writeToOutput: (text: string) => void };
    const write = internal._writeToOutput.bind(rl);
    internal._writeToOutput = (text) => {
      if (text.startsWith(question)) write(question);
    };
  }
  try {
    return (await rl.question(question)).trim();
  } finally {
    if (hidden) io.stderr.write('\n');
    rl.close();
  }
}
