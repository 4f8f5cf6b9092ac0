import { describe, expect, it } from 'vitest';
import { validateCard } from '../support/card-validator';
import { TEAMS_CARD_MAX_BYTES } from '../../src/cards/view-models';

function card(body: unknown[], actions?: unknown[]): Record<string, unknown> {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    ...(actions === undefined ? {} : { actions }),
  };
}

describe('validateCard', () => {
  it('accepts a well-formed 1.5 card with Action.Execute and Teams width', () => {
    const result = validateCard({
      ...card(
        [
          {
            type: 'TextBlock',
            text: 'Contoso · Licenses',
            size: 'Large',
            weight: 'Bolder',
            wrap: true,
            style: 'heading',
          },
          { type: 'FactSet', facts: [{ title: 'Total users', value: '262' }] },
          {
            type: 'ColumnSet',
            columns: [
              { type: 'Column', width: 46, items: [{ type: 'TextBlock', text: 'a' }] },
              {
                type: 'Column',
                width: 'auto',
                items: [{ type: 'TextBlock', text: 'b', horizontalAlignment: 'Right' }],
              },
            ],
          },
        ],
        [{ type: 'Action.Execute', title: 'Sync now', verb: 'tenant.sync', data: { tenantId: 't1' } }],
      ),
      msteams: { width: 'Full' },
    });
    expect(result.errors).toEqual([]);
    expect(result.bytes).toBeGreaterThan(0);
  });

  it('accepts the chart elements Teams renders, in the shapes the Agents Playground showed', () => {
    const result = validateCard(
      card([
        {
          type: 'Chart.Donut',
          colorSet: 'categorical',
          data: [
            { legend: 'Active', value: 12 },
            { legend: 'Idle', value: 21 },
          ],
        },
        {
          type: 'Chart.VerticalBar',
          xAxisTitle: 'Day',
          yAxisTitle: 'Users',
          showBarValues: true,
          data: [{ x: 'Mon', y: 5 }],
        },
        { type: 'Chart.Line', data: [{ legend: 'Active users', values: [{ x: '2026-11-01', y: 120 }] }] },
        {
          type: 'Chart.Gauge',
          title: 'Utilization',
          subLabel: 'of seats',
          min: 0,
          max: 100,
          value: 72,
          valueFormat: 'Percentage',
          segments: [{ legend: 'Low', size: 50, color: 'attention' }],
        },
      ]),
    );
    expect(result.errors).toEqual([]);
  });

  it('reports the byte size of the JSON', () => {
    const c = card([{ type: 'TextBlock', text: '🚀' }]);
    expect(validateCard(c).bytes).toBe(Buffer.byteLength(JSON.stringify(c), 'utf8'));
  });

  const broken: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'a TextBlock without text',
      card([{ type: 'TextBlock' }]),
      /\$\.body\[0\]: TextBlock is missing required property "text"/,
    ],
    [
      'an unknown element type',
      card([{ type: 'Chart.Radar' }]),
      /UnknownElementType: Unknown element type "Chart\.Radar"/,
    ],
    [
      'a chart point with label instead of legend',
      card([{ type: 'Chart.Donut', data: [{ label: 'Active', value: 3 }] }]),
      /unknown property "label" on a chart data point/,
    ],
    [
      'a line series without values',
      card([{ type: 'Chart.Line', data: [{ legend: 'Active users' }] }]),
      /a chart series needs a "values" array/,
    ],
    [
      'a gauge without segments',
      card([{ type: 'Chart.Gauge', value: 40 }]),
      /Chart\.Gauge is missing required property "segments"/,
    ],
    [
      'a misspelt chart property',
      card([{ type: 'Chart.Line', xAxisTitel: 'Day', data: [] }]),
      /unknown property "xAxisTitel" on a Chart\.Line/,
    ],
    ['an unknown action type', card([], [{ type: 'Action.Teleport', title: 'Go' }]), /UnknownActionType/],
    [
      'a bad enum value',
      card([{ type: 'TextBlock', text: 'x', color: 'Pink' }]),
      /InvalidPropertyValue: Invalid value "Pink" for property "color"/,
    ],
    [
      'a bad spacing',
      card([{ type: 'TextBlock', text: 'x', spacing: 'Huge' }]),
      /Invalid value "Huge" for property "spacing"/,
    ],
    [
      'a bad column width',
      card([{ type: 'ColumnSet', columns: [{ type: 'Column', width: 'wide', items: [] }] }]),
      /Invalid column width/,
    ],
    [
      'a misspelt property',
      card([{ type: 'TextBlock', text: 'x', colour: 'Good' }]),
      /unknown property "colour" on TextBlock/,
    ],
    [
      'a string where a boolean belongs',
      card([{ type: 'TextBlock', text: 'x', wrap: 'true' }]),
      /TextBlock\.wrap must be a boolean, got string/,
    ],
    [
      'a number where text belongs',
      card([{ type: 'TextBlock', text: 42 }]),
      /TextBlock\.text must be a string, got number/,
    ],
    [
      'a fact without a value',
      card([{ type: 'FactSet', facts: [{ title: 'Users' }] }]),
      /facts\[0\]: Fact is missing required property "value"/,
    ],
    ['an empty FactSet', card([{ type: 'FactSet', facts: [] }]), /FactSet\.facts is empty/],
    ['an Image without url', card([{ type: 'Image', altText: 'logo' }]), /Image is missing required property "url"/],
    [
      'Action.Execute without a verb',
      card([], [{ type: 'Action.Execute', title: 'Sync now' }]),
      /Action\.Execute is missing required property "verb"/,
    ],
    [
      'Action.Execute without a title',
      card([], [{ type: 'Action.Execute', verb: 'tenant.sync' }]),
      /Action\.Execute is missing required property "title"/,
    ],
    [
      'a property newer than 1.5',
      card([{ type: 'Image', url: 'https://example.com/a.png', forceLoad: true }]),
      /UnsupportedProperty/,
    ],
    [
      'duplicate ids',
      card([
        { type: 'TextBlock', text: 'a', id: 'x' },
        { type: 'TextBlock', text: 'b', id: 'x' },
      ]),
      /DuplicateId/,
    ],
    [
      'a body that is not an array',
      { type: 'AdaptiveCard', version: '1.5', body: { type: 'TextBlock', text: 'x' } },
      /AdaptiveCard\.body must be an array, got object/,
    ],
    [
      'an element that is not an object',
      card([{ type: 'TextBlock', text: 'x' }, 'oops']),
      /AdaptiveCard\.body\[1\] must be an object, got string/,
    ],
    ['facts that are not an array', card([{ type: 'FactSet', facts: 'Users: 5' }]), /FactSet\.facts must be an array/],
    ['a wrong root type', { type: 'Card', version: '1.5', body: [] }, /\$: "type" must be "AdaptiveCard"/],
    [
      'a missing version',
      { type: 'AdaptiveCard', body: [] },
      /"version" must be a string such as "1.5", got undefined/,
    ],
    ['an unreleased version', { type: 'AdaptiveCard', version: '1.9', body: [] }, /UnsupportedCardVersion/],
    [
      'unexpanded template directives',
      card([{ type: 'TextBlock', text: 'x', $when: '${a}' }]),
      /unknown property "\$when"/,
    ],
    [
      'a card over 28 KB',
      card([{ type: 'TextBlock', text: 'x'.repeat(TEAMS_CARD_MAX_BYTES), wrap: true }]),
      /Teams only accepts cards smaller than 28672 bytes/,
    ],
  ];

  for (const [label, input, expected] of broken) {
    it(`fails on ${label}`, () => {
      const { errors } = validateCard(input);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(expected);
    });
  }

  it('recognises Action.Execute (not reported as an unknown action)', () => {
    const { errors } = validateCard(card([], [{ type: 'Action.Execute', title: 'Go', verb: 'v' }]));
    expect(errors).toEqual([]);
  });

  it('reports every failure, not just the first', () => {
    const { errors } = validateCard(
      card(
        [{ type: 'TextBlock' }, { type: 'Nope' }, { type: 'TextBlock', text: 'x', size: 'Huge' }],
        [{ type: 'Action.Execute' }],
      ),
    );
    expect(errors.length).toBeGreaterThanOrEqual(5);
  });
});
