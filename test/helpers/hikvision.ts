/**
 * A started Hikvision simulator and a HikvisionClient logged in with the simulator's default account,
 * the pair most core Hikvision tests begin with. Both are stopped by the test file's cleanup list
 * (client first, then the simulator), so each test file keeps one afterEach that empties it.
 */
import { HikvisionClient } from '@camflow/core';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

export type Cleanup = (() => Promise<void>)[];
export type HikvisionClientOptions = Partial<ConstructorParameters<typeof HikvisionClient>[0]>;

export async function simulatedHikvision(
  cleanup: Cleanup,
  simOptions: HikvisionSimulatorOptions = {},
  clientOptions: HikvisionClientOptions = {},
): Promise<{ sim: HikvisionSimulator; client: HikvisionClient }> {
  const sim = new HikvisionSimulator(simOptions);
  await sim.start();
  cleanup.push(() => sim.stop());
  const client = new HikvisionClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', timeoutMs: 2000, ...clientOptions });
  cleanup.push(() => client.close());
  return { sim, client };
}
