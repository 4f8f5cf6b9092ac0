import type { ServerResponse } from 'node:http';
/**
 * RFC 4180 CSV, as Excel opens it: UTF-8 with a byte order mark (without one Excel reads the file as
 * the machine's ANSI code page and "Zoë" comes out as "ZoÃ«"), CRLF line ends, and a field quoted
 * when it holds a comma, a double quote, CR or LF, with its double quotes doubled.
 *
 * Spreadsheet formula injection (OWASP "CSV Injection"): a text cell starting with =, +, -, @, a tab
 * or CR would be run as a formula when the file is opened, so such a cell gets a leading apostrophe,
 * which spreadsheets show as text. Display names and departments come from the directory, where
 * anyone who can edit their profile could plant one. Numbers are written as they are.
 */

export const CSV_BOM = '\uFEFF';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A whole small document (BOM, header, rows); large exports write csvLine per page instead. */
export function csvDocument(headers: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return CSV_BOM + csvLine(headers) + rows.map(csvLine).join('');
}

/** A tenant's name as part of a file name (letters, digits, `.`, `_`, `-`), or its id when nothing is left. */
export function tenantFileName(tenant: { tenantName: string; id: string }): string {
  return tenant.tenantName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || tenant.id;
}

/** The headers of a file download: its type and name; never cached (it holds people's data), never sniffed. */
export function downloadHeaders(contentType: string, fileName: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Writes a chunk of a download; when the socket's buffer is full, waits for it to drain (or close). */
export function writeDownload(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return drained(res);
}

/** Resolves once the socket can take more (or is closed), so a slow client never makes the server hold a whole file. */
export function drained(res: ServerResponse): Promise<void> {
  if (!res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
