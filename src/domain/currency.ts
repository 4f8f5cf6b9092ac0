/**
 * The one rule for a currency Seat Steward accepts (PRICE_CURRENCY, a price set in chat or through
 * the REST API): an active ISO 4217 code, upper case, as the runtime's ICU data knows them
 * (Intl.supportedValuesOf), so "ZZZ" or a withdrawn code is refused rather than printed on cards.
 */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** Why `code` is not an accepted currency, or undefined when it is. */
export function currencyProblem(code: string): string | undefined {
  const shown = code.length > 12 ? `${code.slice(0, 12)}…` : code;
  if (!/^[A-Z]{3}$/.test(code))
    return `"${shown}" is not an ISO 4217 currency code: expected three upper-case letters such as USD, EUR or GBP`;
  if (!ISO_4217.has(code)) return `"${shown}" is not an ISO 4217 currency code in use (for example USD, EUR, GBP, JPY)`;
  return undefined;
}
