/**
 * Whose key pays for an upstream call: one from the provider's pool (with failover), or the
 * caller's own, sent upstream exactly as it arrived (one attempt, no failover).
 */
export type Credential =
  | { readonly kind: 'centralized' }
  | {
      readonly kind: 'byok';
      readonly header: 'x-api-key' | 'authorization';
      /** The secret alone; an `authorization` credential goes back upstream as `Bearer <token>`. */
      readonly token: string;
    };
