/** The token of an `Authorization: Bearer <token>` header value, or undefined. */
export function parseBearer(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^bearer\s+(\S+)\s*$/i.exec(value)?.[1];
}
