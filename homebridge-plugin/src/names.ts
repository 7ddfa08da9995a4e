/** Names Homebridge knows the plugin and its platform by (config.json `platform`). */
export const PLUGIN_NAME = 'homebridge-camflow';
export const PLATFORM_NAME = 'Camflow';
