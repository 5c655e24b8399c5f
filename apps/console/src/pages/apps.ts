import { all, api, jsonBody } from '../api';
import { copyButton } from '../copy';
import { card, fill, h, table } from '../dom';
import { monthStart, usd, when } from '../format';
import { limitInputs, limitsOf, limitsSummary } from '../limits-form';
import { PageDef, problem } from '../page';
import { snippets } from '../snippets';
import type { TokenRow, UsageGroup } from '../types';

/** A modal dialog holding `form`, removed from the page once closed. */
function openDialog(title: string, form: HTMLFormElement): HTMLDialogElement {
  const titleId = `dialog-${Date.now()}`;
  const dialog = h('dialog', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), form);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  return dialog;
}

function editLimits(token: TokenRow, done: () => void): void {
  const status = h('div');
  const form = h(
    'form',
    null,
    limitInputs('edit', token),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save limits'), h('button', { type: 'button', class: 'secondary', value: 'cancel' }, 'Cancel')),
    status,
  );
  const dialog = openDialog(`Limits of ${token.name}`, form);
  form.querySelector('button[value=cancel]')!.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api(`/admin/tokens/${encodeURIComponent(token.name)}`, { method: 'PATCH', body: jsonBody(limitsOf(form, 'null')) }).then(
      () => {
        dialog.close();
        done();
      },
      (error: unknown) => fill(status, problem(error)),
    );
  });
}

function confirmRevoke(token: TokenRow, done: () => void): void {
  const status = h('div');
  const keep = h('button', { type: 'button', class: 'secondary' }, 'Keep it');
  const form = h(
    'form',
    null,
    h('p', null, 'Every request with this token is refused (401) from the next one on. This cannot be undone; mint a new token of the same name to let the app in again.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, `Revoke ${token.name}`), keep),
    status,
  );
  const dialog = openDialog(`Revoke the token of ${token.name}?`, form);
  keep.addEventListener('click', () => dialog.close());
  keep.focus();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api(`/admin/tokens/${encodeURIComponent(token.name)}`, { method: 'DELETE' }).then(
      () => {
        dialog.close();
        done();
      },
      (error: unknown) => fill(status, problem(error)),
    );
  });
}

/** The plaintext of a token just minted, once, with how to use it. */
function minted(name: string, token: string): HTMLElement {
  return card(
    `Token for ${name}`,
    h('p', null, 'Shown this once: the gateway keeps only its hash. Put it in the app’s environment now.'),
    h('label', { for: 'minted-token' }, 'Token'),
    h('input', { id: 'minted-token', class: 'plaintext', readonly: true, value: token }),
    h('div', { class: 'actions' }, copyButton(token, 'Copy token')),
    snippets(location.origin, token).map((s) => {
      const id = `snippet-${s.language.toLowerCase()}`;
      return h('div', { class: 'snippet' }, h('h3', { id }, s.language), h('pre', { tabindex: '0', 'aria-labelledby': id }, h('code', null, s.code)), copyButton(s.code, `Copy ${s.language}`));
    }),
  );
}

export const appsPage: PageDef = {
  path: 'apps',
  title: 'Apps and tokens',
  roles: ['admin'],
  render(root) {
    const list = h('div');
    const result = h('div', { 'aria-live': 'polite' });
    const reload = async () => {
      try {
        const [tokens, month] = await Promise.all([
          all<TokenRow>('/admin/tokens'),
          api<{ items: UsageGroup[] }>(`/admin/usage?group_by=token&limit=1000&since=${monthStart().toISOString()}`),
        ]);
        const spent = new Map(month.items.map((g) => [g.token, g.cost_usd]));
        const rows = tokens.map((t) => {
          const live = t.revoked_at === null;
          const edit = h('button', { type: 'button', class: 'secondary' }, 'Edit limits');
          edit.setAttribute('aria-label', `Edit limits of ${t.name}`);
          edit.addEventListener('click', () => editLimits(t, () => void reload()));
          const revoke = h('button', { type: 'button', class: 'danger' }, 'Revoke');
          revoke.setAttribute('aria-label', `Revoke ${t.name}`);
          revoke.addEventListener('click', () => confirmRevoke(t, () => void reload()));
          return [
            t.name,
            live ? 'live' : `revoked ${when(t.revoked_at)}`,
            when(t.last_used_at),
            t.models === null ? 'any' : t.models.join(', '),
            t.ip_cidrs === null || t.ip_cidrs.length === 0 ? 'any allowed' : t.ip_cidrs.join(', '),
            limitsSummary(t),
            usd(spent.get(t.name) ?? 0),
            live ? h('div', { class: 'actions' }, edit, revoke) : '—',
          ];
        });
        fill(list, table('Every token, oldest first', ['App', 'State', 'Last used', 'Models', 'Networks', 'Limits', 'Spend this month', 'Actions'], rows, { class: 'tokens' }));
      } catch (error) {
        fill(list, problem(error));
      }
    };
    const form = h(
      'form',
      { 'aria-label': 'Mint a token' },
      h('label', { for: 'mint-name' }, 'App name'),
      h('input', { id: 'mint-name', name: 'name', required: true, autocomplete: 'off', 'aria-describedby': 'mint-name-hint' }),
      h('p', { id: 'mint-name-hint', class: 'hint' }, 'lowercase letters, digits, _ and -, at most 64'),
      limitInputs('mint'),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Mint token')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
      api<{ token: string; name: string }>('/admin/tokens', { method: 'POST', body: jsonBody({ name, ...limitsOf(form, 'omit') }) }).then(
        (created) => {
          form.reset();
          fill(result, minted(created.name, created.token));
          void reload();
        },
        (error: unknown) => fill(result, problem(error)),
      );
    });
    fill(root, card('Mint a token', form), result, card('Tokens', list));
    void reload();
    return () => document.querySelectorAll('dialog').forEach((d) => d.remove());
  },
};
