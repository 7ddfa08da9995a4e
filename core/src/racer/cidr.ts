/** IPv4 CIDR matching for the racer's "keep media on the LAN" policy. */

function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** True when `address` lies in `cidr` (`192.168.0.0/16`; a bare address means /32). Invalid input: false. */
export function ipv4InCidr(address: string, cidr: string): boolean {
  const [network = '', bitsText = '32'] = cidr.split('/');
  const ip = ipv4ToInt(address);
  const base = ipv4ToInt(network);
  const bits = Number(bitsText);
  if (ip === undefined || base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(base / size);
}

export function ipv4InCidrs(address: string, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => ipv4InCidr(address, cidr));
}
