/** Digest algorithms the simulator can challenge with (RFC 7616 §3.3). */
export type SimDigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** Faults the simulated camera can inject. Counts (`...Next`) make tests deterministic; rates suit demos. */
export interface HikvisionFaults {
  latencyMs: number;
  jitterMs: number;
  /** Destroy the connection instead of answering, for the next N requests. */
  dropNext: number;
  /** Probability 0..1 of dropping a request's connection. */
  dropRate: number;
  /** Answer 503 for the next N requests. */
  errorNext: number;
  /** Probability 0..1 of a 503. */
  errorRate: number;
  /** Bodies dribble out in small chunks with this many ms between them (0 = off). */
  slowBodyMs: number;
  /** XML answers are cut short (not well-formed). */
  malformedXml: boolean;
  /**
   * The next N answers with a body break off half-way: the head promises the whole Content-Length,
   * half the body is sent, then the connection closes (camera crashing or cable pulled mid-download).
   */
  truncateBodyNext: number;
  /**
   * What the picture resources answer with HTTP 200: the JPEG, an HTML page (a web login page, as
   * firmware with the picture service off sends), or an XML ResponseStatus saying OK with no picture.
   */
  pictureAnswer: 'jpeg' | 'html' | 'xml';
  /** Every new connection is closed at once and open ones are dropped (cable pulled). */
  offline: boolean;
  /** Recording downloads flow at most this fast per connection, bytes/s (0 = unlimited). */
  downloadBytesPerSecond: number;
  /** Extra wait before a download's answer starts (an NVR seeking on its disks), ms. */
  downloadFirstByteMs: number;
}

export interface HikvisionSimulatorOptions {
  /** Default 0: the OS picks a free port. Always 127.0.0.1. */
  port?: number;
  username?: string;
  password?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Default 30000. */
  nonceLifetimeMs?: number;
  /** Failed logins before the client's IP is locked out, default 7. */
  lockoutAfter?: number;
  /** Default 600000. */
  lockoutMs?: number;
  /** Basic auth only (old firmware). */
  basicOnly?: boolean;
  /**
   * Default undefined: the camera's own challenge, no `algorithm` parameter (MD5). Otherwise the
   * challenge names this algorithm and requests must be signed with it (RFC 7616).
   */
  algorithm?: SimDigestAlgorithm;
  /** PUT of a whole TextOverlayList supported, default true (else notSupport). */
  batchOverlays?: boolean;
  /** Text overlays per channel, default 4. */
  overlayCount?: number;
  /** Max characters of an overlay text, default 44. */
  maxTextLength?: number;
  /** Serve HTTPS with this certificate and key (PEM), as a camera with a self-signed certificate does. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Older firmware: no `/overlays/text/capabilities`; the web server answers a plain HTML 404. */
  noOverlayCapabilities?: boolean;
  /** Video channels, default 1. */
  channels?: number;
  /** Realm of the challenge, default `IP Camera(E1518)`. */
  realm?: string;
  deviceName?: string;
  serialNumber?: string;
  model?: string;
  macAddress?: string;
  firmwareVersion?: string;
  /** Heartbeat (videoloss inactive) period on the alert stream, default 10000. */
  heartbeatMs?: number;
  /** NVR mode: /ISAPI/Streaming/channels/x01/picture answers badXmlContent; the StreamingProxy path works. */
  nvr?: boolean;
  /** The JPEG the picture resources serve, default a 96x72 test pattern (a real photo for detection tests). */
  snapshot?: Buffer;
  /** Download by POST only: a GET with a body answers ResponseStatus invalidOperation (HTTP 403). */
  downloadPostOnly?: boolean;
  /** Bytes of each stored recording, default one second of clip (about 10 kB). */
  recordingBytes?: number;
  /**
   * Answer download requests carrying `Range: bytes=N-` with 206 and the rest of the recording.
   * Default false: the header is ignored (200, whole recording); isapi.md does not say devices honour it.
   */
  honourRange?: boolean;
  /** Download throttle from the start (also settable later with setFaults). */
  downloadBytesPerSecond?: number;
  downloadFirstByteMs?: number;
  /** Recordings held on the simulated storage, default 60 (one per 10 minutes before `recordingsEnd`). */
  recordingCount?: number;
  /** End of the stored recordings, default 2024-05-01T12:00:00Z. */
  recordingsEnd?: Date;
  /** Matches per search page at most, default 40. */
  searchPageSize?: number;
  /**
   * Firmware quirks seen in the wild: raw `&` in event XML; a header boundary other than the literal
   * `--boundary` used; ResponseStatus errors sent with HTTP 200 (isapi.md: "some arrive with 200").
   */
  quirks?: { rawAmpersand?: boolean; mismatchedBoundary?: boolean; errorsWithHttp200?: boolean };
  /** Namespace of the XML documents, default `http://www.hikvision.com/ver20/XMLSchema`. */
  namespace?: string;
}

export interface HikvisionStats {
  requests: number;
  /** 401 answers sent. */
  unauthorized: number;
  /** Requests that carried credentials which did not verify. */
  failedLogins: number;
  /** Requests refused while the IP was locked out. */
  lockedOut: number;
  /** Replayed (nonce, nc) pairs refused. */
  replays: number;
  /** 401 answers sent with stale=TRUE. */
  stale: number;
  alertStreamsOpened: number;
  alertStreamsOpen: number;
  connectionsOpened: number;
  connectionsOpen: number;
  /** Most connections open at the same time since start. */
  connectionsMaxOpen: number;
  dropped: number;
  /** Bodies broken off by the truncateBodyNext fault. */
  truncated: number;
  /** Slow bodies (slowBodyMs) the client went away from before their end. */
  abandoned: number;
  serverErrors: number;
  /** Recording downloads answered with media (200 or 206). */
  downloads: number;
  /** Recording downloads whose body is being sent now, and the most at once since start. */
  downloadsOpen: number;
  downloadsMaxOpen: number;
  /** Bytes of recordings sent (what a resume saves shows here). */
  downloadBytesSent: number;
  /** Downloads answered 206 from a Range request. */
  rangeRequests: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
  /** Latency plus jitter the simulator waited before answering this request. */
  delayMs: number;
}

export interface SimulatedOverlay {
  id: number;
  text: string;
  enabled: boolean;
  positionX: number;
  positionY: number;
}

export interface TriggeredEvent {
  type: string;
  channel?: number;
  state?: 'active' | 'inactive';
  description?: string;
}
