/** What a client saw, normalised across SDKs and raw HTTP so one scenario table can judge it. */
export interface ClientOutcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The assistant's text on success. */
  readonly text: string | undefined;
  /** The error message from the body, in whatever shape the API uses. */
  readonly errorMessage: string | undefined;
  /** The raw body on error (parsed JSON), to check its shape. */
  readonly errorBody: unknown;
}

export function headersToRecord(
  headers: Headers | Record<string, string | string[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
