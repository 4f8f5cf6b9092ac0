import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoTenant } from '../demo-tenant/generator';
import { AnalyticsFixture, candidate, seat, summaryOf } from './helpers/analytics-fixture';
import { startHarness, startSyncedHarness, TEST_API_KEY, type Harness } from './helpers/harness';
import { readCsv } from './support/csv-reader';

/**
 * CSV exports over real HTTP: the API-key routes and the signed links cards open, the latter with
 * no key. Analytics come from a fixture implementing the AnalyticsReads port (i7-pipeline owns the
 * SQLite one), so the rows, including awkward names, are known exactly.
 */
let h: Harness;
let tenantId: string;
let tenantName: string;
const analytics = new AnalyticsFixture();
const today = () => new Date().toISOString().slice(0, 10);

const SEATS = [
  seat('zoe@contoso.com', { displayName: 'Zoë Ångström', department: 'R&D, "Labs"', daysSinceLastActivity: 200 }),
  seat('lilei@contoso.com', { displayName: '李雷', officeLocation: '北京', daysSinceLastActivity: 120 }),
  seat('never@contoso.com', {
    displayName: 'Nev Er',
    lastActivityDate: null,
    lastActivitySource: null,
    daysSinceLastActivity: null,
  }),
  seat('evil@contoso.com', {
    displayName: '=HYPERLINK("http://evil.example","click")',
    tier: 'probable',
    daysSinceLastActivity: 45,
    usageScore: 12,
  }),
  seat('rocket@contoso.com', {
    displayName: 'Ana 🚀 Lima',
    recommendation: 'review',
    tier: null,
    status: 'unknown',
    daysSinceLastActivity: null,
    lastActivityDate: null,
  }),
  seat('keep@contoso.com', {
    recommendation: 'keep',
    tier: null,
    status: 'active',
    daysSinceLastActivity: 2,
    usageScore: 80,
  }),
  seat('grace@contoso.com', { recommendation: 'excluded', tier: null, status: 'inactive' }),
];

beforeAll(async () => {
  h = await startHarness({ data: generateDemoTenant({ users: 20, seed: 5 }), app: { analytics } });
  [{ id: tenantId, tenantName }] = h.app.tenants.list();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  analytics.present = true;
  analytics.summaryValue = summaryOf();
  analytics.seatRows = SEATS;
  analytics.candidateRows = [
    candidate(1, 'chat@contoso.com', {
      displayName: 'Chloé, the Chat user',
      copilotChat: { lastAt: '2026-11-22T10:00:00Z', interactions: 14 },
    }),
    candidate(2, 'bo@contoso.com', { priority: 'Medium', m365ActivityScore: 61, department: '-Ops' }),
  ];
  analytics.seatQueries.length = 0;
});

const apiExport = (kind: string, key: string | null = TEST_API_KEY) =>
  fetch(`${h.app.url}/api/v1/m365/tenants/${tenantId}/exports/${kind}.csv`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

function rowsOf(bytes: Buffer): string[][] {
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  return readCsv(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

describe('GET exports/underutilized.csv', () => {
  it('is an RFC 4180 UTF-8 attachment with the CSV export contract headers, reclaim rows then review rows', async () => {
    const res = await apiExport('underutilized');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const safeName = tenantName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${safeName}-underutilized-${today()}.csv"`,
    );
    const rows = rowsOf(await bytesOf(res));
    expect(rows[0]).toEqual([
      'UserPrincipalName',
      'DisplayName',
      'Email',
      'Department',
      'Location',
      'LicenseAssignedDate',
      'LastActivityDate',
      'DaysSinceLastActivity',
      'UsageScore',
      'Recommendation',
    ]);
    expect(rows.slice(1)).toEqual([
      [
        'zoe@contoso.com',
        'Zoë Ångström',
        'zoe@contoso.com',
        'R&D, "Labs"',
        'Seattle',
        '2026-05-01',
        '2026-07-01',
        '200',
        '0',
        'Reclaim (certain)',
      ],
      [
        'lilei@contoso.com',
        '李雷',
        'lilei@contoso.com',
        'Sales',
        '北京',
        '2026-05-01',
        '2026-07-01',
        '120',
        '0',
        'Reclaim (certain)',
      ],
      [
        'never@contoso.com',
        'Nev Er',
        'never@contoso.com',
        'Sales',
        'Seattle',
        '2026-05-01',
        '',
        '',
        '0',
        'Reclaim (certain)',
      ],
      [
        'evil@contoso.com',
        `'=HYPERLINK("http://evil.example","click")`,
        'evil@contoso.com',
        'Sales',
        'Seattle',
        '2026-05-01',
        '2026-07-01',
        '45',
        '12',
        'Reclaim (probable)',
      ],
      [
        'rocket@contoso.com',
        'Ana 🚀 Lima',
        'rocket@contoso.com',
        'Sales',
        'Seattle',
        '2026-05-01',
        '',
        '',
        '0',
        'Review',
      ],
    ]);
  });

  it('reads 2,500 rows a page of at most 1,000 at a time and writes them all', async () => {
    analytics.seatRows = Array.from({ length: 2500 }, (_, i) =>
      seat(`user${String(i).padStart(4, '0')}@contoso.com`, { daysSinceLastActivity: 3000 - i }),
    );
    const res = await apiExport('underutilized');
    const rows = rowsOf(await bytesOf(res));
    expect(rows).toHaveLength(2501);
    expect(rows[2500][0]).toBe('user2499@contoso.com');
    expect(analytics.seatQueries.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...analytics.seatQueries.map((q) => q.limit))).toBeLessThanOrEqual(1000);
  });

  it('needs the API key', async () => {
    expect((await apiExport('underutilized', null)).status).toBe(401);
    expect((await apiExport('underutilized', 'wrong-key-0123456789abcdef')).status).toBe(401);
  });

  it('says to run a sync when there are no analytics yet', async () => {
    analytics.present = false;
    const res = await apiExport('underutilized');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('analytics_not_available');
    expect(body.error.message).toContain('Run one');
  });
});

describe('GET exports/candidates.csv', () => {
  it('has the CSV export contract candidate headers and rows in rank order, with quoting and the formula defence', async () => {
    const res = await apiExport('candidates');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`-candidates-${today()}\\.csv"$`));
    expect(rowsOf(await bytesOf(res))).toEqual([
      [
        'UserPrincipalName',
        'DisplayName',
        'Email',
        'Department',
        'Location',
        'M365ActivityScore',
        'RecommendedPriority',
      ],
      ['chat@contoso.com', 'Chloé, the Chat user', 'chat@contoso.com', 'Finance', 'Dublin', '89', 'High'],
      ['bo@contoso.com', 'bo', 'bo@contoso.com', "'-Ops", 'Dublin', '61', 'Medium'],
    ]);
  });
});

describe('signed export links (no API key)', () => {
  it('download the same bytes as the API export', async () => {
    for (const kind of ['underutilized', 'candidates'] as const) {
      const { url, expiresAt } = h.app.exportLinks.link(tenantId, kind, new Date());
      expect(url).toMatch(new RegExp(`^http://localhost:${h.app.port}/exports/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
      const viaLink = await fetch(url);
      expect(viaLink.status).toBe(200);
      expect(viaLink.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await bytesOf(viaLink)).toEqual(await bytesOf(await apiExport(kind)));
    }
  });

  it('a link with one character changed is refused with 403 and a reason, and nothing else', async () => {
    const { url } = h.app.exportLinks.link(tenantId, 'underutilized', new Date());
    const token = url.slice(url.lastIndexOf('/') + 1);
    for (const at of [2, token.indexOf('.') + 5, token.length - 2]) {
      const tampered = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      const res = await fetch(`${h.app.url}/exports/${tampered}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('not valid');
      expect(text).not.toContain('UserPrincipalName');
    }
  });

  it('an expired link is refused with 410', async () => {
    const made = new Date(Date.now() - h.config.exports.linkMs - 1000);
    const { url } = h.app.exportLinks.link(tenantId, 'candidates', made);
    const res = await fetch(url);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('expired');
  });

  it("another tenant's id under this tenant's signature is refused", async () => {
    const { url } = h.app.exportLinks.link(tenantId, 'underutilized', new Date());
    const [payload, signature] = url.slice(url.lastIndexOf('/') + 1).split('.');
    const [, kind, expiry] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
    const forged = Buffer.from(`some-other-tenant\n${kind}\n${expiry}`, 'utf8').toString('base64url');
    const res = await fetch(`${h.app.url}/exports/${forged}.${signature}`);
    expect(res.status).toBe(403);
  });

  it.each(['nothing', 'a.b', '%00', 'x'.repeat(5000), '..%2F..%2Fetc%2Fpasswd'])(
    'junk token %# is refused with 403',
    async (token) => {
      const res = await fetch(`${h.app.url}/exports/${token}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('export link');
    },
  );
});

describe('exports of a real sync (SQLite analytics of the demo tenant)', () => {
  let real: Harness;
  let realTenant: string;
  let data: ReturnType<typeof generateDemoTenant>;
  beforeAll(async () => {
    data = generateDemoTenant({ users: 300, seed: 23 });
    ({ h: real, tenantId: realTenant } = await startSyncedHarness({ data }));
  });
  afterAll(async () => real?.close());

  const download = async (kind: string) => {
    const res = await fetch(`${real.app.url}/api/v1/m365/tenants/${realTenant}/exports/${kind}.csv`, {
      headers: { authorization: `Bearer ${TEST_API_KEY}` },
    });
    expect(res.status).toBe(200);
    return rowsOf(await bytesOf(res));
  };

  it('underutilized.csv lists the stored reclaim then review seats, with the directory names', async () => {
    const rows = await download('underutilized');
    const stored = [...(['reclaim', 'review'] as const)].flatMap(
      (recommendation) =>
        real.app.analytics.seats(realTenant, { recommendation, offset: 0, limit: 10_000 })?.rows ?? [],
    );
    // The demo story has idle seats, so the file is not just a header.
    expect(stored.length).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => r[0])).toEqual(stored.map((s) => s.userPrincipalName));
    const names = new Map(data.users.map((u) => [u.userPrincipalName, u.displayName]));
    for (const row of rows.slice(1)) {
      expect(row[1]).toBe(names.get(row[0]));
      expect(row[9]).toMatch(/^(Reclaim \((certain|probable)\)|Review)$/);
    }
  });

  it('candidates.csv lists the stored candidates in rank order', async () => {
    const rows = await download('candidates');
    const stored = real.app.analytics.candidates(realTenant, { offset: 0, limit: 10_000 })?.rows ?? [];
    expect(stored.length).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => [r[0], r[6]])).toEqual(stored.map((c) => [c.userPrincipalName, c.priority]));
  });
});
