/** A GUID as Microsoft writes tenant, object and app ids, and as our MSP client ids are: 8-4-4-4-12 hex digits, any case. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
