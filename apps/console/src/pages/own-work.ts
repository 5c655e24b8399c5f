import { all, api } from '../api';
import { card, fill, h, table } from '../dom';
import { int, when } from '../format';
import { PageDef, problem } from '../page';

interface SessionRow {
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

export const ownWorkPage: PageDef = {
  path: 'work',
  title: 'Sessions and files',
  roles: ['app'],
  render(root) {
    const status = h('div', { 'aria-live': 'polite' });
    const view = h('div');
    const draw = async () => {
      try {
        const [sessions, files] = await Promise.all([all<SessionRow>('/sessions'), all<FileRow>('/files')]);
        fill(
          view,
          card(
            'Sessions',
            table(
              'This app’s agent sessions',
              ['Session', 'Agent', 'Model', 'State', 'Turns', 'Opened', 'Last activity', ''],
              sessions.map((s) => [
                s.session_id,
                s.agent,
                s.model,
                s.status === 'open' ? (s.busy ? 'open, turn running' : 'open') : 'closed',
                int(s.turn_count),
                when(s.created_at),
                when(s.last_activity_at),
                s.status === 'open' ? actionButton('Close', `Close session ${s.session_id}`, () => api(`/sessions/${encodeURIComponent(s.session_id)}`, { method: 'DELETE' }), () => void draw(), status) : '—',
              ]),
              { class: 'sessions' },
            ),
          ),
          card(
            'Files',
            table(
              'This app’s stored files',
              ['Name', 'Type', 'Size', 'Uploaded', 'Expires', ''],
              files.map((f) => [
                f.name,
                f.media_type,
                `${int(f.size)} bytes`,
                when(f.created_at),
                when(f.expires_at),
                actionButton('Delete', `Delete file ${f.name}`, () => api(`/files/${encodeURIComponent(f.file_token)}`, { method: 'DELETE' }), () => void draw(), status),
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
