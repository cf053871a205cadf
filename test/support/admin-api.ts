import { request } from 'undici';
import { ADMIN_TOKEN } from './harness.js';

export interface AdminKey {
  readonly index: number;
  readonly hint: string;
  readonly state: 'valid' | 'temporary' | 'permanent';
  readonly cooldown_remaining_ms: number;
}

export interface AdminProvider {
  readonly name: string;
  readonly type: string;
  readonly keys: readonly AdminKey[];
}

/** The admin API's key list, as an operator reads it. */
export async function adminProviders(gatewayUrl: string): Promise<AdminProvider[]> {
  const response = await request(`${gatewayUrl}/admin/api/providers`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (response.statusCode !== 200) {
    throw new Error(`admin API answered ${response.statusCode}: ${await response.body.text()}`);
  }
  return (await response.body.json()) as AdminProvider[];
}

/** One provider's keys from the admin API. */
export async function adminKeys(gatewayUrl: string, provider: string): Promise<AdminKey[]> {
  const found = (await adminProviders(gatewayUrl)).find((p) => p.name === provider);
  if (found === undefined) throw new Error(`the admin API lists no provider ${provider}`);
  return [...found.keys];
}
