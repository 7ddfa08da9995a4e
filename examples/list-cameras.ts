/**
 * Loads a camflow.yaml and prints one line per camera. Run with Node 24:
 *   node examples/list-cameras.ts examples/camflow.yaml
 */
import { ConfigError, loadConfig } from '@camflow/core';

const file = process.argv[2] ?? new URL('camflow.yaml', import.meta.url).pathname;
try {
  const config = await loadConfig(file);
  for (const camera of config.cameras) {
    const where =
      camera.type === 'p2p' ? camera.did : camera.type === 'rtsp' ? camera.url : camera.type === 'ring' ? `Ring: ${camera.device}` : `${camera.host}:${camera.port ?? (camera.tls === false ? 80 : 443)}`;
    process.stdout.write(`${camera.id.padEnd(12)} ${camera.type.padEnd(10)} ${where}  ${camera.name ?? ''}\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
