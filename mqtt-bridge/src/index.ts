export { runCli, usage, type RunCliOptions } from './cli/run.js';
export type { CliIo, Command } from './cli/command.js';
export { Bridge, DEFAULT_MQTT_CONFIG, type BridgeOptions } from './bridge/bridge.js';
export { EmbeddedBroker, type EmbeddedBrokerOptions } from './bridge/embedded-broker.js';
export { MqttConnection, backoffDelay, type MqttConnectionOptions, type IncomingMessage } from './bridge/connection.js';
export { Publisher, type MqttSender, type PublishOptions } from './bridge/publisher.js';
export * from './bridge/discovery.js';
export * from './bridge/topics.js';
export type { CameraSource, SourceFactory } from './bridge/camera-source.js';
