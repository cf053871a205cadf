import { buildDashboard } from '../../scripts/build-dashboard.js';

/**
 * Vitest global setup: the gateways that tests start serve /admin from dist/dashboard/, so
 * it is built before any of them, also when vitest runs without `npm run build` first.
 */
export default async function setup(): Promise<void> {
  await buildDashboard();
}
