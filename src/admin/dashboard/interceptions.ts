import type { AdminClient } from './admin-client.js';
import type { InterceptionItem, InterceptionPage } from './api-types.js';
import { fill, h } from './element.js';
import { cost, count, shortTime } from './format.js';
import type { InterceptionDetailView } from './interception-detail.js';
import { Poller } from './poller.js';

const PAGE_SIZE = 50;
const FILTERS = ['user', 'provider', 'model', 'since', 'until'] as const;

function input(name: string, label: string, type = 'text'): HTMLLabelElement {
  return h('label', {}, label, h('input', { name, type, autocomplete: 'off' }));
}

/** A datetime-local value (the viewer's time) as the ISO time the API takes. */
function isoFromLocal(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function itemRow(item: InterceptionItem): HTMLTableRowElement {
  const tokens = `${count(item.usage.input)} / ${count(item.usage.output)}`;
  return h(
    'tr',
    { 'data-id': item.id, tabindex: '0', class: `outcome-${item.outcome}` },
    h('td', { title: item.started_at }, shortTime(item.started_at)),
    h('td', {}, item.user),
    h('td', {}, item.provider),
    h('td', {}, item.model),
    h('td', {}, item.client),
    h('td', {}, item.streaming ? 'stream' : 'blocking'),
    h('td', {}, item.outcome),
    h('td', { class: 'number' }, item.attempts),
    h('td', {}, h('code', {}, item.credential_hint ?? item.credential_kind)),
    h('td', { class: 'number' }, tokens),
    h('td', { class: 'number' }, cost(item.cost_usd)),
  );
}

/**
 * Recent interceptions, newest first, filtered and paged with the API's cursor. The first
 * page refreshes itself; once more pages are loaded it stays put until asked.
 */
export class Interceptions {
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly body: HTMLTableSectionElement;
  private readonly more: HTMLButtonElement;
  private readonly poller: Poller;
  private query = new URLSearchParams();
  private cursor: string | null = null;
  private pages = 0;

  constructor(
    private readonly client: AdminClient,
    private readonly detail: InterceptionDetailView,
    private readonly report: (error: unknown) => void,
  ) {
    this.form = h(
      'form',
      { class: 'filters', role: 'search' },
      input('user', 'User'),
      input('provider', 'Provider'),
      input('model', 'Model'),
      input('since', 'Since', 'datetime-local'),
      input('until', 'Until', 'datetime-local'),
      h('button', { type: 'submit' }, 'Filter'),
      h('button', { type: 'reset' }, 'Clear'),
    );
    this.body = h('tbody');
    this.more = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more');
    this.element = h(
      'section',
      { id: 'interceptions', 'aria-labelledby': 'interceptions-title' },
      h('h2', { id: 'interceptions-title' }, 'Interceptions'),
      this.form,
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'interceptions' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                'Started',
                'User',
                'Provider',
                'Model',
                'Client',
                'Mode',
                'Outcome',
                'Attempts',
                'Key',
                'Tokens in / out',
                'Cost',
              ].map((title) => h('th', {}, title)),
            ),
          ),
          this.body,
        ),
      ),
      this.more,
    );
    this.poller = new Poller(3000, () => this.refreshFirstPage());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.applyFilters();
    });
    this.form.addEventListener('reset', () => {
      window.setTimeout(() => {
        this.applyFilters();
      });
    });
    this.more.addEventListener('click', () => {
      void this.loadMore();
    });
    this.body.addEventListener('click', (event) => {
      this.openFrom(event.target);
    });
    this.body.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.openFrom(event.target);
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  private openFrom(target: EventTarget | null): void {
    const row = target instanceof Element ? target.closest('tr') : null;
    const id = row?.dataset['id'];
    if (id !== undefined) void this.detail.open(id);
  }

  private applyFilters(): void {
    const data = new FormData(this.form);
    const query = new URLSearchParams();
    for (const name of FILTERS) {
      const value = data.get(name);
      if (typeof value !== 'string' || value.trim() === '') continue;
      query.set(name, name === 'since' || name === 'until' ? isoFromLocal(value) : value.trim());
    }
    this.query = query;
    this.pages = 0;
    void this.poller.now();
  }

  private async fetchPage(cursor: string | null): Promise<InterceptionPage> {
    const query = new URLSearchParams(this.query);
    query.set('limit', String(PAGE_SIZE));
    if (cursor !== null) query.set('cursor', cursor);
    return this.client.get<InterceptionPage>('/interceptions', query);
  }

  private async refreshFirstPage(): Promise<void> {
    if (this.pages > 1) return;
    try {
      const page = await this.fetchPage(null);
      const shown = this.body.firstElementChild;
      const first = page.items[0]?.id;
      if (this.pages === 1 && shown instanceof HTMLElement && shown.dataset['id'] === first) {
        return;
      }
      this.pages = 1;
      this.cursor = page.next_cursor;
      if (page.items.length === 0) {
        fill(
          this.body,
          h('tr', {}, h('td', { colspan: '11', class: 'empty' }, 'No interceptions recorded.')),
        );
      } else {
        fill(this.body, ...page.items.map(itemRow));
      }
      this.more.hidden = this.cursor === null;
    } catch (error) {
      this.report(error);
    }
  }

  private async loadMore(): Promise<void> {
    if (this.cursor === null) return;
    this.more.disabled = true;
    try {
      const page = await this.fetchPage(this.cursor);
      this.pages++;
      this.cursor = page.next_cursor;
      this.body.append(...page.items.map(itemRow));
      this.more.hidden = this.cursor === null;
    } catch (error) {
      this.report(error);
    } finally {
      this.more.disabled = false;
    }
  }
}
