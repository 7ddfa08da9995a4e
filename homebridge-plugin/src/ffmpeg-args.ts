/**
 * ffmpeg argument lists, built as arrays from pure functions (never by splitting a string: a
 * password or a path with a space stays one argument).
 */

export interface StreamArgsInput {
  /** ffmpeg input options ending with `-i <input>` (core's LiveVideo.input). */
  input: string[];
  /** Pass the source's H.264 through instead of re-encoding. */
  copy: boolean;
  width: number;
  height: number;
  fps: number;
  /** kbit/s */
  bitrate: number;
  payloadType: number;
  ssrc: number;
  mtu: number;
  targetAddress: string;
  targetPort: number;
  /** SRTP master key (16 bytes) and salt (14 bytes) HomeKit sent in SetupEndpoints. */
  srtpKey: Buffer;
  srtpSalt: Buffer;
}

export function ffmpegStreamArgs(input: StreamArgsInput): string[] {
  const video = input.copy
    ? ['-codec:v', 'copy']
    : [
        '-codec:v', 'libx264', '-pix_fmt', 'yuv420p', '-color_range', 'mpeg', '-preset', 'ultrafast', '-tune', 'zerolatency',
        // A key frame every 2 s: a viewer who lost the first one (or joined late) waits 2 s, not libx264's 250 frames.
        '-r', String(input.fps), '-g', String(input.fps * 2), '-filter:v', `scale=${input.width}:${input.height}`,
        '-b:v', `${input.bitrate}k`, '-bufsize', `${input.bitrate * 2}k`, '-maxrate', `${input.bitrate}k`,
      ];
  const params = Buffer.concat([input.srtpKey, input.srtpSalt]).toString('base64');
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input.input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    ...video,
    '-payload_type', String(input.payloadType),
    '-ssrc', String(input.ssrc | 0),
    '-f', 'rtp',
    '-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80',
    '-srtp_out_params', params,
    `srtp://${input.targetAddress}:${input.targetPort}?rtcpport=${input.targetPort}&pkt_size=${Math.min(input.mtu, 1378)}`,
  ];
}

/** The popular plugins' snapshot: one ffmpeg run per request (used by the benchmark as baseline). */
export function ffmpegSnapshotArgs(source: string, width?: number): string[] {
  const scale = width === undefined ? [] : ['-filter:v', `scale=${width}:-2`];
  const input = /^rtsps?:\/\//i.test(source) ? ['-rtsp_transport', 'tcp', '-i', source] : ['-i', source];
  return ['-hide_banner', '-loglevel', 'error', ...input, '-frames:v', '1', ...scale, '-f', 'image2', '-'];
}
