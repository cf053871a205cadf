/**
 * True when the database refused the data itself (a constraint, a value it cannot store),
 * so writing the same rows again would fail again; false for everything that may pass on a
 * retry: a refused or broken connection, a locked, read-only or full file, a timeout.
 */
export function isDataError(error: unknown): boolean {
  // better-sqlite3 and pg throw these for a value they cannot bind.
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = codeOf(error);
  if (code === undefined) return false;
  if (code.startsWith('SQLITE_')) return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
  // PostgreSQL SQLSTATE classes: 22 data exception, 23 integrity constraint, 54 limit exceeded.
  return /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * One line for the log and /readyz. Connection errors to a host with several addresses
 * arrive as an AggregateError whose own message is empty.
 */
export function describeDatabaseError(error: unknown): string {
  let described = error;
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    described = error.errors[0];
  }
  const message = described instanceof Error ? described.message : String(described);
  const code = codeOf(described);
  const line = code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
