import type { AdminClient } from './admin-client.js';
import type {
  AttemptView,
  FullUsage,
  InterceptionDetail as Detail,
  ToolCallView,
  UpstreamCallView,
} from './api-types.js';
import { fill, h, type Child } from './element.js';
import { cost, count, localTime, milliseconds } from './format.js';

function field(name: string, ...value: Child[]): HTMLElement[] {
  return [h('dt', {}, name), h('dd', {}, ...value)];
}

function usageText(usage: FullUsage): string {
  const parts = [
    `in ${count(usage.input)}`,
    `out ${count(usage.output)}`,
    `cache read ${count(usage.cache_read)}`,
    `cache write ${count(usage.cache_write)}`,
    `reasoning ${count(usage.reasoning)}`,
    ...Object.entries(usage.other).map(([name, n]) => `${name} ${count(n)}`),
  ];
  return parts.join(' · ');
}

function attemptRow(attempt: AttemptView): HTMLTableRowElement {
  return h(
    'tr',
    { class: attempt.failed_over ? 'failed-over' : '' },
    h('td', {}, h('code', {}, attempt.key_hint)),
    h('td', {}, attempt.status ?? '—'),
    h('td', { class: 'number' }, milliseconds(attempt.latency_ms)),
    h('td', {}, attempt.failed_over ? 'failed over' : ''),
    h('td', {}, attempt.upstream_request_id ?? ''),
    h('td', {}, attempt.error ?? ''),
  );
}

function callSection(call: UpstreamCallView): HTMLElement {
  return h(
    'div',
    { class: 'call' },
    h(
      'h4',
      {},
      call.iteration === 0
        ? 'Upstream call 0 (the request)'
        : `Upstream call ${String(call.iteration)}`,
    ),
    h('p', { class: 'usage' }, usageText(call.usage)),
    h(
      'table',
      { class: 'attempts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Key'),
          h('th', {}, 'Status'),
          h('th', {}, 'Latency'),
          h('th', {}, ''),
          h('th', {}, 'Upstream request'),
          h('th', {}, 'Error'),
        ),
      ),
      h('tbody', {}, ...call.attempts.map(attemptRow)),
    ),
  );
}

function toolRow(tool: ToolCallView): HTMLTableRowElement {
  return h(
    'tr',
    {},
    h('td', {}, tool.iteration),
    h('td', {}, tool.server ?? '—'),
    h('td', {}, h('code', {}, tool.tool)),
    h('td', {}, tool.injected ? 'gateway (MCP)' : 'client'),
    h('td', {}, h('code', { class: 'arguments' }, tool.arguments)),
    h('td', { class: 'number' }, milliseconds(tool.duration_ms)),
    h('td', {}, tool.error ?? ''),
  );
}

function client(detail: Detail): string {
  const language = detail.client_language === null ? '' : ` (${detail.client_language})`;
  const version = detail.client_version === null ? '' : ` ${detail.client_version}`;
  return `${detail.client}${version}${language}`;
}

function render(detail: Detail): Child[] {
  return [
    h('h3', {}, `${detail.model} · ${detail.user}`),
    h(
      'dl',
      { class: 'fields' },
      ...field('ID', h('code', {}, detail.id)),
      ...field('Started', localTime(detail.started_at)),
      ...field('Duration', milliseconds(detail.duration_ms)),
      ...field('Outcome', `${detail.outcome} (${String(detail.status)})`),
      ...(detail.error === null ? [] : field('Error', detail.error)),
      ...field(
        'Provider',
        `${detail.provider} · ${detail.route}${detail.streaming ? ' · streaming' : ''}`,
      ),
      ...field(
        'Credential',
        `${detail.credential_kind}${detail.credential_hint === null ? '' : ` · ${detail.credential_hint}`}`,
      ),
      ...field('Client', client(detail)),
      ...(detail.client_session_id === null ? [] : field('Session', detail.client_session_id)),
      ...(detail.user_agent === null ? [] : field('User agent', h('code', {}, detail.user_agent))),
      ...field('Usage', usageText(detail.usage)),
      ...field('Cost', detail.cost_usd === null ? 'unpriced' : cost(detail.cost_usd)),
    ),
    h('h3', {}, `Upstream calls (${String(detail.upstream_calls.length)})`),
    detail.upstream_calls.length === 0
      ? h('p', { class: 'empty' }, 'No upstream call was made.')
      : h('div', { class: 'calls' }, ...detail.upstream_calls.map(callSection)),
    detail.tool_calls.length === 0
      ? null
      : h(
          'div',
          {},
          h('h3', {}, `Tool calls (${String(detail.tool_calls.length)})`),
          h(
            'table',
            { class: 'tools' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Iter.'),
                h('th', {}, 'Server'),
                h('th', {}, 'Tool'),
                h('th', {}, 'Run by'),
                h('th', {}, 'Arguments'),
                h('th', {}, 'Duration'),
                h('th', {}, 'Error'),
              ),
            ),
            h('tbody', {}, ...detail.tool_calls.map(toolRow)),
          ),
        ),
    h('h3', {}, 'Prompt'),
    detail.prompt === null
      ? h('p', { class: 'empty' }, 'Not recorded (recording.prompts is off, or there was none).')
      : h('pre', { class: 'prompt' }, detail.prompt),
    detail.thoughts === null
      ? null
      : h(
          'details',
          {},
          h('summary', {}, 'Thoughts'),
          h('pre', { class: 'thoughts' }, detail.thoughts),
        ),
  ];
}

/** One interception in full, in a modal dialog. */
export class InterceptionDetailView {
  readonly element: HTMLDialogElement;
  private readonly body: HTMLElement;

  constructor(
    private readonly client: AdminClient,
    private readonly report: (error: unknown) => void,
  ) {
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, 'Close');
    this.body = h('div', { class: 'detail-body' });
    this.element = h(
      'dialog',
      { id: 'detail', 'aria-label': 'Interception detail' },
      h('div', { class: 'detail-head' }, h('h2', {}, 'Interception'), close),
      this.body,
    );
    close.addEventListener('click', () => {
      this.element.close();
    });
  }

  async open(id: string): Promise<void> {
    fill(this.body, h('p', { class: 'muted' }, 'Loading…'));
    if (!this.element.open) this.element.showModal();
    try {
      const detail = await this.client.get<Detail>(`/interceptions/${encodeURIComponent(id)}`);
      fill(this.body, ...render(detail));
      this.element.dataset['id'] = detail.id;
    } catch (error) {
      this.element.close();
      this.report(error);
    }
  }
}
