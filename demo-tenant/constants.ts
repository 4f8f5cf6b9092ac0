/**
 * Fixed identities of the built-in demo tenant. They never change so that a
 * saved configuration, a SQLite file or a screenshot from one run still
 * matches the next run.
 */
export const DEMO_TENANT_ID = '7d3c5e1a-2b4f-4c6d-9e8f-0a1b2c3d4e5f';
export const DEMO_CLIENT_ID = '3f9a7c21-6d4e-4b8a-9c5f-1e2d3a4b5c6d';
/** Shaped like a real Entra secret value (contains `~`) so config validation treats it alike. */
export const DEMO_CLIENT_SECRET = 'Dmo8Q~SeatSteward.DemoTenant.NotARealSecret00';
export const DEMO_APP_DISPLAY_NAME = 'Seat Steward (demo)';
export const DEMO_ORGANIZATION_NAME = 'Contoso Ltd';
export const DEMO_DOMAIN = 'contoso.onmicrosoft.com';
/** Seat Steward's id in the demo tenant's Teams app catalog (what TEAMS_APP_CATALOG_ID names). */
export const DEMO_TEAMS_APP_CATALOG_ID = '5c2e9a14-7b3d-4f60-8e1a-2d4c6b8f0a31';

/** Microsoft Graph's application id; accepted as a scope resource like its URL. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/** The Office 365 Management APIs' resource and application id: tokens for them are not Graph's. */
export const MANAGEMENT_RESOURCE = 'https://manage.office.com';
export const MANAGEMENT_APP_ID = 'c5393580-f805-4401-95e8-94b7a6ef2fc2';

/** What the setup guide tells admins to grant; enough for every endpoint the demo serves. */
export const DEFAULT_APP_ROLES: readonly string[] = [
  'User.Read.All',
  'Organization.Read.All',
  'Directory.Read.All',
  'Group.Read.All',
  'Reports.Read.All',
  'AuditLog.Read.All',
  'ReportSettings.Read.All',
  'Policy.Read.All',
  'IdentityRiskEvent.Read.All',
  'IdentityRiskyUser.Read.All',
  'DeviceManagementManagedDevices.Read.All',
  'SecurityEvents.Read.All',
  'LicenseAssignment.Read.All',
  'AuditLogsQuery.Read.All',
  // Licence reclaim (RECLAIM_MODE=on): remove and give back seats, and take users out of licence groups.
  'LicenseAssignment.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  // Reclaim nudge with TEAMS_APP_CATALOG_ID: install the app for a seat holder to ask them 1:1.
  'TeamsAppInstallation.ReadWriteSelfForUser.All',
  // Office 365 Management APIs (the demo puts every role in every token; each API checks its own).
  'ActivityFeed.Read',
];

export const SKU = {
  M365_E3: '05e9a617-0261-4cee-bb44-138d3ef5d965',
  M365_E5: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
  O365_E1: '18181a46-0d4e-45cd-891e-60aabd171b4e',
  COPILOT: '639dec6b-bb19-468b-871c-c5c441c4b0cb',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  VISIO_PLAN_2: 'c5928f49-12ba-48f7-ada3-0d743a3601d5',
  EMS_E5: 'b05e124f-c7cc-45a0-a6aa-8cf78c946968',
} as const;

export const LICENSE_GROUP_E3_ID = 'a1e3c0de-0e30-4e3a-8a11-000000000e03';
export const LICENSE_GROUP_COPILOT_ID = 'a1e3c0de-c0b1-4107-8a11-0000000c0b17';
