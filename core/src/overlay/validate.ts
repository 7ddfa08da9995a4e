/**
 * `camflow overlay sync --validate`: contact each camera once and check what sync will need, so that a
 * wrong password, a missing overlay or a text too long for the device shows up before the loop runs.
 */
import { AuthError, ensureError } from '../errors.js';
import type { CameraSync, DeviceFacts } from './camera-sync.js';
import type { CycleContext } from './types.js';

export interface CameraValidation {
  cameraId: string;
  cameraName: string;
  ok: boolean;
  /** Each makes the camera fail validation. */
  problems: string[];
  /** Worth knowing, but sync works (a text that will be truncated, an overlay hidden on the device). */
  warnings: string[];
  /** Text overlays the device has. */
  deviceOverlays?: number[];
  /** Longest text the device accepts. */
  textLimit?: number;
}

export async function validateCamera(camera: CameraSync, context: CycleContext): Promise<CameraValidation> {
  const result: CameraValidation = { cameraId: camera.id, cameraName: camera.name, ok: false, problems: [], warnings: [] };
  let device: DeviceFacts;
  try {
    device = await camera.inspect({ signal: context.signal, timeoutMs: context.timeoutMs });
  } catch (error) {
    const reason = ensureError(error).message;
    result.problems.push(error instanceof AuthError ? `credentials rejected: ${reason}` : `unreachable or not answering: ${reason}`);
    return result;
  }
  result.deviceOverlays = [...device.ids].sort((a, b) => a - b);
  result.textLimit = device.limit;
  for (const item of camera.render(context, device.limit)) {
    const onDevice = device.overlays.find((overlay) => overlay.id === item.id);
    if (onDevice === undefined) {
      result.problems.push(`overlay ${item.id} does not exist on the camera (it has ${result.deviceOverlays.join(', ') || 'none'})`);
      continue;
    }
    if (item.error !== undefined) result.problems.push(`overlay ${item.id}: ${item.error} (overflow: error)`);
    if (item.truncated) result.warnings.push(`overlay ${item.id} renders longer than ${device.limit} characters and will be truncated`);
    if (!onDevice.enabled) result.warnings.push(`overlay ${item.id} is disabled on the camera; its text will not show`);
  }
  result.ok = result.problems.length === 0;
  return result;
}
