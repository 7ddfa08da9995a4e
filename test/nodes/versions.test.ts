import { describe, expect, it } from 'vitest';
import { cameraMigrations, CAMERA_VERSION } from 'node-red-contrib-camflow/dist/camera/camera.js';
import { connectMigrations, CONNECT_VERSION } from 'node-red-contrib-camflow/dist/connect/connect.js';
import { downloadMigrations, DOWNLOAD_VERSION } from 'node-red-contrib-camflow/dist/download/download.js';
import { eventsMigrations, EVENTS_VERSION } from 'node-red-contrib-camflow/dist/events/events.js';
import { overlayMigrations, OVERLAY_VERSION } from 'node-red-contrib-camflow/dist/overlay/overlay.js';
import { recordMigrations, RECORD_VERSION } from 'node-red-contrib-camflow/dist/record/record.js';
import { snapshotMigrations, SNAPSHOT_VERSION } from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { detectMigrations, DETECT_VERSION } from 'node-red-contrib-camflow/dist/detect/detect.js';
import { facesMigrations, FACES_VERSION } from 'node-red-contrib-camflow/dist/faces/faces.js';
import { jobMigrations, JOB_VERSION } from 'node-red-contrib-camflow/dist/job/job.js';
import { migrateConfig } from 'node-red-contrib-camflow/dist/shared/version.js';

const nodes = [
  { type: 'camflow-camera', version: CAMERA_VERSION, migrations: cameraMigrations },
  { type: 'camflow-overlay', version: OVERLAY_VERSION, migrations: overlayMigrations },
  { type: 'camflow-snapshot', version: SNAPSHOT_VERSION, migrations: snapshotMigrations },
  { type: 'camflow-events', version: EVENTS_VERSION, migrations: eventsMigrations },
  { type: 'camflow-record', version: RECORD_VERSION, migrations: recordMigrations },
  { type: 'camflow-download', version: DOWNLOAD_VERSION, migrations: downloadMigrations },
  { type: 'camflow-connect', version: CONNECT_VERSION, migrations: connectMigrations },
  { type: 'camflow-detect', version: DETECT_VERSION, migrations: detectMigrations },
  { type: 'camflow-job', version: JOB_VERSION, migrations: jobMigrations },
  { type: 'camflow-faces', version: FACES_VERSION, migrations: facesMigrations },
];

describe('node config versions', () => {
  it.each(nodes)('$type has one migration step per version', ({ version, migrations }) => {
    expect(migrations).toHaveLength(version);
  });

  it.each(nodes)('$type: a config at the current version passes through unchanged', ({ type, version, migrations }) => {
    const config = { id: 'n1', type, version, custom: 'kept' };
    expect(migrateConfig(config, migrations)).toEqual(config);
  });

  it('camera v0 -> v3 fills what a hand-written config lacks and keeps what it has', () => {
    const migrated = migrateConfig({ id: 'c', type: 'camflow-camera', host: '10.0.0.2' }, cameraMigrations);
    expect(migrated).toEqual({
      id: 'c', type: 'camflow-camera', host: '10.0.0.2', kind: 'hikvision', port: '', tls: false, channel: 1, did: '', timeout: 5,
      verify: 'system', fingerprint: '', ca: '', servers: '', relay: false, lanPort: '', lanGrace: 0, stagger: 0, cidrs: '',
      url: '', preEvent: 0, device: '', version: 3,
    });
  });

  it('camera v1 -> v3 keeps an HTTPS camera checked against the system CAs, as v1 did', () => {
    const v1 = { id: 'c', type: 'camflow-camera', kind: 'hikvision', host: 'cam', port: '', tls: true, channel: 2, did: '', timeout: 7, version: 1 };
    expect(migrateConfig(v1, cameraMigrations)).toEqual({ ...v1, verify: 'system', fingerprint: '', ca: '', servers: '', relay: false, lanPort: '', lanGrace: 0, stagger: 0, cidrs: '', url: '', preEvent: 0, device: '', version: 3 });
  });

  it('overlay v0 -> v1 defaults to overlay 1 without sync', () => {
    const migrated = migrateConfig({ id: 'o', type: 'camflow-overlay', camera: 'c' }, overlayMigrations);
    expect(migrated).toMatchObject({ camera: 'c', overlay: 1, template: '', sync: false, interval: 1, version: 1 });
  });

  it('record v0 -> v1 records 30 s by default; download v0 -> v1 looks back 12 hours', () => {
    expect(migrateConfig({ id: 'r', type: 'camflow-record' }, recordMigrations)).toMatchObject({ duration: 30, version: 1 });
    expect(migrateConfig({ id: 'd', type: 'camflow-download', folder: '/x' }, downloadMigrations)).toMatchObject({
      folder: '/x',
      hours: 12,
      version: 1,
    });
  });

  it('events and connect v0 -> v1 pass every event type and race every path', () => {
    expect(migrateConfig({ id: 'e', type: 'camflow-events' }, eventsMigrations)).toMatchObject({ types: '', detect: false, labels: '', version: 2 });
    // v1 -> v2: detections stay off, as in v1.
    expect(migrateConfig({ id: 'e', type: 'camflow-events', camera: 'c', types: 'vmd', version: 1 }, eventsMigrations)).toEqual({ id: 'e', type: 'camflow-events', camera: 'c', types: 'vmd', detect: false, labels: '', version: 2 });
    expect(migrateConfig({ id: 'x', type: 'camflow-connect' }, connectMigrations)).toMatchObject({
      lan: true, direct: true, p2p: true, relay: true, version: 1,
    });
  });

  it('a version from the future is left as it is', () => {
    const config = { id: 'n', type: 'camflow-snapshot', version: 9, camera: 'c' };
    expect(migrateConfig(config, snapshotMigrations)).toEqual(config);
  });
});
