import { anthropicMessages } from '../dialects/anthropic-messages/dialect.js';
import type { ApiFamily, Dialect } from '../dialects/dialect.js';
import { openaiChat } from '../dialects/openai-chat/dialect.js';
import { openaiResponses } from '../dialects/openai-responses/dialect.js';
import type { Provider, ProviderType } from '../upstream/provider.js';
import { GatewayError, notFound } from '../errors/gateway-error.js';

/** A path segment we are willing to forward: no dot segments, no encoded slashes. */
const SEGMENT = String.raw`(?!\.\.?(?:/|$))[A-Za-z0-9._~:@-]+`;

interface RouteSpec {
  /** The path below the provider prefix: a literal one, or a pattern. */
  readonly path: string | RegExp;
  readonly methods: readonly string[];
  /** Bridged routes: the API the gateway intercepts. */
  readonly dialect: Dialect | undefined;
  /** Passthrough routes whose answer may be an event stream of this API. */
  readonly streamDialect?: Dialect;
}

interface ProviderKind {
  readonly family: ApiFamily;
  /** The part of the gateway path that the provider's base URL already stands for. */
  readonly basePrefix: string;
  readonly routes: readonly RouteSpec[];
}

/** Literal paths (the bridged APIs' own) in a map, looked up before any pattern runs. */
function exactRoutes(kind: ProviderKind): ReadonlyMap<string, RouteSpec> {
  const exact = new Map<string, RouteSpec>();
  for (const route of kind.routes) if (typeof route.path === 'string') exact.set(route.path, route);
  return exact;
}

type PatternRoute = RouteSpec & { readonly path: RegExp };

/** The patterned routes, tried in order when no literal path matched. */
function patternRoutes(kind: ProviderKind): readonly PatternRoute[] {
  return kind.routes.filter((r): r is PatternRoute => r.path instanceof RegExp);
}

const KINDS: Record<ProviderType, ProviderKind> = {
  anthropic: {
    family: 'anthropic',
    basePrefix: '/',
    routes: [
      { path: '/v1/messages', methods: ['POST'], dialect: anthropicMessages },
      { path: '/v1/messages/count_tokens', methods: ['POST'], dialect: undefined },
      {
        path: new RegExp(`^/v1/models(?:/${SEGMENT})?$`),
        methods: ['GET', 'HEAD'],
        dialect: undefined,
      },
    ],
  },
  openai: {
    family: 'openai',
    basePrefix: '/v1/',
    routes: [
      { path: '/v1/chat/completions', methods: ['POST'], dialect: openaiChat },
      { path: '/v1/responses', methods: ['POST'], dialect: openaiResponses },
      {
        path: new RegExp(`^/v1/models(?:/${SEGMENT})?$`),
        methods: ['GET', 'HEAD'],
        dialect: undefined,
      },
      {
        // Retrieve, delete, cancel, input items of a stored response.
        path: new RegExp(`^/v1/responses(?:/${SEGMENT})+$`),
        methods: ['GET', 'POST', 'DELETE'],
        dialect: undefined,
        // GET /responses/{id}?stream=true replays a stored response's events.
        streamDialect: openaiResponses,
      },
    ],
  },
};

export interface RouteMatch {
  readonly provider: Provider;
  readonly family: ApiFamily;
  /** Set for bridged routes; undefined for passthrough. */
  readonly dialect: Dialect | undefined;
  readonly streamDialect: Dialect | undefined;
  /** Path below the provider's base URL, query string included. */
  readonly upstreamPath: string;
}

const EXACT: Record<ProviderType, ReadonlyMap<string, RouteSpec>> = {
  anthropic: exactRoutes(KINDS.anthropic),
  openai: exactRoutes(KINDS.openai),
};
const PATTERNS: Record<ProviderType, readonly PatternRoute[]> = {
  anthropic: patternRoutes(KINDS.anthropic),
  openai: patternRoutes(KINDS.openai),
};

/** Paths that only OpenAI's API has, to answer strangers in the shape they will understand. */
const OPENAI_LOOKING = /\/(chat\/completions|responses|completions|embeddings)(\/|$)/;

export class RouteTable {
  private readonly providers = new Map<string, Provider>();

  constructor(providers: readonly Provider[]) {
    for (const provider of providers) this.providers.set(provider.name, provider);
  }

  /** The error shape to use for a path, even when it matches nothing. */
  familyFor(path: string, anthropicHint: boolean): ApiFamily {
    const name = path.split('/', 2)[1] ?? '';
    const provider = this.providers.get(name);
    if (provider !== undefined) return KINDS[provider.type].family;
    if (anthropicHint) return 'anthropic';
    return OPENAI_LOOKING.test(path) ? 'openai' : 'anthropic';
  }

  /** Throws 404 for an unknown route and 405 (with Allow) for a known route and wrong method. */
  match(method: string, path: string, query: string): RouteMatch {
    const slash = path.indexOf('/', 1);
    const name = slash === -1 ? path.slice(1) : path.slice(1, slash);
    const provider = this.providers.get(name);
    if (provider === undefined || slash === -1) throw notFound(`no route for ${method} ${path}`);
    const kind = KINDS[provider.type];
    const rest = path.slice(slash);
    const route =
      EXACT[provider.type].get(rest) ?? PATTERNS[provider.type].find((r) => r.path.test(rest));
    if (route === undefined) throw notFound(`no route for ${method} ${path}`);
    if (!route.methods.includes(method)) {
      throw new GatewayError(405, 'method_not_allowed', `${method} is not allowed on ${path}`, {
        allow: route.methods.join(', '),
      });
    }
    return {
      provider,
      family: kind.family,
      dialect: route.dialect,
      streamDialect: route.streamDialect,
      upstreamPath: rest.slice(kind.basePrefix.length) + query,
    };
  }
}
