import { renderCard, type AdaptiveCardJson } from '../../cards/render';

export function errorCard(title: string, message: string): AdaptiveCardJson {
  return renderCard('error', { title, message });
}
