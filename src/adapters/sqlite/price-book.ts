import type { SkuPrice } from '../../domain/seat-savings';
import type { PriceBook } from '../../usecases/analytics/ports';
import type { Db } from './database';
import { prepared } from './prepared';

/** Admin-set prices (sku_prices). */
export class SqlitePriceBook implements PriceBook {
  constructor(private readonly db: Db) {}

  adminPrices(tenantId: string): Map<string, SkuPrice> {
    const rows = prepared(
      this.db,
      'SELECT sku_id, amount, currency, set_by, set_at FROM sku_prices WHERE tenant_id = ?',
    ).all(tenantId) as Array<{
      sku_id: string;
      amount: number;
      currency: string;
      set_by: string;
      set_at: string;
    }>;
    return new Map(
      rows.map((r) => [
        r.sku_id,
        {
          skuId: r.sku_id,
          amount: r.amount,
          currency: r.currency,
          source: 'admin' as const,
          setBy: r.set_by,
          setAt: r.set_at,
        },
      ]),
    );
  }

  set(
    tenantId: string,
    price: { skuId: string; skuPartNumber: string; amount: number; currency: string; setBy: string },
    at: Date,
  ): void {
    prepared(
      this.db,
      `INSERT INTO sku_prices (tenant_id, sku_id, sku_part_number, amount, currency, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, sku_id) DO UPDATE SET sku_part_number = excluded.sku_part_number, amount = excluded.amount, currency = excluded.currency,
         set_by = excluded.set_by, set_at = excluded.set_at`,
    ).run(
      tenantId,
      price.skuId.toLowerCase(),
      price.skuPartNumber,
      price.amount,
      price.currency,
      price.setBy,
      at.toISOString(),
    );
  }

  clear(tenantId: string, skuId: string): boolean {
    return (
      prepared(this.db, 'DELETE FROM sku_prices WHERE tenant_id = ? AND sku_id = ?').run(tenantId, skuId.toLowerCase())
        .changes > 0
    );
  }
}
