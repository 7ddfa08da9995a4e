/**
 * One logged-in Ring account per data directory, shared by every `type: ring` camera that uses it:
 * Ring rotates the refresh token on each use, so two clients holding the same token would log each
 * other out. The account opens lazily (constructors do no I/O), writes every rotated token back, and
 * turns the library's failures into camflow errors.
 *
 * ring-client-api retries a request that got no answer every 5 s, forever; a camera that cannot be
 * reached must fail its call instead (one dead link never stalls the others), so every request made
 * here goes through `request()`, which asks the library not to retry (`allowNoResponse`) and bounds it
 * with a timeout and the caller's signal.
 */
import { resolve } from 'node:path';
import { RingApi, RingCamera as LibraryRingCamera, type CameraData } from 'ring-client-api';
import { clientApi } from 'ring-client-api/rest-client';
import { useLogger } from 'ring-client-api/util';
import { abortErrorFrom, AuthError, CamflowError, ConnectionError, ensureError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { useRingApiBase } from './api-base.js';
import { RingPush } from './push.js';
import { RING_LOGIN_AGAIN, RingLoginRequiredError, RingTokenStore } from './token-store.js';

export interface RingAccountOptions {
  /** Receive dings and motion through Ring's push channel (FCM) while events are watched; off, the watchdog alone reports them. */
  push: boolean;
  logger?: Logger;
}

export interface RingRequest {
  url: string;
  method?: 'GET' | 'POST';
  responseType?: 'json' | 'buffer';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A device the account can see, as ring-client-api models it (its data and push notifications). */
export type RingDevice = LibraryRingCamera;

const DEFAULT_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 30_000;

interface RingDevicesResponse {
  doorbots?: CameraData[];
  authorized_doorbots?: CameraData[];
  stickup_cams?: CameraData[];
  other?: CameraData[];
}

interface Opened {
  api: RingApi;
  devices: RingDevice[];
  push: RingPush;
  unsubscribe: () => void;
}

export class RingAccount {
  private static readonly accounts = new Map<string, { account: RingAccount; users: number }>();

  /** The account of `dataDir`, shared: call `release()` once per `acquire`. */
  static acquire(dataDir: string, options: RingAccountOptions): RingAccount {
    const key = resolve(dataDir);
    const entry = RingAccount.accounts.get(key) ?? { account: new RingAccount(key, options), users: 0 };
    entry.users++;
    RingAccount.accounts.set(key, entry);
    return entry.account;
  }

  private opening: Promise<Opened> | undefined;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    private readonly options: RingAccountOptions,
  ) {}

  /** The device with this Ring id or name (as the Ring app shows it). */
  async device(selector: string, signal?: AbortSignal): Promise<RingDevice> {
    const { devices } = await this.open(signal);
    const wanted = selector.trim().toLowerCase();
    const found = devices.find((d) => String(d.id) === wanted) ?? devices.find((d) => d.name.trim().toLowerCase() === wanted);
    if (found === undefined) {
      const names = devices.map((d) => `${d.name} (${d.id})`).join(', ') || 'none';
      throw new CamflowError(`Ring has no device "${selector}" on this account; it has: ${names}`);
    }
    return found;
  }

  /** A REST call through the library's logged-in client (auth header, token refresh on 401), bounded. */
  async request<T>(request: RingRequest): Promise<T> {
    const { api } = await this.open(request.signal);
    return this.call<T>(api, request);
  }

  private async call<T>(api: RingApi, request: RingRequest): Promise<T> {
    const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
    try {
      return (await api.restClient.request({
        url: request.url,
        method: request.method ?? 'GET',
        ...(request.responseType === 'buffer' ? { responseType: 'buffer' as const } : {}),
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        allowNoResponse: true,
        signal,
      })) as T;
    } catch (error) {
      if (request.signal?.aborted === true) throw abortErrorFrom(request.signal);
      throw ringError(error, request.url, timeout.aborted);
    }
  }

  /** Starts Ring's push channel (once per account) when push is on: called by whoever watches events. */
  async watchPush(signal?: AbortSignal): Promise<void> {
    // A fake Ring cloud (tests) cannot push, and registering with Google for it would be wrong.
    if (!this.options.push || (process.env.CAMFLOW_RING_API_BASE ?? '') !== '') return;
    (await this.open(signal)).push.start();
  }

  /** Resolves when every rotated token so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** Drops one user; the last one disconnects (push channel, timers). */
  async release(): Promise<void> {
    const entry = RingAccount.accounts.get(this.dataDir);
    if (entry === undefined || entry.account !== this) return;
    if (--entry.users > 0) return;
    RingAccount.accounts.delete(this.dataDir);
    this.closed = true;
    const opening = this.opening;
    this.opening = undefined;
    const opened = await opening?.catch(() => undefined);
    if (opened !== undefined) {
      opened.push.stop();
      opened.unsubscribe();
      for (const device of opened.devices) device.disconnect();
      opened.api.disconnect();
      // disconnect() clears the client's timers (token expiry, 12-hourly session refresh) only when
      // locations were fetched, which camflow never does: clear them here, or they hold the process open.
      opened.api.restClient.clearTimeouts();
    }
    await this.writing;
  }

  /** Opens once; every caller waits at most `OPEN_TIMEOUT_MS` (the library retries a silent Ring forever). */
  private open(signal?: AbortSignal): Promise<Opened> {
    if (this.closed) return Promise.reject(new ConnectionError('the Ring account is closed'));
    this.opening ??= this.connect().catch((error: unknown) => {
      this.opening = undefined; // the next call tries again (a network error is not forever)
      throw error;
    });
    const opening = this.opening;
    const timeout = AbortSignal.timeout(OPEN_TIMEOUT_MS);
    const bound = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    return new Promise<Opened>((resolve, reject) => {
      const onAbort = (): void => reject(signal?.aborted === true ? abortErrorFrom(signal) : new ConnectionError(`Ring did not answer the login in ${OPEN_TIMEOUT_MS / 1000} s`));
      bound.addEventListener('abort', onAbort, { once: true });
      opening.then(resolve, reject).finally(() => bound.removeEventListener('abort', onAbort));
    });
  }

  private async connect(): Promise<Opened> {
    const logger = this.options.logger;
    useLogger({ logInfo: (...message: unknown[]) => logger?.debug(message.map(String).join(' ')), logError: (message: unknown) => logger?.debug(`ring-client-api: ${String(message)}`) });
    const apiBase = process.env.CAMFLOW_RING_API_BASE;
    const restoreFetch = apiBase === undefined || apiBase === '' ? undefined : useRingApiBase(apiBase);
    const store = new RingTokenStore(this.dataDir);
    const { refreshToken, systemId } = await store.require();
    const api = new RingApi({ refreshToken, systemId, avoidSnapshotBatteryDrain: true, ffmpegPath: 'ffmpeg' });
    const rotation = api.onRefreshTokenUpdated.subscribe(({ newRefreshToken }) => {
      // Chained so two quick rotations land in order and the newest wins.
      this.writing = this.writing
        .then(() => store.write(newRefreshToken, systemId))
        .catch((error: unknown) => logger?.error(`Ring: could not store the new token: ${ensureError(error).message}`));
    });
    const unsubscribe = (): void => {
      rotation.unsubscribe();
      restoreFetch?.();
    };
    try {
      await api.restClient.getCurrentAuth();
    } catch (error) {
      unsubscribe();
      api.disconnect();
      throw new RingLoginRequiredError(`Ring refused the stored login (expired or revoked): ${RING_LOGIN_AGAIN}`, { cause: error });
    }
    try {
      const found = await this.fetchDevices(api);
      return { api, devices: found, push: new RingPush(api, () => found, logger), unsubscribe };
    } catch (error) {
      unsubscribe();
      api.disconnect();
      throw error;
    }
  }

  /** `ring_devices` through `request` (bounded), then the library's device objects, as its api.js builds them. */
  private async fetchDevices(api: RingApi): Promise<RingDevice[]> {
    const all = await this.call<RingDevicesResponse>(api, { url: clientApi('ring_devices') });
    const onvif = (all.other ?? []).filter((d) => d.kind === 'onvif_camera');
    const doorbells = [...(all.doorbots ?? []), ...(all.authorized_doorbots ?? [])];
    const cameras = [...doorbells, ...(all.stickup_cams ?? []), ...onvif];
    // The library's own rule (api.js): a doorbot, an authorized doorbot, or a kind named doorbell*.
    return cameras.map((data) => new LibraryRingCamera(data, doorbells.includes(data) || data.kind.startsWith('doorbell'), api.restClient, true));
  }
}

/** A failed Ring call as a camflow error: a refused login says to log in again; no answer is a ConnectionError. */
export function ringError(error: unknown, what: string, timedOut: boolean): Error {
  const cause = ensureError(error);
  if (cause instanceof CamflowError) return cause;
  const status = (error as { response?: { status?: number } }).response?.status;
  const path = what.replace(/^https?:\/\/[^/]+/, '');
  if (status === 401 || /oauth token|refresh token/i.test(cause.message)) {
    return new RingLoginRequiredError(`Ring refused the stored login: ${RING_LOGIN_AGAIN}`, { cause });
  }
  if (status === 403) return new AuthError(`Ring refused ${path} (403)`, { cause });
  if (status !== undefined) return new CamflowError(`Ring answered ${status} to ${path}`, { cause });
  if (timedOut) return new ConnectionError(`Ring did not answer ${path} in time`, { cause });
  return new ConnectionError(`cannot reach Ring (${path}): ${cause.message}`, { cause });
}
