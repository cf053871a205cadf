import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../config/load.js';
import type {
  AttemptStart,
  AttemptWatch,
  InterceptionObserver,
  InterceptionStart,
  InterceptionWatch,
} from '../interception/observer.js';
import type { Logger } from '../log/logger.js';
import { redactedUrl } from '../log/redacted-url.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';
import { attemptStem, dumpStem } from './dump-paths.js';
import { DumpWriter, type DumpStats } from './dump-writer.js';
import { requestHead, responseHead } from './message-heads.js';
import { SecretScrubber } from './secret-scrubber.js';

/**
 * The dump's settings, swapped whole by `configure` (a reload): interceptions already
 * started finish with the settings they started with.
 */
export interface DumpSettings {
  /** `dump_dir`; undefined: nothing is dumped. */
  readonly dir: string | undefined;
  /**
   * Every secret the configuration holds (provider keys, gateway tokens, the admin token):
   * replaced by its masked hint wherever it appears in a dumped byte.
   */
  readonly secrets: readonly string[];
  /** Each provider's base URL, so that a dumped request line names where it went. */
  readonly baseUrls: Readonly<Record<string, string>>;
}

export interface ApiDumpOptions {
  readonly logger: Logger;
  /** Bytes queued in memory at most (default 64 MiB); past it, files are cut short. */
  readonly budgetBytes?: number;
}

const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;

/** The dump's settings from a configuration: its directory and every secret it holds. */
export function dumpSettingsOf(config: GatewayConfig): DumpSettings {
  return {
    dir: config.dumpDir,
    secrets: [
      ...config.providers.flatMap((provider) => provider.keys),
      ...config.auth.tokens.map((entry) => entry.token),
      ...(config.adminToken === undefined ? [] : [config.adminToken]),
    ],
    // A base URL may carry a password (http://user:pass@host/): shown replaced.
    baseUrls: Object.fromEntries(
      config.providers.map((p) => [p.name, redactedUrl(p.baseUrl.href)]),
    ),
  };
}

/** The caller's own provider credential, as sent (BYOK): a secret of this interception only. */
function byokSecret(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
}

/**
 * The API dump: with `dump_dir` set, every upstream attempt of every interception (bridged
 * or passthrough) is written as it happens, its request to `<stem>.req` and the answer as
 * received to `<stem>.resp`, under `dump_dir/<provider>/<model>/<date>/<time>-<id>`
 * (`passthrough` in place of the model for passthrough calls). Credential headers become
 * masked hints and every known secret is replaced wherever it appears. An observer: it
 * only queues bytes, and writing them can never fail or slow a request.
 */
export class ApiDump implements InterceptionObserver {
  private current: DumpSettings;
  private readonly writer: DumpWriter;

  constructor(settings: DumpSettings, options: ApiDumpOptions) {
    this.current = settings;
    this.writer = new DumpWriter({
      logger: options.logger,
      budgetBytes: options.budgetBytes ?? DEFAULT_BUDGET_BYTES,
    });
  }

  get settings(): DumpSettings {
    return this.current;
  }

  /** Takes new settings (a reload turning the dump on, off or elsewhere). */
  configure(settings: DumpSettings): void {
    this.current = settings;
  }

  stats(): DumpStats {
    return this.writer.stats();
  }

  /** Resolves once everything queued so far is written or given up. */
  idle(): Promise<void> {
    return this.writer.idle();
  }

  start(start: InterceptionStart): InterceptionWatch | undefined {
    const { dir, secrets, baseUrls } = this.current;
    if (dir === undefined) return undefined;
    const own = start.credentialKind === 'byok' ? byokSecret(start.headers) : undefined;
    const known = own === undefined ? secrets : [...secrets, own];
    const stem = dumpStem(
      dir,
      start.provider,
      start.kind === 'passthrough' ? 'passthrough' : (start.model ?? 'unknown'),
      start.startedAt,
      start.id,
    );
    let attempts = 0;
    return {
      attempt: (attempt) => {
        attempts++;
        const target = `${baseUrls[start.provider] ?? '/'}${attempt.path}`;
        return this.dumpAttempt(start, attempt, target, attemptStem(stem, attempts), {
          number: attempts,
          secrets: known,
        });
      },
    };
  }

  private dumpAttempt(
    start: InterceptionStart,
    attempt: AttemptStart,
    target: string,
    stem: string,
    { number, secrets }: { number: number; secrets: readonly string[] },
  ): AttemptWatch {
    const comment = [
      `switchyard ${start.kind} interception ${start.id}`,
      start.dialect,
      `attempt ${number}`,
      attempt.iteration > 0 ? `agentic iteration ${attempt.iteration}` : undefined,
      `key ${attempt.keyHint}`,
      new Date(attempt.startedAt).toISOString(),
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    const request = this.writer.open(`${stem}.req`, new SecretScrubber(secrets));
    request.write(requestHead(comment, attempt.method, target, attempt.headers));
    if (attempt.body !== undefined) request.write(attempt.body);
    request.end();
    const response = this.writer.open(`${stem}.resp`, new SecretScrubber(secrets));
    let answered = false;
    return {
      head: (status, headers) => {
        answered = true;
        response.write(responseHead(status, headers));
      },
      data: (chunk) => {
        response.write(chunk);
      },
      end: (ended: UpstreamAttempt, error: unknown) => {
        if (!answered) response.write(`# switchyard: no answer (${ended.error ?? 'none'})\n`);
        else if (error !== undefined && error !== null) {
          const reason = error instanceof Error ? error.message : 'failed';
          response.write(`\n# switchyard: the answer broke off (${reason})\n`);
        }
        response.end();
      },
    };
  }
}
