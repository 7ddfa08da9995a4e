/**
 * A bridge feature is an extension in the zigbee2mqtt sense: the constructor only initialises
 * fields, start() begins its work, stop() releases every timer and stream it owns. One per camera
 * and concern (snapshot, motion, record, overlays), each in its own file.
 */
import type { CallOptions, CameraConfig, Logger } from '@camflow/core';
import type { CameraSource } from './camera-source.js';
import type { Publisher } from './publisher.js';
import type { BridgeCommand, CameraTopics } from './topics.js';

export interface CameraContext {
  readonly camera: CameraConfig;
  readonly topics: CameraTopics;
  readonly source: CameraSource;
  readonly publisher: Publisher;
  readonly logger: Logger;
  /** Aborted when the camera's features stop. */
  readonly signal: AbortSignal;
  /** Per-call options: the camera's timeout and the stop signal. */
  callOptions(): CallOptions;
  /** The camera answered: it is available. */
  reportSuccess(): void;
  /** A call failed; unreachable, timed out or refusing us makes the camera unavailable. */
  reportFailure(error: unknown, what: string): void;
  /**
   * Fetches a snapshot and publishes it. Joins the request in flight unless `since` (a
   * `performance.now()`) is given and that request began before it: then a fresh one starts.
   */
  refreshSnapshot(since?: number): Promise<boolean>;
}

export interface Feature {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Runs a validated command meant for this feature; throws with a message for the user on failure. */
  handle?(command: BridgeCommand): Promise<void>;
  /** Called when the camera comes back after being unavailable: re-sync what it may have lost. */
  resync?(): Promise<void>;
}

export type FeatureFactory = (context: CameraContext) => Feature | undefined;
