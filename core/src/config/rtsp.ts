import { z } from 'zod';
import { cameraIdSchema, duration } from './common.js';

/**
 * Any camera with an RTSP stream (`type: rtsp`): clips by stream copy, snapshots through ffmpeg (or an
 * HTTP snapshot URL), gray frames for motion, and an optional pre-event buffer.
 */
export const rtspCameraConfig = z.strictObject({
  id: cameraIdSchema,
  name: z.string().min(1).optional(),
  type: z.literal('rtsp'),
  url: z
    .string()
    .regex(/^rtsps?:\/\/[^\s/@]+(:\d+)?(\/[^\s]*)?$/, 'expected rtsp://host[:port]/path without user:password@ (put them in username and password)')
    .meta({ description: "The camera's stream, e.g. rtsp://192.168.1.20:554/Streaming/Channels/101 (credentials go in username and password)" }),
  username: z.string().optional().meta({ description: 'Stream login (digest or basic, as the camera asks)' }),
  password: z.string().optional().meta({ description: 'Stream password; put it in ${CAMERA_PASSWORD}' }),
  snapshot_url: z
    .string()
    .regex(/^https?:\/\/[^\s@]+$/, 'expected http(s)://host/path without user:password@')
    .optional()
    .meta({ description: 'A JPEG from the camera over HTTP (same credentials), faster than a frame from the stream' }),
  transport: z.enum(['tcp', 'udp']).default('tcp').meta({ description: 'RTP over the RTSP connection (tcp, robust) or UDP' }),
  pre_event: duration('0s').meta({ description: 'Keep this much of the stream (e.g. 10s) so a clip starts before its trigger. 0: off' }),
  timeout: duration('10s').meta({ description: 'Time to open the stream or get a snapshot' }),
  ffmpeg: z.string().min(1).default('ffmpeg').meta({ description: 'The ffmpeg to run (default: the one on PATH)' }),
});

export type RtspCameraConfig = z.output<typeof rtspCameraConfig>;
