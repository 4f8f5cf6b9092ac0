/** Microsoft 365 Copilot SKU ids known from the Copilot analytics contract; COPILOT_SKU_IDS adds more (new offers, regional SKUs). */
export const KNOWN_COPILOT_SKU_IDS: readonly string[] = [
  '639dec6b-bb19-468b-871c-c5c441c4b0cb', // Copilot for Microsoft 365
  'a809996b-059e-42e2-9866-db24b99a9782', // Microsoft Copilot for Microsoft 365
  'ad9c22b3-52d7-4e7e-973c-88121ea96436', // Copilot for Microsoft 365 (EDU)
];

export type CopilotSkuMatcher = (skuId: string) => boolean;

export function copilotSkuMatcher(extraSkuIds: readonly string[] = []): CopilotSkuMatcher {
  const ids = new Set([...KNOWN_COPILOT_SKU_IDS, ...extraSkuIds].map((id) => id.toLowerCase()));
  return (skuId) => ids.has(skuId.toLowerCase());
}
