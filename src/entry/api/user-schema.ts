import { paginationSchema } from './api-doc';
import { z } from './api-zod';

/**
 * The REST API's user (GET /tenants/{id}/users). Apart from user-json.ts, which read worker threads
 * load: it takes only the type from here, so the workers load neither zod nor the OpenAPI code.
 */
export const userSchema = z
  .object({
    id: z.string().openapi({ description: 'A stable id derived from the tenant and the user.' }),
    tenant_id: z.string().openapi({ description: "Seat Steward's tenant id." }),
    user_id: z.string().openapi({ description: 'The Entra object id.' }),
    user_principal_name: z.string(),
    display_name: z.string().nullable(),
    given_name: z.string().nullable(),
    surname: z.string().nullable(),
    mail: z.string().nullable(),
    job_title: z.string().nullable(),
    department: z.string().nullable(),
    office_location: z.string().nullable(),
    account_enabled: z.boolean(),
    last_sign_in: z.string().nullable(),
    mfa_enabled: z.boolean().nullable().openapi({ description: 'null: unknown (MFA registration not read).' }),
    mfa_methods: z.array(z.string()).nullable(),
    user_type: z.string().nullable(),
    assigned_licenses: z.array(
      z.object({
        sku_id: z.string(),
        sku_part_number: z.string().nullable(),
        product_name: z.string().nullable(),
        assigned_directly: z.boolean(),
        assigned_by_groups: z.array(z.string()),
      }),
    ),
    usage_location: z.string().nullable(),
    on_premises_sync_enabled: z.boolean().nullable(),
    created_at: z.string().nullable(),
    last_synced: z.string().nullable(),
  })
  .openapi('User');
export type UserJson = z.infer<typeof userSchema>;

export const userPageSchema = z.object({ data: z.array(userSchema), pagination: paginationSchema });
export type UserPageJson = z.infer<typeof userPageSchema>;
