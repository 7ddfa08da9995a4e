/**
 * Live video as an ffmpeg input: what a front-end that streams (HomeKit) runs ffmpeg on, whatever the
 * camera kind. A URL kind (RTSP, Hikvision) is its URL; Ring hands over a loopback RTP stream that it
 * keeps alive until closed (see ring/live.ts).
 */

export interface LiveVideo {
  /** ffmpeg input options ending with `-i <input>`. May hold credentials: never log them. */
  readonly input: string[];
  /** What to say about the source in logs (never credentials). */
  readonly description: string;
  /** Settles when the source ends on its own (Ring hung up). A URL source never does. */
  readonly ended: Promise<void>;
  /** Ends the source (Ring: hangs up). Idempotent. */
  close(): Promise<void>;
}

/**
 * A network source read as it comes (RTSP over TCP: no lost packets on a busy Wi-Fi); a file (tests,
 * a looped clip) read at its own pace, forever.
 */
export function urlInputArgs(source: string): string[] {
  if (/^rtsps?:\/\//i.test(source)) return ['-rtsp_transport', 'tcp', '-i', source];
  if (/^[a-z]+:\/\//i.test(source)) return ['-i', source];
  return ['-re', '-stream_loop', '-1', '-i', source];
}

/** A URL (or file) as live video: nothing to open or close. */
export function urlLiveVideo(source: string, input: string[] = urlInputArgs(source)): LiveVideo {
  return { input, description: redactUrl(source), ended: new Promise(() => {}), close: () => Promise.resolve() };
}

/** The URL with its password replaced, for log lines. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@\s]*):[^@/\s]*@/, '//$1:***@');
}
