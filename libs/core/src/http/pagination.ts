import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { codeList } from '../errors/error-codes';
import { InvalidRequestError } from '../errors/http-errors';

export const MAX_PAGE_SIZE = 1000;

/** The 400 answers of a paged list, for its Swagger description. */
export const PAGE_QUERY_ERRORS = `${codeList('invalid_request')} naming \`limit\` or another bad query field, ${codeList('invalid_cursor')}`;

export class PageQueryDto {
  @ApiPropertyOptional({ type: Number, description: `Page size, 1..${MAX_PAGE_SIZE}`, default: 100, example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `limit must be at most ${MAX_PAGE_SIZE}` })
  limit: number = 100;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

/** Cursors are opaque to clients: the last row id of the page, base64url-wrapped. */
export function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return id;
  } catch {
    // falls through to the error below
  }
  throw new InvalidRequestError('cursor is not a cursor this server issued', 'cursor', 'invalid_cursor');
}

export interface Page<T> {
  ok: true;
  items: T[];
  next_cursor: string | null;
}

/**
 * Builds a page from `limit + 1` rows fetched in page order: the extra row only says more exist.
 * `positionOf` gives the row's numeric key that the next page continues from.
 */
export function toPage<R, T>(rows: readonly R[], limit: number, view: (row: R) => T, positionOf: (row: R) => number = (row) => (row as { id: number }).id): Page<T> {
  const pageRows = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    ok: true,
    items: pageRows.map(view),
    next_cursor: more ? encodeCursor(positionOf(pageRows[pageRows.length - 1])) : null,
  };
}
