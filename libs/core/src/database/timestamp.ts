import { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as ISO-8601 UTC text: readable with the sqlite3 shell and ordered
 * correctly by plain string comparison.
 */
export const isoTimestamp: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};
