import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const camflowBin = fileURLToPath(new URL('../../mqtt-bridge/bin/camflow.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `camflow` CLI as a real process (the Node running the tests, i.e. Node 24). */
export function runCamflow(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [camflowBin, ...args],
      { cwd: repoRoot, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Starts a long-running process and resolves once its stdout contains `ready` (rejects if it exits
 * first, with what it printed). Its cleanup (SIGKILL to it, or to its process group when detached) is
 * pushed onto `cleanups`. Returns the child and a function giving all stdout so far.
 */
export async function startUntil(
  command: string,
  args: string[],
  ready: string,
  cleanups: (() => Promise<void>)[],
  options: { detached?: boolean } = {},
): Promise<{ child: ChildProcessWithoutNullStreams; stdout: () => string }> {
  const child = spawn(command, args, { cwd: repoRoot, stdio: 'pipe', detached: options.detached === true });
  child.stdin.end();
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (options.detached === true) process.kill(-(child.pid ?? 0), 'SIGKILL');
      else child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${command} exited ${code}: ${stdout}${stderr}`)));
  });
  return { child, stdout: () => stdout };
}
