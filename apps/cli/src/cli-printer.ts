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

  /** One value as one line of JSON, for scripts. */
  json(value: unknown): void {
    this.out(JSON.stringify(value));
  }

  /** Rows as aligned columns, headers first. */
  table(headers: string[], rows: string[][]): void {
    const cells = rows.map((row) => row.map(oneLine));
    const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i].length)));
    const format = (line: string[]) => line.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
    this.out(format(headers));
    for (const row of cells) this.out(format(row));
  }
}

/** Control characters (a line break in a client-chosen route, say) would break a row in two. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
