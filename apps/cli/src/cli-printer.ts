import { Injectable } from '@nestjs/common';

/** Where commands write: stdout for results, stderr for messages. Tests swap it for a recorder. */
@Injectable()
export class CliPrinter {
  out(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  err(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** Rows as aligned columns, headers first. */
  table(headers: string[], rows: string[][]): void {
    const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
    const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    this.out(format(headers));
    for (const row of rows) this.out(format(row));
  }
}
