import { all, api } from '../api';
import { card, fill, h, table } from '../dom';
import { int, when } from '../format';
import { PageDef, problem } from '../page';

interface SessionRow {
  /** The app, on the admin routes. */
  token?: string | null;
  session_id: string;
  agent: string;
  model: string;
  status: 'open' | 'closed';
  busy: boolean;
  created_at: string;
  last_activity_at: string;
  turn_count: number;
}

interface FileRow {
  token?: string | null;
  file_token: string;
  name: string;
  size: number;
  media_type: string;
  created_at: string;
  expires_at: string;
}

/** A button doing `action` once, then redrawing the page (or showing what went wrong). */
function actionButton(label: string, name: string, action: () => Promise<unknown>, after: () => void, status: HTMLElement): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary', 'aria-label': name }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    action().then(after, (error: unknown) => {
      button.disabled = false;
      fill(status, problem(error));
    });
  });
  return button;
}

/**
 * Sessions and files: an app token's own (through its own routes, which may delete its files), or,
 * for the admin, every app's open sessions and live files (GET /admin/sessions, /admin/files).
 */
function workPage(role: 'admin' | 'app'): PageDef {
  const admin = role === 'admin';
  const app = (row: { token?: string | null }) => (admin ? [row.token ?? '—'] : []);
  return {
    path: admin ? 'sessions' : 'work',
    title: 'Sessions and files',
    roles: [role],
    render(root) {
      const status = h('div', { 'aria-live': 'polite' });
      const view = h('div');
      const draw = async () => {
        try {
          const [allSessions, files] = await Promise.all([all<SessionRow>(admin ? '/admin/sessions' : '/sessions'), all<FileRow>(admin ? '/admin/files' : '/files')]);
          const sessions = admin ? allSessions.filter((s) => s.status === 'open').sort((a, b) => (a.token ?? '').localeCompare(b.token ?? '')) : allSessions;
          const closePath = (id: string) => `${admin ? '/admin' : ''}/sessions/${encodeURIComponent(id)}`;
          fill(
            view,
            card(
              admin ? 'Open sessions' : 'Sessions',
              table(
                admin ? 'Open agent sessions of every app' : 'This app’s agent sessions',
                [...(admin ? ['App'] : []), 'Session', 'Agent', 'Model', 'State', 'Turns', 'Opened', 'Last activity', ''],
                sessions.map((s) => [
                  ...app(s),
                  s.session_id,
                  s.agent,
                  s.model,
                  s.status === 'open' ? (s.busy ? 'open, turn running' : 'open') : 'closed',
                  int(s.turn_count),
                  when(s.created_at),
                  when(s.last_activity_at),
                  s.status === 'open' ? actionButton('Close', `Close session ${s.session_id}`, () => api(closePath(s.session_id), { method: 'DELETE' }), () => void draw(), status) : '—',
                ]),
                { class: 'sessions' },
              ),
            ),
            card(
              'Files',
              table(
                admin ? 'Live files of every app' : 'This app’s stored files',
                [...(admin ? ['App'] : []), 'Name', 'Type', 'Size', 'Uploaded', 'Expires', ...(admin ? [] : [''])],
                files.map((f) => [
                  ...app(f),
                  f.name,
                  f.media_type,
                  `${int(f.size)} bytes`,
                  when(f.created_at),
                  when(f.expires_at),
                  ...(admin ? [] : [actionButton('Delete', `Delete file ${f.name}`, () => api(`/files/${encodeURIComponent(f.file_token)}`, { method: 'DELETE' }), () => void draw(), status)]),
                ]),
                { class: 'files' },
              ),
            ),
          );
        } catch (error) {
          fill(view, problem(error));
        }
      };
      fill(root, status, view);
      void draw();
      return () => undefined;
    },
  };
}

export const ownWorkPage = workPage('app');
export const sessionsPage = workPage('admin');
