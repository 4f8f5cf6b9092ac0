import { ActivityTypes, type Activity } from 'botbuilder';
import type { AdaptiveCardJson } from '../../cards/render';

/** The invoke response that makes Teams replace the clicked card with `card`. */
export function invokeCardResponse(card: AdaptiveCardJson): Partial<Activity> {
  return {
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  };
}
