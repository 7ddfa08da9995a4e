/** What commands that work on one camera share: the config file, and that camera in it (or why not). */
import { type CamflowConfig, type CameraConfig, ConfigError, loadConfig } from '@camflow/core';
import { type CliIo, UsageError } from './command.js';

/** The camera `id` of a loaded config, or a ConfigError naming the file and the cameras it has. */
export function cameraIn(loaded: CamflowConfig, file: string, id: string): CameraConfig {
  const camera = loaded.cameras.find((c) => c.id === id);
  if (camera === undefined) throw new ConfigError(`${file} has no camera '${id}' (have: ${loaded.cameras.map((c) => c.id).join(', ') || 'none'})`);
  return camera;
}

/** `--config FILE --camera ID`: both required; the whole config (for its other sections) and the camera. */
export async function configAndCamera(file: string | undefined, id: string | undefined, io: CliIo): Promise<{ loaded: CamflowConfig; camera: CameraConfig }> {
  if (file === undefined) throw new UsageError('--config FILE is required');
  if (id === undefined) throw new UsageError('--camera ID is required');
  const loaded = await loadConfig(file, { env: io.env });
  return { loaded, camera: cameraIn(loaded, file, id) };
}
