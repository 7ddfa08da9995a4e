import type { Command } from '../command.js';
import { configCheck, configSchema } from './config.js';
import { overlaySync } from './overlay.js';

/** Every `camflow` command. A new command is a file in this folder and a line here. */
export const commands: readonly Command[] = [configCheck, configSchema, overlaySync];
