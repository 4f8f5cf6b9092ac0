/**
 * Writes powerbi/: the Power BI project (.pbip, text-based) of seed 002 §2.1, the semantic model
 * "Copilot License Analytics" in TMDL reading Seat Steward's OData feed, and a one-page report to
 * open it with. Tables and columns come from STAR_COLUMNS (src/domain/star-schema.ts), the one
 * definition the CSV files and the feed use too, so the model cannot drift from what the feed
 * serves: test/powerbi-model.test.ts fails when the committed files differ from this script's.
 * Run with `npx tsx scripts/powerbi-model.ts` after changing the star schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  STAR_COLUMNS,
  STAR_KEYS,
  STAR_RELATIONSHIPS,
  STAR_TABLES,
  type StarColumnType,
  type StarTable,
} from '../src/domain/star-schema';

export const MODEL_NAME = 'Copilot License Analytics';
const SCHEMAS = 'https://developer.microsoft.com/json-schemas/fabric';

/** The seed's four measures, word for word, and the price they need (not in the seed: see the README). */
export const MEASURES: ReadonlyArray<{ name: string; expression: string; formatString: string; description: string }> =
  [
    {
      name: 'Utilization Rate',
      expression: `DIVIDE(
    CALCULATE(COUNTROWS(fact_user_usage), fact_user_usage[UsageCategory] = "Active"),
    CALCULATE(COUNTROWS(fact_user_usage), dim_user[HasCopilotLicense] = TRUE()),
    0
)`,
      formatString: '0.0%',
      description:
        'Seat holders with Copilot use within INACTIVE_DAYS over seat holders (seed 002 §2.1). Slice to one day.',
    },
    {
      name: 'Est Monthly Savings',
      expression: `CALCULATE(
    COUNTROWS(fact_user_usage),
    fact_user_usage[UsageCategory] = "Inactive",
    dim_user[HasCopilotLicense] = TRUE()
) * [License Cost Per Month]`,
      formatString: '#,0.00',
      description: 'Inactive Copilot seats × their monthly price (seed 002 §2.1). Slice to one day.',
    },
    {
      name: 'Active Users',
      expression: `CALCULATE(COUNTROWS(fact_user_usage), fact_user_usage[UsageCategory] = "Active")`,
      formatString: '#,0',
      description: 'Copilot seat holders active that day (seed 002 §2.1).',
    },
    {
      name: 'Avg Usage Score',
      expression: `AVERAGE(fact_user_usage[UsageScore])`,
      formatString: '0.0',
      description: 'Average usage score of the seats in view; people without a seat have none (seed 002 §2.1).',
    },
    {
      name: 'License Cost Per Month',
      expression: `CALCULATE(
    AVERAGEX(fact_user_usage, RELATED(dim_license[MonthlyPrice])),
    fact_user_usage[HasCopilotLicense] = TRUE()
)`,
      formatString: '#,0.00',
      description:
        'The average monthly price of the Copilot seats in view (their licence in dim_license): the price of a seat when the tenant has one Copilot price.',
    },
  ];

const TMDL_TYPE: Record<StarColumnType, string> = {
  Int64: 'int64',
  Int32: 'int64',
  String: 'string',
  Boolean: 'boolean',
  Date: 'dateTime',
  Decimal: 'decimal',
};
const FORMAT: Partial<Record<StarColumnType, string>> = {
  Int64: '0',
  Int32: '0',
  Date: 'yyyy-mm-dd',
  Decimal: '#,0.00',
};

const quote = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`);
const indent = (text: string, tabs: number) =>
  text
    .split('\n')
    .map((l) => `${'\t'.repeat(tabs)}${l}`)
    .join('\n');

/** Foreign keys in the fact and technical columns stay in the model but out of the field list. */
function hidden(table: StarTable, column: string): boolean {
  return table === 'fact_user_usage' && STAR_RELATIONSHIPS.some((r) => r.column === column);
}

function tableTmdl(table: StarTable): string {
  const lines: string[] = [`table ${table}`];
  if (table === 'dim_date') lines.push('\tdataCategory: Time');
  lines.push('');
  if (table === 'fact_user_usage')
    for (const m of MEASURES) {
      lines.push(`\t/// ${m.description}`);
      lines.push(`\tmeasure ${quote(m.name)} =`);
      lines.push(indent(m.expression, 3));
      lines.push(`\t\tformatString: ${m.formatString}`, '');
    }
  for (const c of STAR_COLUMNS[table]) {
    if (c.description) lines.push(`\t/// ${c.description}`);
    lines.push(`\tcolumn ${quote(c.name)}`);
    lines.push(`\t\tdataType: ${TMDL_TYPE[c.type]}`);
    const format = FORMAT[c.type];
    if (format) lines.push(`\t\tformatString: ${format}`);
    // A date table is marked by its date column as key; single-column keys of the other dimensions too.
    const key =
      table === 'dim_date' ? c.name === 'Date' : STAR_KEYS[table].length === 1 && STAR_KEYS[table][0] === c.name;
    if (key) lines.push('\t\tisKey');
    if (hidden(table, c.name)) lines.push('\t\tisHidden');
    lines.push(`\t\tsummarizeBy: none`);
    lines.push(`\t\tsourceColumn: ${c.name}`, '');
  }
  lines.push(`\tpartition ${table} = m`, '\t\tmode: import', '\t\tsource =');
  lines.push(
    indent(
      [
        'let',
        '    // One entity set of the feed; the key goes as a header (choose Anonymous when Power BI asks for credentials).',
        `    Source = OData.Feed(BaseUrl & "/api/v1/m365/tenants/" & TenantId & "/odata/${table}", null, [Headers = [Authorization = "Bearer " & ApiKey], Implementation = "2.0"])`,
        'in',
        '    Source',
      ].join('\n'),
      4,
    ),
  );
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function relationshipsTmdl(): string {
  return STAR_RELATIONSHIPS.map(
    (r) =>
      `relationship fact_user_usage_${r.column}\n` +
      `\tfromColumn: fact_user_usage.${r.column}\n` +
      `\ttoColumn: ${r.dimension}.${r.column}\n`,
  ).join('\n');
}

const PARAMETERS: ReadonlyArray<{ name: string; value: string; description: string }> = [
  {
    name: 'BaseUrl',
    value: 'http://localhost:3978',
    description: "Where Seat Steward's REST API answers (PUBLIC_BASE_URL), without a trailing slash.",
  },
  {
    name: 'TenantId',
    value: 'your-tenant-id',
    description: "The tenant's Seat Steward id or Microsoft tenant id (GET /api/v1/m365/tenants lists them).",
  },
  {
    name: 'ApiKey',
    value: 'your-api-key',
    description:
      'A key from API_KEYS (a client-scoped key sees only its clients\' tenants). Sent as "Authorization: Bearer".',
  },
];

function expressionsTmdl(): string {
  return PARAMETERS.map(
    (p) =>
      `/// ${p.description}\n` +
      `expression ${p.name} = "${p.value}" meta [IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true]\n\n` +
      `\tannotation PBI_ResultType = Text\n`,
  ).join('\n');
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of powerbi/, by path relative to it. */
export function powerbiProjectFiles(): Record<string, string> {
  const model = `${MODEL_NAME}.SemanticModel`;
  const report = `${MODEL_NAME}.Report`;
  const files: Record<string, string> = {
    [`${MODEL_NAME}.pbip`]: json({
      $schema: `${SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json`,
      version: '1.0',
      artifacts: [{ report: { path: report } }],
      settings: { enableAutoRecovery: true },
    }),
    [`${model}/definition.pbism`]: json({
      $schema: `${SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json`,
      version: '4.0',
      settings: {},
    }),
    [`${model}/.platform`]: json({
      $schema: `${SCHEMAS}/gitIntegration/platformProperties/2.0.0/schema.json`,
      metadata: { type: 'SemanticModel', displayName: MODEL_NAME },
      config: { version: '2.0', logicalId: '5e47a7e1-2c8f-4b7e-9d1a-3c0f6a1b2d41' },
    }),
    [`${model}/definition/database.tmdl`]: `database ${quote(MODEL_NAME)}\n\tcompatibilityLevel: 1567\n`,
    [`${model}/definition/model.tmdl`]:
      'model Model\n\tculture: en-US\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n\tsourceQueryCulture: en-US\n\n' +
      STAR_TABLES.map((t) => `ref table ${t}`).join('\n') +
      '\n',
    [`${model}/definition/expressions.tmdl`]: expressionsTmdl(),
    [`${model}/definition/relationships.tmdl`]: relationshipsTmdl(),
    [`${report}/definition.pbir`]: json({
      $schema: `${SCHEMAS}/item/report/definitionProperties/1.0.0/schema.json`,
      version: '4.0',
      datasetReference: { byPath: { path: `../${model}` } },
    }),
    [`${report}/.platform`]: json({
      $schema: `${SCHEMAS}/gitIntegration/platformProperties/2.0.0/schema.json`,
      metadata: { type: 'Report', displayName: MODEL_NAME },
      config: { version: '2.0', logicalId: '8b2f0c64-1d3e-4a5b-9c7d-2e6f4a8b0c13' },
    }),
    // PBIR-Legacy: one empty page; build the report pages of seed 002 §2.1 on it in Desktop.
    [`${report}/report.json`]: json({
      config: JSON.stringify({ version: '5.43', themeCollection: {}, activeSectionIndex: 0 }),
      layoutOptimization: 0,
      sections: [
        {
          name: 'ReportSection',
          displayName: 'Executive Dashboard',
          displayOption: 1,
          filters: '[]',
          config: '{}',
          ordinal: 0,
          height: 720,
          width: 1280,
          visualContainers: [],
        },
      ],
      resourcePackages: [],
    }),
  };
  for (const t of STAR_TABLES) files[`${model}/definition/tables/${t}.tmdl`] = tableTmdl(t);
  return files;
}

export const POWERBI_DIR = path.resolve(__dirname, '../powerbi');

if (require.main === module) {
  for (const [file, text] of Object.entries(powerbiProjectFiles())) {
    const target = path.join(POWERBI_DIR, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  console.log(`wrote ${Object.keys(powerbiProjectFiles()).length} files to ${POWERBI_DIR}`);
}
