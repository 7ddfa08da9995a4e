/**
 * The fake Ring cloud for a test: started on loopback with the given devices, logged in to (the
 * refresh token stored in `dataDir`, as `camflow ring login` does), and camflow's Ring calls pointed
 * at it through CAMFLOW_RING_API_BASE. The password is one the tests check never leaks.
 */
import { ringLogin } from '@camflow/core';
import { FakeRingCloud, type FakeRingDeviceOptions } from '@camflow/simulators';

export const RING_EMAIL = 'me@example.com';
export const RING_PASSWORD = 'pw-secret';

export async function startFakeRing(dataDir: string, devices: readonly FakeRingDeviceOptions[]): Promise<{ cloud: FakeRingCloud; base: string }> {
  const cloud = new FakeRingCloud({ email: RING_EMAIL, password: RING_PASSWORD });
  const base = await cloud.start();
  process.env.CAMFLOW_RING_API_BASE = base;
  for (const device of devices) cloud.devices.add(device);
  await ringLogin({ email: RING_EMAIL, password: RING_PASSWORD, dataDir, apiBase: base, askCode: () => Promise.reject(new Error('no 2FA here')) });
  return { cloud, base };
}
