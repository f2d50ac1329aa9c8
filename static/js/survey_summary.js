// survey_summary.js - the patient's latest questionnaire answer on an
// appointment (the member "questionnaire" the day list and the appointment
// carry: latest_score, answered_at, questionnaire_title, wants_control),
// said in one line for the clinician's day list (day.js) and the
// appointment view (appt.js).  A "wants a check-up" is marked with a sign
// as well as words, so colour is never the only sign.
import { t, h, fmtDay, dateOf } from './lib.js';

// The line's words, or '' when the patient has answered nothing.
export function latestWords(qs) {
  if (!qs || !qs.answered_at) return '';
  const parts = [t('quest.latestText', qs.questionnaire_title || t('quest.untitled'), fmtDay(dateOf(qs.answered_at)))];
  parts.push(qs.latest_score === null || qs.latest_score === undefined ? t('quest.noScore') : t('quest.score', qs.latest_score));
  if (qs.wants_control === true) parts.push(t('quest.wantsControl'));
  else if (qs.wants_control === false) parts.push(t('quest.noControl'));
  return parts.join(', ');
}

// For the day list: a paragraph under the appointment's facts, or null.
export function latestLine(a) {
  const words = latestWords(a.questionnaire);
  if (!words) return null;
  const want = a.questionnaire.wants_control === true;
  return h(`p.survey-latest${want ? '.attention.small' : '.muted'}`, { dataset: { survey: a.id } },
    want ? h('span', { 'aria-hidden': 'true' }, '⚑ ') : null, `${t('quest.latest')}: ${words}`);
}
