import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/**
 * zod with `.openapi()`: the REST routes import z from here, so the schemas that check requests and
 * type responses can carry their OpenAPI names and descriptions, and the extension is in place
 * before any of them is built (it patches zod's prototypes once).
 */
extendZodWithOpenApi(z);

export { z };
