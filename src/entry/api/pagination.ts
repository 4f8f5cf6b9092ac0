/** The REST API's pagination block, one shape for every list. */
export function pagination(limit: number, offset: number, total: number) {
  return { limit, offset, total, has_more: offset + limit < total };
}
