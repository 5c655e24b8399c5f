/** Who signed in, kept in this tab's sessionStorage only: never a cookie, never the URL. */
export interface Signed {
  token: string;
  role: 'admin' | 'app';
  /** The app's name for an app token, `admin` for the admin token. */
  name: string;
}

const KEY = 'clawdforge.console';

export function signedIn(): Signed | null {
  const raw = sessionStorage.getItem(KEY);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as Signed;
  } catch {
    return null;
  }
}

export function signIn(signed: Signed): void {
  sessionStorage.setItem(KEY, JSON.stringify(signed));
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
