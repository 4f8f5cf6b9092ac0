import type { DigestSecurity } from '../../domain/digest';
import type { SecurityScoreSummary } from '../identity/security-report';

/** The digest's security part: the rubric's overall score and its top recommendations by impact. */
export function digestSecurity(score: SecurityScoreSummary): DigestSecurity {
  const left = score.unknown.length > 0 ? ` (${score.unknown.length} component(s) unreadable, left out)` : '';
  return {
    scoreText:
      score.overall_score === null
        ? 'Security score: nothing could be read yet (run a sync, or see `security` for what is missing).'
        : `Security score: ${score.overall_score}/100${left}`,
    asOf: score.as_of,
    recommendations: score.recommendations.map(
      (r) => `${r.priority === 'high' ? 'High' : r.priority === 'medium' ? 'Medium' : 'Low'}: ${r.title}`,
    ),
  };
}
