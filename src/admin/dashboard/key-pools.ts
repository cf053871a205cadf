import type { AdminClient } from './admin-client.js';
import type { KeyView, ProviderView } from './api-types.js';
import { fill, h } from './element.js';
import { countdown } from './format.js';
import { Poller } from './poller.js';

interface KeyRow {
  readonly row: HTMLTableRowElement;
  readonly state: HTMLElement;
  readonly cooldown: HTMLElement;
  readonly button: HTMLButtonElement;
  view: KeyView;
  /** performance.now() at which the cooldown ends, as the last poll said. */
  until: number;
}

/**
 * Every provider's key pool, polled every second. Rows are kept and updated in place, so a
 * button stays where it is between polls; the countdown ticks here between polls.
 */
export class KeyPools {
  readonly element: HTMLElement;
  private readonly providers: HTMLElement;
  private readonly rows = new Map<string, KeyRow>();
  private readonly tables = new Map<string, HTMLTableSectionElement>();
  private readonly poller: Poller;
  private ticker: number | undefined;

  constructor(
    private readonly client: AdminClient,
    private readonly report: (error: unknown) => void,
  ) {
    this.providers = h('div', { class: 'providers' });
    this.element = h(
      'section',
      { id: 'keys', 'aria-labelledby': 'keys-title' },
      h('h2', { id: 'keys-title' }, 'Key pools'),
      this.providers,
    );
    this.poller = new Poller(1000, () => this.refresh());
  }

  start(): void {
    this.poller.start();
    this.ticker = window.setInterval(() => {
      this.tick();
    }, 250);
  }

  stop(): void {
    this.poller.stop();
    window.clearInterval(this.ticker);
  }

  private async refresh(): Promise<void> {
    try {
      const providers = await this.client.get<ProviderView[]>('/providers');
      this.render(providers);
    } catch (error) {
      this.report(error);
    }
  }

  private render(providers: readonly ProviderView[]): void {
    if (providers.length === 0 && this.tables.size === 0) {
      fill(this.providers, h('p', { class: 'empty' }, 'No providers are configured.'));
      return;
    }
    const now = performance.now();
    for (const provider of providers) {
      const body = this.table(provider);
      for (const key of provider.keys) {
        const id = `${provider.name}/${String(key.index)}`;
        let row = this.rows.get(id);
        if (row === undefined) {
          row = this.keyRow(provider.name, key);
          this.rows.set(id, row);
          body.append(row.row);
        }
        row.view = key;
        row.until = now + key.cooldown_remaining_ms;
        row.row.dataset['state'] = key.state;
        row.state.textContent = key.state;
        row.state.className = `state state-${key.state}`;
        row.button.hidden = key.state === 'valid';
      }
    }
    this.tick();
  }

  private table(provider: ProviderView): HTMLTableSectionElement {
    let body = this.tables.get(provider.name);
    if (body === undefined) {
      if (this.tables.size === 0) fill(this.providers);
      body = h('tbody');
      this.tables.set(provider.name, body);
      this.providers.append(
        h(
          'div',
          { class: 'provider', 'data-provider': provider.name },
          h('h3', {}, provider.name, ' ', h('span', { class: 'muted' }, provider.type)),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, '#'),
                h('th', {}, 'Key'),
                h('th', {}, 'State'),
                h('th', {}, 'Cooldown'),
                h('th', {}, ''),
              ),
            ),
            body,
          ),
        ),
      );
    }
    return body;
  }

  private keyRow(provider: string, key: KeyView): KeyRow {
    const state = h('span', { class: 'state' });
    const cooldown = h('td', { class: 'cooldown' });
    const button = h('button', { type: 'button', class: 'enable' }, 'Re-enable');
    const row = h(
      'tr',
      { 'data-key': `${provider}/${String(key.index)}` },
      h('td', {}, key.index),
      h('td', {}, h('code', {}, key.hint)),
      h('td', {}, state),
      cooldown,
      h('td', {}, button),
    );
    const entry: KeyRow = { row, state, cooldown, button, view: key, until: 0 };
    button.addEventListener('click', () => {
      void this.enable(provider, entry);
    });
    return entry;
  }

  private async enable(provider: string, row: KeyRow): Promise<void> {
    row.button.disabled = true;
    try {
      await this.client.post(
        `/providers/${encodeURIComponent(provider)}/keys/${String(row.view.index)}/enable`,
      );
      await this.poller.now();
    } catch (error) {
      this.report(error);
    } finally {
      row.button.disabled = false;
    }
  }

  private tick(): void {
    const now = performance.now();
    for (const row of this.rows.values()) {
      const text =
        row.view.state === 'temporary'
          ? countdown(Math.max(0, row.until - now))
          : row.view.state === 'permanent'
            ? 'until re-enabled'
            : '';
      if (row.cooldown.textContent !== text) row.cooldown.textContent = text;
    }
  }
}
