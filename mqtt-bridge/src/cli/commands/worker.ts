import { parseArgs } from 'node:util';
import { CONFIG_OPTION, type Command, UsageError, writeLine } from '../command.js';
import { configFrom, pipelineFrom } from '../pipeline-cli.js';
import { statusPage } from '../../status/start.js';

export const worker: Command = {
  path: ['worker'],
  usage: 'worker --config FILE [--types T1,T2] [--concurrency N]',
  summary: 'Work on queued jobs until Ctrl-C (then finish or hand back what it holds)',
  options: [
    CONFIG_OPTION,
    ['--types T1,T2', 'only these job types (default: every type)'],
    ['--concurrency N', 'at most N jobs of a type at once here (default: the config)'],
  ],
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, types: { type: 'string' }, concurrency: { type: 'string' } },
    });
    const types = values.types?.split(',').map((t) => t.trim()).filter((t) => t !== '');
    let concurrency: number | undefined;
    if (values.concurrency !== undefined) {
      concurrency = Number(values.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency expects a positive whole number, got '${values.concurrency}'`);
    }
    const { config, mediaDir } = await configFrom(values.config, io);
    const pipeline = await pipelineFrom(values.config, io, config);
    const { engine } = pipeline;
    const status = statusPage({ config, logger: io.logger.child('status'), engine, mediaDir });
    const log = io.logger.child('worker');
    engine.on('completed', (job) => log.info(`✓ ${job.type} ${job.id}${job.camera === undefined ? '' : ` (${job.camera})`} completed`));
    engine.on('failed', (job) => log.warn(`✗ ${job.type} ${job.id} failed: ${job.error ?? 'unknown error'}`));
    engine.on('cancelled', (job) => log.info(`${job.type} ${job.id} cancelled`));
    try {
      await engine.startWorkers({ ...(types === undefined ? {} : { types }), ...(concurrency === undefined ? {} : { concurrency }) });
      writeLine(io.stderr, `camflow worker: ${engine.kind} engine, working on ${(types ?? pipeline.registry.types()).join(', ')}; Ctrl-C stops`);
      const page = await status?.listen();
      if (page !== undefined) writeLine(io.stderr, `camflow worker: status page ${page}`);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      writeLine(io.stderr, 'camflow worker: stopping (running jobs get 10 s to finish, the rest go back to the queue)');
      return 0;
    } finally {
      await status?.service.stop();
      await pipeline.close(10_000);
    }
  },
};
