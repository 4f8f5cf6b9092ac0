export { ensureDemoCertificate, DEMO_CERT_FILE, DEMO_KEY_FILE, type DemoCertificate } from './certificate';
export {
  DEFAULT_APP_ROLES,
  DEMO_APP_DISPLAY_NAME,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_DOMAIN,
  DEMO_ORGANIZATION_NAME,
  DEMO_TENANT_ID,
  LICENSE_GROUP_COPILOT_ID,
  LICENSE_GROUP_E3_ID,
  SKU,
} from './constants';
export type { RequestRecord } from './control';
export { FaultInjector, type FaultRule, type FaultRuleJson } from './faults';
export { DemoTenantFileError, loadDemoTenantFile, parseDemoTenant, type DemoTenantFile } from './fixture';
export { DEFAULT_REFERENCE_DATE, generateDemoTenant, type GenerateDemoTenantOptions } from './generator';
export type * from './model';
export { countConsumedUnits, recomputeConsumedUnits } from './sku-catalog';
export { startDemoTenant, type DemoTenant, type StartDemoTenantOptions } from './server';
export * from './activity';
