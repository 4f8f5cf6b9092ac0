import type { SkuRow } from './directory';

/**
 * Seat arithmetic as the Microsoft 365 admin center shows it: purchased = enabled units,
 * assigned = consumed units, available = purchased − assigned (never below zero; a tenant
 * can be over-assigned while a subscription is in its warning period).
 */
export interface SeatTotals {
  purchased: number;
  assigned: number;
  available: number;
}

export function seatsOf(sku: Pick<SkuRow, 'enabledUnits' | 'consumedUnits'>): SeatTotals {
  return {
    purchased: sku.enabledUnits,
    assigned: sku.consumedUnits,
    available: Math.max(0, sku.enabledUnits - sku.consumedUnits),
  };
}

export function sumSeats(skus: ReadonlyArray<Pick<SkuRow, 'enabledUnits' | 'consumedUnits'>>): SeatTotals {
  return skus.map(seatsOf).reduce(
    (acc, s) => ({
      purchased: acc.purchased + s.purchased,
      assigned: acc.assigned + s.assigned,
      available: acc.available + s.available,
    }),
    { purchased: 0, assigned: 0, available: 0 },
  );
}
