import './styles.css';
import { api, ApiFailure, UNAUTHORIZED_EVENT } from './api';
import { fill, h } from './dom';
import { Cleanup, PageDef, problem } from './page';
import { appsPage } from './pages/apps';
import { auditPage } from './pages/audit';
import { overviewPage } from './pages/overview';
import { ownUsagePage } from './pages/own-usage';
import { ownWorkPage, sessionsPage } from './pages/work';
import { spendPage } from './pages/spend';
import { Signed, signedIn, signIn, signOut } from './session';

const PAGES: PageDef[] = [overviewPage, appsPage, spendPage, auditPage, sessionsPage, ownUsagePage, ownWorkPage];

const app = document.getElementById('app')!;
let cleanup: Cleanup = () => undefined;

/** Who a token is: the admin token lists tokens, an app token is refused that (403 admin_required) and reads its own usage. */
async function identify(token: string): Promise<Signed> {
  try {
    await api('/admin/tokens?limit=1', {}, token);
    return { token, role: 'admin', name: 'admin' };
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.code !== 'admin_required') throw error;
    const own = await api<{ token: string }>('/usage', {}, token);
    return { token, role: 'app', name: own.token };
  }
}

function signInView(message?: string): void {
  cleanup();
  cleanup = () => undefined;
  document.title = 'Sign in · clawdforge console';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint' });
  const status = h('div', { id: 'sign-in-status' }, message ? h('p', { class: 'problem', role: 'alert' }, message) : null);
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'clawdforge console'),
    h('label', { for: 'token' }, 'Token'),
    input,
    h('p', { id: 'token-hint', class: 'hint' }, 'The admin token (ADMIN_BOOTSTRAP_TOKEN) or an app token (cf_…). It is kept in this tab only, until you sign out or close it.'),
    button,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    fill(status, h('p', { role: 'status' }, 'Signing in…'));
    identify(input.value.trim())
      .then((signed) => {
        signIn(signed);
        location.hash = `#/${signed.role === 'admin' ? 'overview' : 'usage'}`;
        route();
      })
      .catch((error: unknown) => {
        button.disabled = false;
        fill(status, error instanceof ApiFailure && error.status === 401 ? h('p', { class: 'problem', role: 'alert' }, `That token is not valid: ${error.message} (${error.code}).`) : problem(error));
        input.focus();
      });
  });
  fill(app, h('main', { id: 'main' }, form));
  input.focus();
}

function shell(signed: Signed, page: PageDef): HTMLElement {
  const pages = PAGES.filter((p) => p.roles.includes(signed.role));
  const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
  out.addEventListener('click', () => {
    signOut();
    signInView('Signed out.');
  });
  const main = h('main', { id: 'main', tabindex: '-1' }, h('h1', null, page.title), h('div', { id: 'page' }));
  fill(
    app,
    h(
      'header',
      null,
      h('span', { class: 'brand' }, 'clawdforge'),
      h('nav', { 'aria-label': 'Console' }, h('ul', null, pages.map((p) => h('li', null, h('a', { href: `#/${p.path}`, 'aria-current': p === page ? 'page' : null }, p.title))))),
      h('span', { class: 'who' }, `Signed in as ${signed.name}`),
      out,
    ),
    main,
  );
  return main.querySelector<HTMLElement>('#page')!;
}

function route(): void {
  const signed = signedIn();
  if (!signed) return signInView();
  const wanted = location.hash.replace(/^#\//, '');
  const page = PAGES.find((p) => p.path === wanted && p.roles.includes(signed.role)) ?? PAGES.find((p) => p.roles.includes(signed.role))!;
  cleanup();
  document.title = `${page.title} · clawdforge console`;
  cleanup = page.render(shell(signed, page));
}

/** A token revoked or changed while signed in: back to the sign-in form, saying why. */
window.addEventListener(UNAUTHORIZED_EVENT, (event) => {
  signOut();
  signInView(`Signed out: ${(event as CustomEvent<string>).detail}`);
});
window.addEventListener('hashchange', route);
route();
