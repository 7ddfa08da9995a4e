/** The palette category every camflow node appears under. */
export const PALETTE_CATEGORY = 'camflow';
