/** Dollars to the cent, and to a hundredth of a cent below a dollar, where single runs cost fractions of one. */
export const usd = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `$${n < 1 && n > 0 ? n.toFixed(4).replace(/(\.\d\d\d*?)0+$/, '$1') : n.toFixed(2)}`);

export const int = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));

/** A time as UTC, which is how days and budgets are counted. */
export const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—');

export const dayStart = (now = new Date()): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

export const monthStart = (now = new Date()): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
