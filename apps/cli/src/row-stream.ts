import { CliPrinter, oneLine } from './cli-printer';

export interface StreamColumn {
  header: string;
  /** Cells are padded to it; a longer one is printed whole and pushes the rest of its row along. */
  width: number;
  alignRight?: boolean;
}

/**
 * A table printed a row at a time, for rows that arrive over time (audit tail --follow): widths are
 * fixed up front, the header is printed once, and every row is exactly one line.
 */
export class RowStream {
  constructor(
    private readonly printer: CliPrinter,
    private readonly columns: readonly StreamColumn[],
  ) {}

  header(): void {
    this.row(this.columns.map((column) => column.header));
  }

  row(cells: string[]): void {
    const padded = cells.map((cell, i) => {
      const column = this.columns[i];
      const text = oneLine(cell);
      if (!column) return text;
      return column.alignRight ? text.padStart(column.width) : text.padEnd(column.width);
    });
    this.printer.out(padded.join('  ').trimEnd());
  }
}
