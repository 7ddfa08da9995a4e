/**
 * What overlay sync needs from a camera. HikvisionClient satisfies it; the engine depends on nothing
 * else, so its scheduling can be exercised against the real client and simulator as well as any other
 * device that can show text.
 */

export interface OverlayCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A text overlay as the device reports it. */
export interface DeviceTextOverlay {
  id: number;
  enabled: boolean;
  text: string;
}

/**
 * What the engine writes: the text, and whether the overlay shows. Position, font size and every
 * other field stay as the device has them.
 */
export interface OverlayTextUpdate {
  id: number;
  text: string;
  /** Written in the same request as the text: a configured overlay is visible (or hidden) at once. */
  enabled?: boolean;
}

export interface OverlayTarget {
  getTextOverlays(channel: number, options?: OverlayCallOptions): Promise<readonly DeviceTextOverlay[]>;
  /** One request for several overlays (the device's list PUT). */
  setTextOverlays(channel: number, overlays: OverlayTextUpdate[], options?: OverlayCallOptions): Promise<void>;
  setTextOverlay(channel: number, overlay: OverlayTextUpdate, options?: OverlayCallOptions): Promise<void>;
  /** Longest text the device accepts per overlay. */
  textLimit(channel: number, options?: OverlayCallOptions): Promise<number>;
  close(): Promise<void>;
}
