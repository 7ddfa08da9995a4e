/**
 * Ring's push channel: Firebase Cloud Messaging, registered as the Ring Android app, as
 * ring-client-api's `registerPushReceiver` (api.js, MIT) does it. That method keeps its receiver to
 * itself, and the receiver retries forever and survives `api.disconnect()`, so a process that used it
 * never exits; here the same wiring keeps the receiver, and `stop()` destroys it.
 *
 * Started only while something watches a camera's events (the bridge, `camflow events`), never for a
 * one-shot command. Notifications go to the library's own device objects
 * (`processPushNotification`), whose `onNewNotification` the Ring client listens to.
 */
import { PushReceiver } from '@eneris/push-receiver';
import JSONbig from 'json-bigint';
import type { RingApi } from 'ring-client-api';
import { clientApi } from 'ring-client-api/rest-client';
import { ensureError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RingDevice } from './account.js';

/** The Ring Android app's Firebase project (ring-client-api api.js). */
const RING_FIREBASE = {
  apiKey: 'AIzaSyCv-hdFBmmdBBJadNy-TFwB-xN_H5m3Bk8',
  projectId: 'ring-17770',
  messagingSenderId: '876313859327',
  appId: '1:876313859327:android:e10ec6ddb3c81f39',
};

/** Messages in the first seconds after connecting are replays of old ones (the library drops them too). */
const REPLAY_WINDOW_MS = 2000;

interface RestClientPush {
  _internalOnly_pushNotificationCredentials?: { config?: unknown; fcm?: { token?: string } };
  baseSessionMetadata: Record<string, unknown>;
}

export class RingPush {
  #receiver: PushReceiver | undefined;

  constructor(
    private readonly api: RingApi,
    private readonly devices: () => readonly RingDevice[],
    private readonly logger: Logger | undefined,
  ) {}

  start(): void {
    if (this.#receiver !== undefined) return;
    const rest = this.api.restClient as unknown as RestClientPush;
    const stored = rest._internalOnly_pushNotificationCredentials;
    const credentials = stored?.config !== undefined ? stored : undefined;
    const receiver = new PushReceiver({ firebase: RING_FIREBASE, ...(credentials === undefined ? {} : { credentials: credentials as never }), debug: false });
    this.#receiver = receiver;
    // destroy() rejects it; the connect() below reports failures.
    receiver.whenReady.catch(() => undefined);
    receiver.onCredentialsChanged(({ newCredentials }) => {
      // Kept in the rest client: the next rotated refresh token carries them (`pnc`), so a restart reuses them.
      rest._internalOnly_pushNotificationCredentials = newCredentials as never;
      void this.#register(newCredentials.fcm.token);
    });
    const started = Date.now();
    receiver.onNotification(({ message }) => {
      if (Date.now() - started < REPLAY_WINDOW_MS) return;
      this.#deliver(message.data as Record<string, unknown> | undefined);
    });
    receiver.connect().then(
      () => {
        if (this.#receiver !== receiver) return receiver.destroy(); // stopped while connecting
        const token = credentials?.fcm?.token;
        if (token !== undefined && token === rest._internalOnly_pushNotificationCredentials?.fcm?.token) void this.#register(token);
      },
      (error: unknown) => this.logger?.warn(`Ring push notifications are off (${ensureError(error).message}); the event-history watchdog still reports dings and motion`),
    );
  }

  stop(): void {
    this.#receiver?.destroy();
    this.#receiver = undefined;
  }

  /** Tells Ring where to push (the library's PATCH clients_api/device). */
  async #register(token: string): Promise<void> {
    const rest = this.api.restClient as unknown as RestClientPush;
    try {
      await this.api.restClient.request({
        url: clientApi('device'),
        method: 'PATCH',
        json: { device: { metadata: { ...rest.baseSessionMetadata, pn_dict_version: '2.0.0', pn_service: 'fcm' }, os: 'android', push_notification_token: token } },
        allowNoResponse: true,
      });
    } catch (error) {
      this.logger?.warn(`Ring did not take the push registration: ${ensureError(error).message}`);
    }
  }

  /** Each field is JSON text; ids are 64-bit, kept as strings (as the library parses them). */
  #deliver(data: Record<string, unknown> | undefined): void {
    if (data === undefined) return;
    const parsed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      try {
        parsed[key] = typeof value === 'string' ? (JSONbig({ storeAsString: true }).parse(value) as unknown) : value;
      } catch {
        parsed[key] = value;
      }
    }
    const id = (parsed as { data?: { device?: { id?: unknown } } }).data?.device?.id;
    if (!('android_config' in parsed) || id === undefined) return;
    const device = this.devices().find((d) => String(d.id) === String(id));
    device?.processPushNotification(parsed as never);
  }
}
