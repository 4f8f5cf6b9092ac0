import { GraphError, ResponseType, RetryHandlerOptions, type Client } from '@microsoft/microsoft-graph-client';
import { READ_REQUIREMENTS } from '../../domain/access-requirements';
import { systemClock } from '../../domain/clock';
import { retryAfterMs } from '../../domain/retry-after';
import { TenantAccessError } from '../../domain/tenant-access-error';
import { normaliseColumn } from '../../domain/usage';
import type { ReportCall, ReportRow, UsageReportGraph } from '../../usecases/usage/ports';
import { explainTenantError, type TenantContext } from './graph-errors';

const REPORTS = { permission: READ_REQUIREMENTS.copilot_usage.permission };
/** Rows handed over at a time: small enough to bound memory, large enough for few SQLite transactions. */
const BATCH_ROWS = 2000;
/**
 * Retry-After up to this is waited for (a passing 429/503); longer means the app's report budget
 * (14 CSV / 100 JSON requests per 10 minutes) is spent, and waiting would only stall the sync.
 */
const MAX_RETRY_WAIT_SECONDS = 30;

function retryOptions(): RetryHandlerOptions {
  return new RetryHandlerOptions(3, 3, (_delay, _attempt, _request, _options, response) => {
    const raw = response?.headers?.get('Retry-After');
    // No usable Retry-After: the client's own backoff, which stays short.
    const waitMs = retryAfterMs(raw, systemClock());
    return waitMs === undefined || waitMs <= MAX_RETRY_WAIT_SECONDS * 1000;
  });
}

/** Microsoft Graph's usage reports for one tenant. */
export class GraphUsageReports implements UsageReportGraph {
  constructor(
    private readonly client: Client,
    private readonly ctx: TenantContext,
  ) {}

  async readCsv(
    call: ReportCall,
    onBatch: (rows: ReportRow[], columns: string[]) => void | Promise<void>,
  ): Promise<{ requests: number }> {
    let response: Response;
    try {
      response = (await this.request(call.path)
        .middlewareOptions([retryOptions()])
        .responseType(ResponseType.RAW)
        .get()) as Response;
    } catch (error) {
      throw this.explain(error, call);
    }
    if (!response.ok) throw this.explain(await errorOf(response), call);
    // The report call and the download it redirected to.
    const fn = /\/(\w+)\(/.exec(call.path)?.[1] ?? '';
    const requests = response.redirected || (response.url !== '' && !response.url.includes(fn)) ? 2 : 1;
    if (!response.body) throw this.cut(call, 'the download had no body');
    const parser = new CsvParser();
    let columns: string[] | null = null;
    let batch: ReportRow[] = [];
    const take = async (fields: string[]): Promise<void> => {
      if (columns === null) {
        columns = fields.map((f, i) => normaliseColumn(i === 0 ? f.replace(/^\uFEFF/, '') : f));
        return;
      }
      if (fields.length === 1 && fields[0] === '') return;
      const row: ReportRow = {};
      for (let i = 0; i < columns.length; i++) {
        const v = fields[i];
        row[columns[i] as string] = v === undefined || v === '' ? null : v;
      }
      if (fields.length !== columns.length)
        row['__malformed'] = `${fields.length} fields, header has ${columns.length}`;
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        const full = batch;
        batch = [];
        await onBatch(full, columns);
      }
    };
    const decoder = new TextDecoder('utf-8');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const fields of parser.push(decoder.decode(chunk, { stream: true }))) await take(fields);
      }
      for (const fields of parser.end(decoder.decode())) await take(fields);
    } catch (error) {
      if (error instanceof TenantAccessError) throw error;
      throw this.cut(
        call,
        error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
          : String(error),
      );
    }
    if (columns === null) throw this.cut(call, 'the download was empty (not even a header)');
    if (parser.inQuotes) throw this.cut(call, 'the download ended inside a quoted value');
    if (batch.length > 0) await onBatch(batch, columns);
    return { requests };
  }

  async readJson(
    call: ReportCall,
    options: { firstPageOnly?: boolean } = {},
  ): Promise<{ rows: ReportRow[]; requests: number }> {
    const rows: ReportRow[] = [];
    let requests = 0;
    let next: string | undefined = call.path;
    while (next) {
      let page: { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
      try {
        page = (await this.request(next).middlewareOptions([retryOptions()]).get()) as typeof page;
      } catch (error) {
        throw this.explain(error, call);
      }
      requests++;
      for (const item of page.value ?? []) {
        const row: ReportRow = {};
        for (const [k, v] of Object.entries(item))
          row[normaliseColumn(k)] =
            v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
        rows.push(row);
      }
      next = options.firstPageOnly ? undefined : page['@odata.nextLink'];
    }
    return { rows, requests };
  }

  async reportSettings(): Promise<{ displayConcealedNames: boolean }> {
    try {
      const body = (await this.client.api('/admin/reportSettings').get()) as { displayConcealedNames?: unknown };
      return { displayConcealedNames: body.displayConcealedNames === true };
    } catch (error) {
      throw explainTenantError(error, this.ctx, 'reading the report settings (/admin/reportSettings)', {
        permission: READ_REQUIREMENTS.report_settings.permission,
      });
    }
  }

  async setDisplayConcealedNames(value: boolean): Promise<void> {
    try {
      await this.client.api('/admin/reportSettings').patch({ displayConcealedNames: value });
    } catch (error) {
      throw explainTenantError(
        error,
        this.ctx,
        `${value ? 'restoring' : 'turning off'} report name concealment (/admin/reportSettings)`,
        { permission: 'ReportSettings.ReadWrite.All' },
      );
    }
  }

  /** Paths name their Graph version (reports live in both); the client would otherwise prefix its default one. */
  private request(pathOrUrl: string) {
    const m = /^\/(v1\.0|beta)(\/.*)$/.exec(pathOrUrl);
    return m ? this.client.api(m[2] as string).version(m[1] as string) : this.client.api(pathOrUrl);
  }

  private explain(error: unknown, call: ReportCall): TenantAccessError {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 429) {
      const graphError = error as GraphError;
      const waitMs = retryAfterMs(graphError.headers?.get('Retry-After'), systemClock());
      return new TenantAccessError(
        'report_budget_exhausted',
        `Microsoft Graph throttled ${call.doing}: this app's report budget (14 CSV / 100 JSON requests per 10 minutes per tenant) is spent${waitMs ? `; Graph asks to retry after ${Math.ceil(waitMs / 1000)} s` : ''}. The stored report is kept; the next sync reads it again.`,
        429,
        graphError.message,
      );
    }
    return explainTenantError(error, this.ctx, call.doing, REPORTS);
  }

  private cut(call: ReportCall, why: string): TenantAccessError {
    return new TenantAccessError(
      'report_download_failed',
      `The report download was cut short while ${call.doing} (${why}). Nothing of it was stored; the previous report is kept and the next sync downloads it again.`,
    );
  }
}

/** Graph's error body of a RAW response, as the GraphError the client would have thrown. */
async function errorOf(response: Response): Promise<GraphError> {
  let code = `http_${response.status}`;
  let message = response.statusText || 'no message';
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON: keep the status line.
  }
  const error = new GraphError(response.status, message);
  error.code = code;
  error.headers = response.headers;
  return error;
}

/** RFC 4180 CSV, fed in chunks: quoted fields may span chunks and lines. */
export class CsvParser {
  private field = '';
  private fields: string[] = [];
  inQuotes = false;
  private quotePending = false;

  push(text: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          this.field += c;
          continue;
        }
      }
      if (c === '"' && this.field === '') this.inQuotes = true;
      else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
      } else if (c === '\n') {
        this.fields.push(this.field.endsWith('\r') ? this.field.slice(0, -1) : this.field);
        out.push(this.fields);
        this.fields = [];
        this.field = '';
      } else this.field += c;
    }
    return out;
  }

  end(text: string): string[][] {
    const out = this.push(text);
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field.endsWith('\r') ? this.field.slice(0, -1) : this.field);
      out.push(this.fields);
      this.fields = [];
      this.field = '';
    }
    return out;
  }
}
