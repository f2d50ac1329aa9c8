// survey.js - the page behind a survey link /s/<token>: a questionnaire
// after a consultation (satisfaction) or a follow-up (PROM), drawn by
// survey_form.js, answered once.  Answered links show a thank-you; a second
// answer (another tab, a double tap) is refused by the server with 409 and
// shown as answered.  "Do not ask me again" ends surveys for the patient.
// Unknown, used-up and expired links look the same: a friendly page.
//
// The token in the address is the only key; it goes to the API and nowhere
// else (Referrer-Policy: no-referrer, nothing from another site).  Opening
// the page changes nothing; answering is the POST of the form.
import { surveyForm, surveyTitle } from './survey_form.js';

const token = location.pathname.split('/').pop();
const api = `/api/v1/survey/${encodeURIComponent(token)}`;

const T = {
  nb: {
    page: 'Spørreskjema', lang: 'Språk', brand: 'Spørsmål fra klinikken',
    requiredNote: 'Spørsmål merket «Må besvares» må du svare på. Resten er frivillig.',
    send: 'Send svarene', sending: 'Sender …',
    fix: n => (n === 1 ? 'Ett spørsmål mangler svar eller må rettes. Se meldingen ved spørsmålet.'
      : `${n} spørsmål mangler svar eller må rettes. Se meldingene ved spørsmålene.`),
    thanks: 'Takk for svarene dine! Du kan lukke siden nå.',
    answered: 'Du har allerede svart på dette spørreskjemaet. Takk!',
    declineH: 'Vil du ikke ha slike spørsmål?', decline: 'Ikke spør meg igjen',
    declineExplain: 'Da sender vi deg ikke flere spørreskjema. Det påvirker ikke behandlingen din.',
    declineSend: 'Ja, ikke send meg flere spørreskjema',
    declined: 'Vi sender deg ikke flere spørreskjema. Takk for beskjed.',
    gone: 'Lenken virker ikke lenger. Den kan være utløpt eller allerede brukt. Ta kontakt med klinikken om du har spørsmål.',
    error: 'Noe gikk galt. Prøv igjen om litt.',
    invalid: 'Noen av svarene kunne ikke tas imot. Se over svarene og prøv igjen, eller ta kontakt med klinikken.',
    tooBig: 'Svarene er for lange til å sendes. Gjør de lengste svarene kortere og prøv igjen.',
  },
  nn: {
    page: 'Spørjeskjema', lang: 'Språk', brand: 'Spørsmål frå klinikken',
    requiredNote: 'Spørsmål merka «Må svarast på» må du svare på. Resten er friviljug.',
    send: 'Send svara', sending: 'Sender …',
    fix: n => (n === 1 ? 'Eitt spørsmål manglar svar eller må rettast. Sjå meldinga ved spørsmålet.'
      : `${n} spørsmål manglar svar eller må rettast. Sjå meldingane ved spørsmåla.`),
    thanks: 'Takk for svara dine! Du kan lukke sida no.',
    answered: 'Du har alt svart på dette spørjeskjemaet. Takk!',
    declineH: 'Vil du ikkje ha slike spørsmål?', decline: 'Ikkje spør meg igjen',
    declineExplain: 'Då sender vi deg ikkje fleire spørjeskjema. Det påverkar ikkje behandlinga di.',
    declineSend: 'Ja, ikkje send meg fleire spørjeskjema',
    declined: 'Vi sender deg ikkje fleire spørjeskjema. Takk for beskjed.',
    gone: 'Lenkja verkar ikkje lenger. Ho kan vere utgått eller alt brukt. Ta kontakt med klinikken om du har spørsmål.',
    error: 'Noko gjekk gale. Prøv igjen om litt.',
    invalid: 'Nokre av svara kunne ikkje takast imot. Sjå over svara og prøv igjen, eller ta kontakt med klinikken.',
    tooBig: 'Svara er for lange til å sendast. Gjer dei lengste svara kortare og prøv igjen.',
  },
  en: {
    page: 'Questionnaire', lang: 'Language', brand: 'Questions from the clinic',
    requiredNote: 'Questions marked “Required” need an answer. The rest are optional.',
    send: 'Send my answers', sending: 'Sending …',
    fix: n => (n === 1 ? 'One question needs an answer or a correction. See the message at the question.'
      : `${n} questions need an answer or a correction. See the messages at the questions.`),
    thanks: 'Thank you for your answers! You may close this page now.',
    answered: 'You have already answered this questionnaire. Thank you!',
    declineH: 'Would you rather not get questions like these?', decline: 'Do not ask me again',
    declineExplain: 'We will send you no more questionnaires. This does not affect your care.',
    declineSend: 'Yes, send me no more questionnaires',
    declined: 'We will send you no more questionnaires. Thank you for letting us know.',
    gone: 'This link no longer works. It may have expired or already been used. Please contact the clinic if you have questions.',
    error: 'Something went wrong. Please try again in a while.',
    invalid: 'Some of the answers could not be accepted. Please look over your answers and try again, or contact the clinic.',
    tooBig: 'Your answers are too long to send. Please shorten the longest ones and try again.',
  },
};

const $ = id => document.getElementById(id);
let view = null;   // the GET's answer
let form = null;   // the surveyForm
let lang = null;
let state = 'loading'; // form | thanks | answered | declined | gone
let busy = false;

function t() { return T[lang] || T.nb; }

function render() {
  const s = t();
  document.documentElement.lang = lang;
  $('lang').value = lang;
  $('lang-label').textContent = s.lang;
  $('brand').textContent = s.brand;
  const heading = view ? surveyTitle(view.questionnaire, lang) : { title: '', description: '' };
  $('title').textContent = heading.title || s.page;
  document.title = heading.title || s.page;
  $('loading').hidden = state !== 'loading';
  $('survey').hidden = state !== 'form';
  $('decline-box').hidden = state !== 'form';
  $('done').hidden = !['thanks', 'answered', 'declined', 'gone'].includes(state);
  if (state === 'gone') $('title').textContent = document.title = s.page;
  $('done-text').textContent = { thanks: s.thanks, answered: s.answered, declined: s.declined, gone: s.gone }[state] || '';
  if (state !== 'form') return;
  $('intro').textContent = heading.description;
  $('intro').hidden = !heading.description;
  $('required-note').textContent = s.requiredNote;
  $('send').textContent = busy ? s.sending : s.send;
  $('decline-h').textContent = s.declineH;
  $('decline').textContent = s.decline;
  $('decline-explain').textContent = s.declineExplain;
  $('decline-send').textContent = s.declineSend;
  if ($('summary').textContent) $('summary').textContent = s.fix(form.validate().length);
}

// A view other than the form: the text takes focus, so a screen reader
// says it at once.
function finish(next) {
  state = next;
  $('notice').textContent = '';
  render();
  $('title').focus();
}

async function load() {
  const r = await fetch(api, { credentials: 'omit', cache: 'no-store' });
  if (r.status === 404) { if (!lang) lang = 'nb'; return finish('gone'); }
  if (!r.ok) throw new Error(`status ${r.status}`);
  view = await r.json();
  if (!lang) lang = T[view.language] ? view.language : 'nb';
  if (view.answered) { state = 'answered'; return render(); }
  // after a refused send the count of what is wrong follows the answers
  form = surveyForm(view.questionnaire, { lang, prefix: 'sq', onChange: recount });
  $('form').replaceChildren(form.element);
  state = 'form';
  render();
}

function recount() {
  if (!$('summary').textContent) return;
  const n = form.validate().length;
  $('summary').textContent = n ? t().fix(n) : '';
}

async function send(e) {
  e.preventDefault();
  if (busy) return;
  $('notice').textContent = '';
  const wrong = form.validate();
  if (wrong.length) {
    $('summary').textContent = t().fix(wrong.length);
    form.control(wrong[0].linkId)?.focus();
    return;
  }
  $('summary').textContent = '';
  busy = true;
  render();
  try {
    const r = await fetch(api, { method: 'POST', credentials: 'omit', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(form.response()) });
    if (r.status === 201) return finish('thanks');
    if (r.status === 409) return finish('answered');
    if (r.status === 404) return finish('gone');
    // the server's own words are English and technical: the patient
    // reads ours, in their language
    $('notice').textContent = r.status === 400 ? t().invalid : r.status === 413 ? t().tooBig : t().error;
  } catch (_) {
    $('notice').textContent = t().error;
  } finally {
    busy = false;
    if (state === 'form') render();
  }
}

async function decline() {
  $('notice').textContent = '';
  try {
    const r = await fetch(`${api}/decline`, { method: 'POST', credentials: 'omit', cache: 'no-store' });
    if (r.status === 204) return finish('declined');
    if (r.status === 404) return finish('gone');
    $('notice').textContent = t().error;
  } catch (_) {
    $('notice').textContent = t().error;
  }
}

$('lang').addEventListener('change', e => {
  lang = e.target.value;
  if (form) form.setLanguage(lang); // the answers stay; focus stays on the choice of language
  render();
});
$('survey').addEventListener('submit', send);
$('decline').addEventListener('click', () => {
  const box = $('decline-form');
  box.hidden = !box.hidden;
  $('decline').setAttribute('aria-expanded', String(!box.hidden));
  if (!box.hidden) $('decline-send').focus();
});
$('decline-send').addEventListener('click', decline);

load().catch(() => { lang = lang || 'nb'; state = 'loading'; render(); $('loading').hidden = true; $('notice').textContent = t().error; });
