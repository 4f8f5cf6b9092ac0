import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_NAME, POWERBI_DIR, powerbiProjectFiles } from '../scripts/powerbi-model';
import { STAR_COLUMNS, STAR_TABLES } from '../src/domain/star-schema';
import { readTmdl, type TmdlObject } from './support/tmdl-reader';

/**
 * powerbi/ against seed 002 §2.1: the committed TMDL is read with a reader of its own and checked
 * for the model name, the five tables (with the feed's columns), the four relationships (many
 * fact rows to one dimension row, single direction), the seed's measures word for word, and the
 * parameters the partitions read the OData feed with.
 */
const SEED = {
  model: 'Copilot License Analytics',
  tables: ['fact_user_usage', 'dim_user', 'dim_date', 'dim_department', 'dim_license'],
  relationships: [
    ['dim_user.UserKey', 'fact_user_usage.UserKey'],
    ['dim_date.DateKey', 'fact_user_usage.DateKey'],
    ['dim_department.DepartmentKey', 'fact_user_usage.DepartmentKey'],
    ['dim_license.LicenseKey', 'fact_user_usage.LicenseKey'],
  ],
  // Seed 002 §2.1, "Key DAX Measures", as written there.
  measures: {
    'Utilization Rate': `DIVIDE(
    CALCULATE(COUNTROWS(fact_user_usage), fact_user_usage[UsageCategory] = "Active"),
    CALCULATE(COUNTROWS(fact_user_usage), dim_user[HasCopilotLicense] = TRUE()),
    0
)`,
    'Est Monthly Savings': `CALCULATE(
    COUNTROWS(fact_user_usage),
    fact_user_usage[UsageCategory] = "Inactive",
    dim_user[HasCopilotLicense] = TRUE()
) * [License Cost Per Month]`,
    'Active Users': `CALCULATE(COUNTROWS(fact_user_usage), fact_user_usage[UsageCategory] = "Active")`,
    'Avg Usage Score': `AVERAGE(fact_user_usage[UsageScore])`,
  },
};

const MODEL_DIR = path.join(POWERBI_DIR, `${MODEL_NAME}.SemanticModel`);
const DEFINITION = path.join(MODEL_DIR, 'definition');
const read = (file: string) => fs.readFileSync(file, 'utf8');
const tmdl = (file: string) => readTmdl(read(path.join(DEFINITION, file)));
const squash = (dax: string) => dax.replace(/\s+/g, ' ').trim();

const tables = new Map<string, TmdlObject>(
  fs
    .readdirSync(path.join(DEFINITION, 'tables'))
    .map((f) => tmdl(path.join('tables', f))[0])
    .map((t) => [t.name, t]),
);
const childrenOf = (t: TmdlObject | undefined, type: string) => (t?.children ?? []).filter((c) => c.type === type);

describe('powerbi/ project', () => {
  it('is what scripts/powerbi-model.ts writes (run it after changing the star schema)', () => {
    const expected = powerbiProjectFiles();
    const committed = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? committed(full) : [path.relative(POWERBI_DIR, full).split(path.sep).join('/')];
      });
    // Besides the generated files: the folder's README and .gitignore, and what Desktop keeps per machine (.pbi/).
    const own = (f: string) => f !== 'README.md' && f !== '.gitignore' && !f.includes('/.pbi/');
    expect(committed(POWERBI_DIR).filter(own).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected)) expect(read(path.join(POWERBI_DIR, file)), file).toBe(text);
  });

  it('opens as a project: the .pbip names the report, the report the semantic model, both by path', () => {
    const pbip = JSON.parse(read(path.join(POWERBI_DIR, `${MODEL_NAME}.pbip`))) as {
      artifacts: Array<{ report: { path: string } }>;
    };
    const reportDir = path.join(POWERBI_DIR, pbip.artifacts[0].report.path);
    expect(fs.existsSync(path.join(reportDir, 'report.json'))).toBe(true);
    const pbir = JSON.parse(read(path.join(reportDir, 'definition.pbir'))) as {
      datasetReference: { byPath: { path: string } };
    };
    expect(path.resolve(reportDir, pbir.datasetReference.byPath.path)).toBe(MODEL_DIR);
    const pbism = JSON.parse(read(path.join(MODEL_DIR, 'definition.pbism'))) as { version: string };
    // TMDL (a definition/ folder) needs definition.pbism version 4.0 or later.
    expect(Number(pbism.version)).toBeGreaterThanOrEqual(4);
    expect(fs.existsSync(path.join(MODEL_DIR, 'model.bim'))).toBe(false);
  });

  it(`is the semantic model "${SEED.model}" with the seed's five tables, and each has the feed's columns`, () => {
    const [database] = tmdl('database.tmdl');
    expect(database).toMatchObject({ type: 'database', name: SEED.model });
    expect(Number(database.props.compatibilityLevel)).toBeGreaterThanOrEqual(1567);
    expect([...tables.keys()].sort()).toEqual([...SEED.tables].sort());
    const refs = tmdl('model.tmdl').filter((o) => o.type === 'ref table');
    expect(refs.map((r) => r.name)).toEqual(SEED.tables);
    for (const t of STAR_TABLES) {
      const columns = childrenOf(tables.get(t), 'column');
      expect(
        columns.map((c) => c.name),
        t,
      ).toEqual(STAR_COLUMNS[t].map((c) => c.name));
      for (const c of columns) expect(c.props.sourceColumn, `${t}.${c.name}`).toBe(c.name);
    }
    expect(tables.get('dim_date')?.props.dataCategory).toBe('Time');
  });

  it('has the four relationships of the seed: many fact rows to one dimension row, single direction, on columns both tables have', () => {
    const rels = tmdl('relationships.tmdl');
    expect(rels).toHaveLength(4);
    const pairs = rels.map((r) => [r.props.toColumn, r.props.fromColumn]);
    expect(pairs.sort()).toEqual([...SEED.relationships].sort());
    for (const r of rels) {
      // TMDL's defaults are the seed's: from many, to one, one direction, active.
      expect(r.props.fromCardinality ?? 'many').toBe('many');
      expect(r.props.toCardinality ?? 'one').toBe('one');
      expect(r.props.crossFilteringBehavior ?? 'oneDirection').toBe('oneDirection');
      expect(r.props.isActive ?? 'true').toBe('true');
      const types = [r.props.fromColumn, r.props.toColumn].map((ref) => {
        const [table, column] = String(ref).split('.');
        const col = childrenOf(tables.get(table), 'column').find((c) => c.name === column);
        expect(col, String(ref)).toBeDefined();
        return col?.props.dataType;
      });
      expect(types).toEqual(['int64', 'int64']);
    }
  });

  it("has the seed's measures word for word, and License Cost Per Month they need", () => {
    const measures = new Map(
      [...tables.values()].flatMap((t) => childrenOf(t, 'measure')).map((m) => [m.name, m.value ?? '']),
    );
    for (const [name, dax] of Object.entries(SEED.measures))
      expect(squash(measures.get(name) ?? ''), name).toBe(squash(dax));
    expect(measures.get('License Cost Per Month')).toContain('RELATED(dim_license[MonthlyPrice])');
    const fact = tables.get('fact_user_usage');
    expect(childrenOf(fact, 'measure').map((m) => m.props.formatString)).toEqual([
      '0.0%',
      '#,0.00',
      '#,0',
      '0.0',
      '#,0.00',
    ]);
  });

  it('reads every table from its OData entity set through the BaseUrl, TenantId and ApiKey parameters', () => {
    const parameters = tmdl('expressions.tmdl');
    expect(parameters.map((p) => p.name)).toEqual(['BaseUrl', 'TenantId', 'ApiKey']);
    for (const p of parameters)
      expect(p.value).toMatch(/^"[^"]*" meta \[IsParameterQuery=true, Type="Text", IsParameterQueryRequired=true\]$/);
    for (const t of STAR_TABLES) {
      const [partition] = childrenOf(tables.get(t), 'partition');
      expect(partition).toMatchObject({ name: t, value: 'm', props: { mode: 'import' } });
      const source = String(partition.props.source);
      expect(source).toContain(
        `OData.Feed(BaseUrl & "/api/v1/m365/tenants/" & TenantId & "/odata/${t}", null, [Headers = [Authorization = "Bearer " & ApiKey]`,
      );
      expect(source).toMatch(/^let\n[\s\S]*\nin\n\s+Source$/);
    }
  });
});
