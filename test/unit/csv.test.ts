import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvDocument, csvLine } from '../../src/entry/api/csv';
import { CANDIDATE_HEADERS, UNDERUTILIZED_HEADERS, recommendationText } from '../../src/entry/api/export-routes';
import { readCsv } from '../support/csv-reader';

describe('CSV writer (RFC 4180, Excel-safe)', () => {
  it('has exactly the CSV export contract headers in order', () => {
    expect(csvLine(UNDERUTILIZED_HEADERS)).toBe(
      'UserPrincipalName,DisplayName,Email,Department,Location,LicenseAssignedDate,LastActivityDate,DaysSinceLastActivity,UsageScore,Recommendation\r\n',
    );
    expect(csvLine(CANDIDATE_HEADERS)).toBe(
      'UserPrincipalName,DisplayName,Email,Department,Location,M365ActivityScore,RecommendedPriority\r\n',
    );
  });

  it('starts with a UTF-8 BOM and ends every record with CRLF', () => {
    const doc = csvDocument(
      ['A', 'B'],
      [
        ['1', 2],
        ['x', null],
      ],
    );
    expect(Buffer.from(doc, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(doc.slice(1)).toBe('A,B\r\n1,2\r\nx,\r\n');
  });

  it.each([
    ['plain', 'plain'],
    ['Smith, Jane', '"Smith, Jane"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
  ])('quotes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes null and undefined as empty cells and numbers as they are', () => {
    expect([csvCell(null), csvCell(undefined), csvCell(0), csvCell(42), csvCell(12.5), csvCell(-3)]).toEqual([
      '',
      '',
      '0',
      '42',
      '12.5',
      '-3',
    ]);
  });

  it.each(['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'defuses a formula in %j with a leading apostrophe',
    (value) => {
      const cell = csvCell(value);
      const [[read]] = readCsv(`${cell}\r\n`);
      expect(read).toBe(`'${value}`);
    },
  );

  it('leaves text that only contains formula characters later alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('jane@contoso.com')).toBe('jane@contoso.com');
  });

  it('keeps unicode names intact in UTF-8 and reads back field for field', () => {
    const rows = [
      ['zoe@contoso.com', 'Zoë Ångström', 'Forschung & Entwicklung'],
      ['lilei@contoso.com', '李雷', '研发部'],
      ['emoji@contoso.com', 'Ana 🚀 Lima', 'Marketing, "Growth"'],
    ];
    const doc = csvDocument(['UPN', 'Name', 'Department'], rows);
    const bytes = Buffer.from(doc, 'utf8');
    const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    expect(doc.startsWith(CSV_BOM)).toBe(true);
    expect(readCsv(decoded)).toEqual([['UPN', 'Name', 'Department'], ...rows]);
    expect(bytes.includes(Buffer.from('李雷', 'utf8'))).toBe(true);
  });

  it('labels recommendations with their tier', () => {
    expect(recommendationText({ recommendation: 'reclaim', tier: 'certain' })).toBe('Reclaim (certain)');
    expect(recommendationText({ recommendation: 'reclaim', tier: 'probable' })).toBe('Reclaim (probable)');
    expect(recommendationText({ recommendation: 'review', tier: null })).toBe('Review');
  });
});
