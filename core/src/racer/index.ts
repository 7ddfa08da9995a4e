export { race, orderAttempts } from './race.js';
export { ipv4InCidr, ipv4InCidrs } from './cidr.js';
export * from './types.js';
