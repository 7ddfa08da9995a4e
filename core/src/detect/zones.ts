/** Zones and masks: polygons in image coordinates 0..1. Pure functions. */

export type ZonePoint = readonly [number, number];

export interface Zone {
  name: string;
  points: readonly ZonePoint[];
}

/** Even-odd ray casting; a point on an edge may fall either way, which is fine for pixels. */
export function insidePolygon(x: number, y: number, points: readonly ZonePoint[]): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] as ZonePoint;
    const [xj, yj] = points[j] as ZonePoint;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A box [x, y, w, h] in 0..1. */
export type ZoneBox = readonly [number, number, number, number];

/**
 * The zone a detection is in: the first whose polygon holds the box's bottom centre (where a person
 * or a car stands on the ground, which is what a "driveway" zone means). `null` when there are zones
 * and none holds it; `undefined` when no zones are configured (everywhere counts).
 */
export function zoneOf(box: ZoneBox, zones: readonly Zone[]): string | null | undefined {
  if (zones.length === 0) return undefined;
  const x = box[0] + box[2] / 2;
  const y = Math.min(1, box[1] + box[3]);
  for (const zone of zones) if (insidePolygon(x, y, zone.points)) return zone.name;
  return null;
}

/** A per-pixel mask (1 = ignored) for a width x height image, from polygons 0..1. */
export function rasterizeMask(width: number, height: number, polygons: readonly (readonly ZonePoint[])[]): Uint8Array | undefined {
  if (polygons.length === 0) return undefined;
  const mask = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    const y = (row + 0.5) / height;
    for (let col = 0; col < width; col++) {
      const x = (col + 0.5) / width;
      if (polygons.some((points) => insidePolygon(x, y, points))) mask[row * width + col] = 1;
    }
  }
  return mask;
}
