export {
  MAX_DRW_DATA,
  MAX_PACKET_SIZE,
  MsgType as PpppMsgType,
  PPPP_MAGIC,
  type Did,
  type MsgTypeName as PpppMsgTypeName,
  type PpppMessage,
  type SockAddr,
  decodeDid,
  decodeSockAddr,
  didEquals,
  encodeDid,
  encodeSockAddr,
  formatDid,
  frame as ppppFrame,
  parseDid,
  unframe as ppppUnframe,
} from './codec.js';
export * from './messages.js';
export * from './artemis-codec.js';
export { ArtemisStreamParser, type StreamItem } from './artemis-stream.js';
export { ArtemisConnection, Channel as ArtemisChannel, THUMBNAIL_HEADER_SIZE, decodeThumbnail, encodeThumbnail, type Thumbnail } from './artemis.js';
export { DrwReceiver, DrwSender } from './drw.js';
export * from './file-codec.js';
export { PpppSession, type PpppSessionOptions, type SessionEvents } from './session.js';
export { type Link, type PathMode, disposeLink } from './handshake.js';
export { type PathContext, directPath, lanPath, p2pPath, relayPath } from './paths.js';
export { DEFAULT_BROADCAST, DEFAULT_LAN_PORT, DEFAULT_SESSION_PORTS, MODE_WEIGHTS, lanSearchTargets, planAttempts, resolveServers } from './plan.js';
export { type MediaItem, type CommandOptions, parseMediaRef } from './media.js';
export { TrailCamClient, type TrailCamClientOptions, type ConnectOptions, type TrailCamEvents } from './client.js';
