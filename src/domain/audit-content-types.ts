/** The Office 365 Management Activity API's content types (the audit subscriptions Seat Steward starts and stops). */
export const CONTENT_TYPES = [
  'Audit.General',
  'Audit.AzureActiveDirectory',
  'Audit.Exchange',
  'Audit.SharePoint',
  'DLP.All',
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export function isContentType(value: string): value is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(value);
}

/** Case-insensitive, so `audit stop audit.general` works as typed. */
export function contentTypeNamed(value: string): ContentType | undefined {
  return CONTENT_TYPES.find((t) => t.toLowerCase() === value.trim().toLowerCase());
}
