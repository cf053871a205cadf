/** Where interceptions are recorded: the `database` setting, read. */
export type DatabaseTarget =
  | { readonly engine: 'sqlite'; readonly path: string }
  | { readonly engine: 'postgres'; readonly url: string }
  | { readonly engine: 'off' };

export const DEFAULT_DATABASE = 'sqlite:./switchyard.db';

export const DATABASE_EXPECTED =
  'expected sqlite:PATH (e.g. sqlite:./switchyard.db), postgres://USER@HOST/DB or off';

/** Undefined when the value is none of the three forms. */
export function parseDatabaseTarget(value: string): DatabaseTarget | undefined {
  const trimmed = value.trim();
  if (trimmed === 'off') return { engine: 'off' };
  if (trimmed.startsWith('sqlite:')) {
    const path = trimmed.slice('sqlite:'.length);
    return path === '' ? undefined : { engine: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      return url.hostname === '' && !url.searchParams.has('host')
        ? undefined
        : { engine: 'postgres', url: trimmed };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** For logs and /readyz: the engine and where, never the password of a PostgreSQL URL. */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  switch (target.engine) {
    case 'off':
      return 'off';
    case 'sqlite':
      return `sqlite:${target.path}`;
    case 'postgres': {
      const url = new URL(target.url);
      return `postgres://${url.host}${url.pathname}`;
    }
  }
}
