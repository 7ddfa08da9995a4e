/**
 * config.schema.json against the rules Homebridge's UI (homebridge-config-ui-x) applies: the alias
 * is the registered platform name, the type is `platform`, and `schema` is a valid JSON Schema
 * (draft-07) object schema whose form accepts a camflow camera and the config core accepts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv from 'ajv';
import { splitPlatformConfig, PLATFORM_NAME } from 'homebridge-camflow';
import { describe, expect, it } from 'vitest';
import { pluginDir } from './harness.js';

interface UiSchema {
  pluginAlias: string;
  pluginType: string;
  singular?: boolean;
  schema: { type: string; properties: Record<string, { properties?: unknown; items?: { properties: Record<string, Record<string, unknown>> } }> };
  layout?: unknown[];
}

const uiSchema = JSON.parse(await readFile(join(pluginDir, 'config.schema.json'), 'utf8')) as UiSchema;
const packageJson = JSON.parse(await readFile(join(pluginDir, 'package.json'), 'utf8')) as { name: string; keywords: string[]; engines: Record<string, string>; files: string[] };

describe('config.schema.json', () => {
  it('names the platform the plugin registers, as a platform', () => {
    expect(uiSchema.pluginAlias).toBe(PLATFORM_NAME);
    expect(uiSchema.pluginType).toBe('platform');
    expect(uiSchema.singular).toBe(true);
  });

  it('is a valid draft-07 JSON Schema for an object', () => {
    const ajv = new Ajv({ schemaId: 'auto', unknownFormats: ['password'] });
    expect(ajv.validateSchema(uiSchema.schema), ajv.errorsText()).toBe(true);
    expect(uiSchema.schema.type).toBe('object');
  });

  it('offers every camera field the form needs, the password as a password', () => {
    const camera = uiSchema.schema.properties.cameras?.items?.properties ?? {};
    for (const key of ['id', 'name', 'type', 'host', 'port', 'username', 'password', 'channel', 'did']) expect(camera, key).toHaveProperty(key);
    expect(camera.password?.format).toBe('password');
  });

  it('accepts what core accepts: a config valid for the form passes core and the other way round', () => {
    const ajv = new Ajv({ unknownFormats: ['password'] });
    const validate = ajv.compile(uiSchema.schema);
    const block = {
      platform: 'Camflow',
      name: 'Camflow',
      cameras: [{ id: 'front', name: 'Front', type: 'hikvision', host: '192.0.2.10', port: 80, username: 'admin', password: 'x', channel: 1 }],
      snapshot_interval: 30,
      streams: { front: { url: 'rtsp://192.0.2.10:554/Streaming/Channels/101', video: 'copy' } },
    };
    expect(validate(block), ajv.errorsText(validate.errors)).toBe(true);
    expect(splitPlatformConfig(block).config.cameras[0]?.id).toBe('front');
    // The camera's own live video (Ring's, say) transcoded: a video mode without a URL, in both.
    const transcoded = { ...block, streams: { front: { video: 'transcode' } } };
    expect(validate(transcoded), ajv.errorsText(validate.errors)).toBe(true);
    expect(splitPlatformConfig(transcoded).options.streams).toEqual({ front: { video: 'transcode' } });
    const empty = { ...block, streams: { front: {} } };
    expect(validate(empty)).toBe(false);
    expect(() => splitPlatformConfig(empty)).toThrow(/streams\.front/);
  });

  it('ships with the package and the package follows Homebridge packaging rules', () => {
    expect(packageJson.files).toContain('config.schema.json');
    expect(packageJson.name).toMatch(/^((@[\w-]+(\.[\w-]+)*)\/)?(homebridge-[\w-]+)$/);
    expect(packageJson.keywords).toContain('homebridge-plugin');
    expect(packageJson.engines.homebridge).toBeDefined();
  });
});
