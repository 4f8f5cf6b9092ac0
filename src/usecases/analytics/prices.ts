import { currencyProblem } from '../../domain/currency';
import { clip } from '../../domain/text';

/** How much of what an admin typed is echoed back in an error. */
const MAX_ECHO_CHARS = 60;
import type { SkuRow } from '../../domain/directory';
import { formatMoney, priceOf, type SkuPrice } from '../../domain/seat-savings';
import type { PriceBook } from './ports';

export type PricedSkuRef = Pick<SkuRow, 'skuId' | 'skuPartNumber' | 'productName' | 'isCopilot'>;

export interface PricedSku extends PricedSkuRef {
  /** Null: nobody priced it, so its costs are null (never 0). */
  price: SkuPrice | null;
}

export type PriceProblem = { code: 'unknown_sku' | 'invalid_amount' | 'invalid_currency'; message: string };

export interface PriceDeps {
  book: PriceBook;
  /** The tenant's SKUs as last synced. */
  skus: (tenantId: string) => PricedSkuRef[];
  /** SKU_PRICES, keyed by lower-case SKU id or part number. */
  configPrices: ReadonlyMap<string, Omit<SkuPrice, 'skuId'>>;
  /** PRICE_CURRENCY: what a price typed in chat is in. */
  currency: string;
}

/** Prices per user per month: a cap that catches a typo (an amount in cents) without getting in the way. */
export const MAX_PRICE = 100_000;

/**
 * Prices of a tenant's SKUs and who set them: an admin's, else SKU_PRICES, else the Copilot list
 * price. Read on every answer, so a price set now shows in /licenses and savings at once.
 */
export class PriceService {
  constructor(private readonly deps: PriceDeps) {}

  /** The price of each of a tenant's SKUs by id (lower-case), for licence costs and savings. */
  priceFor(tenantId: string): (skuId: string) => SkuPrice | null {
    const admin = this.deps.book.adminPrices(tenantId);
    const config = this.configById(this.deps.skus(tenantId));
    return (skuId) => priceOf(skuId, admin, config);
  }

  list(tenantId: string): PricedSku[] {
    const skus = this.deps.skus(tenantId);
    const admin = this.deps.book.adminPrices(tenantId);
    const config = this.configById(skus);
    return [...skus]
      .sort((a, b) => Number(b.isCopilot) - Number(a.isCopilot) || a.skuPartNumber.localeCompare(b.skuPartNumber))
      .map((s) => ({ ...s, price: priceOf(s.skuId, admin, config) }));
  }

  /** A SKU by part number or SKU id, case-insensitive, among the tenant's synced SKUs. */
  resolve(tenantId: string, ref: string): PricedSkuRef | PriceProblem {
    const skus = this.deps.skus(tenantId);
    const wanted = ref.trim().toLowerCase();
    const found = skus.find((s) => s.skuId.toLowerCase() === wanted || s.skuPartNumber.toLowerCase() === wanted);
    if (found) return found;
    const known = skus.map((s) => s.skuPartNumber).sort();
    return {
      code: 'unknown_sku',
      message:
        known.length === 0
          ? `No SKU "${clip(ref, MAX_ECHO_CHARS)}": this tenant has no synced SKUs yet. Run a sync first.`
          : `No SKU "${clip(ref, MAX_ECHO_CHARS)}" in this tenant. Use a part number or SKU id: ${known.join(', ')}.`,
    };
  }

  set(
    tenantId: string,
    ref: string,
    amount: unknown,
    currency: string | undefined,
    setBy: string,
    now: Date,
  ): { sku: PricedSkuRef; price: SkuPrice; previous: SkuPrice | null } | PriceProblem {
    const sku = this.resolve(tenantId, ref);
    if ('code' in sku) return sku;
    const parsed = parseAmount(amount);
    if (typeof parsed !== 'number') return parsed;
    const code = currency ?? this.deps.currency;
    const currencyRefusal = currencyProblem(code);
    if (currencyRefusal) return { code: 'invalid_currency', message: `Currency ${currencyRefusal}.` };
    const previous = this.priceFor(tenantId)(sku.skuId);
    this.deps.book.set(
      tenantId,
      { skuId: sku.skuId, skuPartNumber: sku.skuPartNumber, amount: parsed, currency: code, setBy },
      now,
    );
    const price = this.priceFor(tenantId)(sku.skuId);
    if (!price) throw new Error(`the price just set for ${sku.skuId} could not be read back`);
    return { sku, price, previous };
  }

  /** Back to SKU_PRICES or the list price; `removed` false when no admin price was set. */
  clear(tenantId: string, ref: string): { sku: PricedSkuRef; removed: boolean; now: SkuPrice | null } | PriceProblem {
    const sku = this.resolve(tenantId, ref);
    if ('code' in sku) return sku;
    const removed = this.deps.book.clear(tenantId, sku.skuId);
    return { sku, removed, now: this.priceFor(tenantId)(sku.skuId) };
  }

  /** SKU_PRICES keyed by SKU id: part numbers resolved against the tenant's SKUs. */
  private configById(skus: readonly PricedSkuRef[]): Map<string, SkuPrice> {
    const byId = new Map<string, SkuPrice>();
    for (const [key, price] of this.deps.configPrices) {
      const sku = skus.find((s) => s.skuId.toLowerCase() === key || s.skuPartNumber.toLowerCase() === key);
      const skuId = (sku?.skuId ?? key).toLowerCase();
      byId.set(skuId, { ...price, skuId });
    }
    return byId;
  }
}

/**
 * A price per user per month: a number (REST) or its text (chat), 0 or more, at most two decimals.
 * Text is read strictly ("30", "30.5", "1234.99"): no signs, exponents, thousands separators or
 * currency symbols, which would otherwise be guessed at.
 */
export function parseAmount(value: unknown): number | PriceProblem {
  const bad = (why: string): PriceProblem => ({
    code: 'invalid_amount',
    message: `Price ${why}. Give the price per user per month, 0 or more with at most 2 decimals, e.g. 30 or 22.50.`,
  });
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^-/.test(text)) return bad(`"${clip(text, MAX_ECHO_CHARS)}" is negative`);
    if (/^\d+\.\d{3,}$/.test(text)) return bad(`"${clip(text, MAX_ECHO_CHARS)}" has more than 2 decimals`);
    if (!/^\d+(\.\d{1,2})?$/.test(text)) return bad(`"${clip(text, MAX_ECHO_CHARS)}" is not a number`);
    n = Number(text);
  } else return bad('is missing or not a number');
  if (!Number.isFinite(n)) return bad('is not a finite number');
  if (n < 0) return bad(`${n} is negative`);
  if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-6) return bad(`${n} has more than 2 decimals`);
  if (n > MAX_PRICE) return bad(`${n} is more than ${MAX_PRICE} (a price in cents?)`);
  return Math.round(n * 100) / 100;
}

/** How a price reads in chat and cards: "$30 (list price)". */
export function priceText(price: SkuPrice | null): string {
  if (!price) return 'no price';
  return `${formatMoney(price.amount, price.currency)} (${PRICE_SOURCE_TEXT[price.source]})`;
}

export const PRICE_SOURCE_TEXT: Record<SkuPrice['source'], string> = {
  admin: 'set by an admin',
  config: 'SKU_PRICES',
  list_price: 'list price',
};
