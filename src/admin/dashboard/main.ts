import { AdminApiError, AdminClient, Unauthorized } from './admin-client.js';
import type { ProviderView } from './api-types.js';
import { fill, h } from './element.js';
import { InterceptionDetailView } from './interception-detail.js';
import { Interceptions } from './interceptions.js';
import { KeyPools } from './key-pools.js';
import { forgetToken, savedToken, saveToken, takeTokenFromFragment } from './session.js';
import { UsageCharts } from './usage-charts.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const logoutButton = document.getElementById('logout');
const status = document.getElementById('status');

interface Running {
  stop(): void;
}

let running: Running | undefined;
let statusTimer: number | undefined;

/** A problem with one call, shown until the next or for 10 s: polls retry on their own. */
function showStatus(message: string | undefined): void {
  if (status === null) return;
  status.textContent = message ?? '';
  status.hidden = message === undefined;
  window.clearTimeout(statusTimer);
  if (message !== undefined) {
    statusTimer = window.setTimeout(() => {
      showStatus(undefined);
    }, 10_000);
  }
}

function report(error: unknown): void {
  if (error instanceof Unauthorized) return;
  showStatus(error instanceof Error ? error.message : String(error));
}

function setChrome(loggedIn: boolean): void {
  if (nav !== null) nav.hidden = !loggedIn;
  if (logoutButton !== null) logoutButton.hidden = !loggedIn;
}

function logout(message?: string): void {
  running?.stop();
  running = undefined;
  forgetToken();
  showLogin(message);
}

function showLogin(message?: string): void {
  if (app === null) return;
  setChrome(false);
  showStatus(undefined);
  const token = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('h2', {}, 'Log in'),
    h('label', { for: 'token' }, 'Admin token (admin.token)'),
    token,
    h('button', { type: 'submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void logIn(token.value.trim(), (text) => {
      error.textContent = text;
    });
  });
  fill(app, form);
  token.focus();
}

/** Checks the token with one call before showing anything, so a wrong one is said at once. */
async function logIn(token: string, fail: (message: string) => void): Promise<void> {
  if (token === '') return;
  const probe = new AdminClient(token, () => undefined);
  try {
    await probe.get<ProviderView[]>('/providers');
  } catch (error) {
    if (error instanceof Unauthorized) fail('That token was refused.');
    else if (error instanceof AdminApiError) fail(error.message);
    else
      fail(`The gateway did not answer: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  saveToken(token);
  showDashboard(token);
}

function showDashboard(token: string): void {
  if (app === null) return;
  setChrome(true);
  // Every poll may get the 401 at once: the first one logs out, the others find it done.
  let active = true;
  const client = new AdminClient(token, () => {
    if (!active) return;
    logout('Your admin token was refused; log in again.');
  });
  const detail = new InterceptionDetailView(client, report);
  const parts = [
    new KeyPools(client, report),
    new UsageCharts(client, report),
    new Interceptions(client, detail, report),
  ];
  fill(app, ...parts.map((part) => part.element), detail.element);
  for (const part of parts) part.start();
  running = {
    stop: () => {
      active = false;
      for (const part of parts) part.stop();
    },
  };
}

logoutButton?.addEventListener('click', () => {
  logout();
});

/** A `#token=` link opened in this tab (a new load, or only the fragment changed). */
function logInFromFragment(): boolean {
  const token = takeTokenFromFragment();
  if (token === undefined) return false;
  running?.stop();
  running = undefined;
  void logIn(token, (message) => {
    showLogin(message);
  });
  return true;
}

window.addEventListener('hashchange', () => {
  logInFromFragment();
});

if (!logInFromFragment()) {
  const saved = savedToken();
  if (saved === undefined) showLogin();
  else showDashboard(saved);
}
