// invite.js - the page behind a link /i/<token>: the patient's (confirm,
// meet in person instead, cancel) or a guest's (GP, NAV adviser, interpreter,
// next of kin: attending, maybe, not attending), as the view's "audience" says.
//
// The token in the address is the only key; it goes to the API and nowhere
// else (Referrer-Policy: no-referrer, no third-party resources).  Opening the
// page changes nothing: answers are POSTs from the buttons.  Times are shown
// in the clinic's zone through Intl.DateTimeFormat; texts in bokmål,
// nynorsk or English (the patient's language first, selectable).  The main
// action comes first (on a 360 x 640 phone without scrolling); what happens
// next and how to reach the unit follow.  After an opt-out the page says
// the clinic will be in touch, and "I can take it by video after all" is a
// second choice, not the confirm button.

const token = location.pathname.split('/').pop();
const api = `/api/v1/invite/${encodeURIComponent(token)}`;

const T = {
  nb: {
    next: { h: 'Hva skjer nå', booked: 'Klinikken sender deg en innkalling.',
      invited: 'Bekreft timen, eller si fra om du heller vil møte fysisk. Hører vi ikke fra deg, kan klinikken ringe deg.',
      confirmed_video: 'Åpne denne siden på dagen og trykk «Gå til videotimen». Videorommet åpner 15 minutter før.',
      confirmed_in_person: 'Møt opp på stedet til tiden. Du får en påminnelse før timen.',
      confirmed_phone: 'Behandleren ringer deg til avtalt tid.',
      opted_out: 'Klinikken tar kontakt med deg om et fysisk møte, og du får en ny innkalling med tid og sted. Du trenger ikke gjøre noe mer nå.',
      cancelled: 'Trenger du en ny time, ta kontakt med klinikken.', completed: 'Har du spørsmål, ta kontakt med klinikken.',
      no_show: 'Har du spørsmål, ta kontakt med klinikken.' },
    changedMind: 'Ombestemt deg?', videoAfter: 'Jeg kan ta timen på video likevel',
    videoAfterDone: 'Takk! Timen blir på video som avtalt.', contactH: 'Kontakt klinikken', call: 'Telefon:',
    title: 'Din time', lang: 'Språk', when: 'Når', with: 'Hos', how: 'Form', where: 'Sted',
    modes: { video: 'Video', in_person: 'Oppmøte', phone: 'Telefon' },
    status: { booked: 'Ikke sendt ennå', invited: 'Venter på svar fra deg', confirmed: 'Du har bekreftet timen',
      opted_out: 'Du har bedt om å møte fysisk.', cancelled: 'Timen er avlyst',
      completed: 'Timen er gjennomført', no_show: 'Timen er over' },
    videoH: 'Videotimen', join: 'Gå til videotimen', joinFrom: t => `Videorommet åpner ${t}.`,
    joinOpen: 'Videorommet er åpent.',
    prepareH: 'Slik forbereder du deg',
    prepare: ['Finn et rolig sted der du kan snakke uforstyrret.',
      'Bruk mobil, nettbrett eller PC med kamera og mikrofon. Du trenger ingen app.',
      'Test kamera og lyd på forhånd med knappen under.'],
    testAv: 'Test kamera og mikrofon', stopAv: 'Avslutt testen', mic: 'Lyd:',
    avOk: 'Kamera og mikrofon virker. Snakk, så ser du at lydmåleren beveger seg.',
    avFail: 'Fikk ikke tilgang til kamera eller mikrofon. Sjekk at nettleseren har lov til å bruke dem.',
    answerH: 'Svar', confirm: 'Bekreft timen', optout: 'Jeg vil heller møte fysisk',
    optoutReason: 'Fortell gjerne mer (frivillig)', optoutSend: 'Send ønsket om å møte fysisk',
    optoutWhy: 'Hvorfor vil du heller møte fysisk? (frivillig)',
    codes: { equipment: 'Jeg mangler utstyr eller god nok nettforbindelse', prefer_in_person: 'Jeg vil heller møte behandleren',
      examination: 'Jeg trenger en undersøkelse', language_hearing: 'Jeg trenger tolk, eller hører dårlig', other: 'Annet' },
    cancel: 'Avbestill timen', cancelReason: 'Begrunnelse (frivillig)', cancelSend: 'Ja, avbestill timen',
    cancelRule: h => `Avbestill senest ${h} timer før timen. Avbestiller du senere eller ikke møter, kan du måtte betale gebyr.`,
    done: { confirm: 'Takk! Timen er bekreftet.', 'opt-out': 'Takk! Vi har fått ønsket ditt om å møte fysisk, og du får en ny innkalling.',
      cancel: 'Timen er avbestilt.' },
    ics: 'Legg timen i kalenderen', gone: 'Lenken virker ikke lenger. Den kan være utløpt eller erstattet av en nyere lenke. Ta kontakt med klinikken om du har spørsmål.',
    guest: { about: 'Gjelder', patient: (i, y) => `pasient ${[i, y ? `født ${y}` : ''].filter(Boolean).join(', ')}`,
      reference: r => `referanse ${r}`,
      title: 'Invitasjon til møte', you: 'Du deltar som', videoH: 'Videomøtet', join: 'Gå til videomøtet',
      roles: { gp: 'fastlege', nav: 'NAV-veileder', interpreter: 'tolk', next_of_kin: 'pårørende', other: 'deltaker' },
      response: { accepted: 'Du har svart at du kommer', tentative: 'Du har svart at du kanskje kommer',
        declined: 'Du har svart at du ikke kommer', 'needs-action': 'Venter på svar fra deg' },
      accept: 'Jeg kommer', tentative: 'Kanskje', decline: 'Jeg kommer ikke',
      done: { accept: 'Takk! Du er påmeldt.', tentative: 'Takk for svaret.', decline: 'Takk for beskjed.' },
      ics: 'Legg møtet i kalenderen' },
    error: 'Noe gikk galt. Prøv igjen, eller ring klinikken.',
    stale: 'Timen ble endret mens du så på den. Se over den nye informasjonen og svar på nytt.',
    prof: { lege: 'lege', sykepleier: 'sykepleier', psykolog: 'psykolog', fysioterapeut: 'fysioterapeut',
      ergoterapeut: 'ergoterapeut', sosionom: 'sosionom', 'klinisk ernæringsfysiolog': 'klinisk ernæringsfysiolog',
      logoped: 'logoped', annet: 'behandler' },
  },
  nn: {
    next: { h: 'Kva skjer no', booked: 'Klinikken sender deg ei innkalling.',
      invited: 'Stadfest timen, eller sei frå om du heller vil møtast fysisk. Høyrer vi ikkje frå deg, kan klinikken ringje deg.',
      confirmed_video: 'Opne denne sida på dagen og trykk «Gå til videotimen». Videorommet opnar 15 minutt før.',
      confirmed_in_person: 'Møt opp på staden til tida. Du får ei påminning før timen.',
      confirmed_phone: 'Behandlaren ringjer deg til avtalt tid.',
      opted_out: 'Klinikken tek kontakt med deg om eit fysisk møte, og du får ei ny innkalling med tid og stad. Du treng ikkje gjere noko meir no.',
      cancelled: 'Treng du ein ny time, ta kontakt med klinikken.', completed: 'Har du spørsmål, ta kontakt med klinikken.',
      no_show: 'Har du spørsmål, ta kontakt med klinikken.' },
    changedMind: 'Ombestemt deg?', videoAfter: 'Eg kan ta timen på video likevel',
    videoAfterDone: 'Takk! Timen vert på video som avtalt.', contactH: 'Kontakt klinikken', call: 'Telefon:',
    title: 'Timen din', lang: 'Språk', when: 'Når', with: 'Hos', how: 'Form', where: 'Stad',
    modes: { video: 'Video', in_person: 'Oppmøte', phone: 'Telefon' },
    status: { booked: 'Ikkje sendt enno', invited: 'Ventar på svar frå deg', confirmed: 'Du har stadfesta timen',
      opted_out: 'Du har bede om å møtast fysisk.', cancelled: 'Timen er avlyst',
      completed: 'Timen er gjennomført', no_show: 'Timen er over' },
    videoH: 'Videotimen', join: 'Gå til videotimen', joinFrom: t => `Videorommet opnar ${t}.`,
    joinOpen: 'Videorommet er ope.',
    prepareH: 'Slik førebur du deg',
    prepare: ['Finn ein roleg stad der du kan snakke uforstyrra.',
      'Bruk mobil, nettbrett eller PC med kamera og mikrofon. Du treng ingen app.',
      'Test kamera og lyd på førehand med knappen under.'],
    testAv: 'Test kamera og mikrofon', stopAv: 'Avslutt testen', mic: 'Lyd:',
    avOk: 'Kamera og mikrofon verkar. Snakk, så ser du at lydmålaren rører seg.',
    avFail: 'Fekk ikkje tilgang til kamera eller mikrofon. Sjekk at nettlesaren har lov til å bruke dei.',
    answerH: 'Svar', confirm: 'Stadfest timen', optout: 'Eg vil heller møtast fysisk',
    optoutReason: 'Fortel gjerne meir (friviljug)', optoutSend: 'Send ønsket om å møtast fysisk',
    optoutWhy: 'Kvifor vil du heller møtast fysisk? (friviljug)',
    codes: { equipment: 'Eg manglar utstyr eller god nok nettsamband', prefer_in_person: 'Eg vil heller møte behandlaren',
      examination: 'Eg treng ei undersøking', language_hearing: 'Eg treng tolk, eller høyrer dårleg', other: 'Anna' },
    cancel: 'Avbestill timen', cancelReason: 'Grunngjeving (friviljug)', cancelSend: 'Ja, avbestill timen',
    cancelRule: h => `Avbestill seinast ${h} timar før timen. Avbestiller du seinare eller ikkje møter, kan du måtte betale gebyr.`,
    done: { confirm: 'Takk! Timen er stadfesta.', 'opt-out': 'Takk! Vi har fått ønsket ditt om å møtast fysisk, og du får ei ny innkalling.',
      cancel: 'Timen er avbestilt.' },
    ics: 'Legg timen i kalenderen', gone: 'Lenkja verkar ikkje lenger. Ho kan vere utgått eller erstatta av ei nyare lenkje. Ta kontakt med klinikken om du har spørsmål.',
    guest: { about: 'Gjeld', patient: (i, y) => `pasient ${[i, y ? `fødd ${y}` : ''].filter(Boolean).join(', ')}`,
      reference: r => `referanse ${r}`,
      title: 'Invitasjon til møte', you: 'Du deltek som', videoH: 'Videomøtet', join: 'Gå til videomøtet',
      roles: { gp: 'fastlege', nav: 'NAV-rettleiar', interpreter: 'tolk', next_of_kin: 'pårørande', other: 'deltakar' },
      response: { accepted: 'Du har svart at du kjem', tentative: 'Du har svart at du kanskje kjem',
        declined: 'Du har svart at du ikkje kjem', 'needs-action': 'Ventar på svar frå deg' },
      accept: 'Eg kjem', tentative: 'Kanskje', decline: 'Eg kjem ikkje',
      done: { accept: 'Takk! Du er påmeld.', tentative: 'Takk for svaret.', decline: 'Takk for beskjed.' },
      ics: 'Legg møtet i kalenderen' },
    error: 'Noko gjekk gale. Prøv igjen, eller ring klinikken.',
    stale: 'Timen vart endra medan du såg på han. Sjå over den nye informasjonen og svar på nytt.',
    prof: { lege: 'lege', sykepleier: 'sjukepleiar', psykolog: 'psykolog', fysioterapeut: 'fysioterapeut',
      ergoterapeut: 'ergoterapeut', sosionom: 'sosionom', 'klinisk ernæringsfysiolog': 'klinisk ernæringsfysiolog',
      logoped: 'logoped', annet: 'behandlar' },
  },
  en: {
    next: { h: 'What happens next', booked: 'The clinic will send you an invitation.',
      invited: 'Confirm the appointment, or tell us if you would rather meet in person. If we do not hear from you, the clinic may call you.',
      confirmed_video: 'Open this page on the day and press "Join the video appointment". The video room opens 15 minutes before.',
      confirmed_in_person: 'Come to the place on time. You will get a reminder before the appointment.',
      confirmed_phone: 'The clinician will call you at the agreed time.',
      opted_out: 'The clinic will contact you about meeting in person, and you will get a new invitation with the time and place. You need not do anything more now.',
      cancelled: 'If you need a new appointment, please contact the clinic.', completed: 'If you have questions, please contact the clinic.',
      no_show: 'If you have questions, please contact the clinic.' },
    changedMind: 'Changed your mind?', videoAfter: 'I can take it by video after all',
    videoAfterDone: 'Thank you! The appointment stays a video appointment.', contactH: 'Contact the clinic', call: 'Phone:',
    title: 'Your appointment', lang: 'Language', when: 'When', with: 'With', how: 'How', where: 'Where',
    modes: { video: 'Video', in_person: 'In person', phone: 'Phone' },
    status: { booked: 'Not sent yet', invited: 'Waiting for your answer', confirmed: 'You have confirmed the appointment',
      opted_out: 'You have asked to meet in person.', cancelled: 'The appointment is cancelled',
      completed: 'The appointment has taken place', no_show: 'The appointment is over' },
    videoH: 'The video appointment', join: 'Join the video appointment', joinFrom: t => `The video room opens ${t}.`,
    joinOpen: 'The video room is open.',
    prepareH: 'How to prepare',
    prepare: ['Find a quiet place where you can talk undisturbed.',
      'Use a phone, tablet or computer with a camera and microphone. No app is needed.',
      'Test your camera and sound beforehand with the button below.'],
    testAv: 'Test camera and microphone', stopAv: 'End the test', mic: 'Sound:',
    avOk: 'Your camera and microphone work. Speak and watch the sound meter move.',
    avFail: 'Could not use the camera or microphone. Check that the browser may use them.',
    answerH: 'Answer', confirm: 'Confirm the appointment', optout: 'I would rather meet in person',
    optoutReason: 'Tell us more (optional)', optoutSend: 'Send my wish to meet in person',
    optoutWhy: 'Why would you rather meet in person? (optional)',
    codes: { equipment: 'I have no equipment or a good enough connection', prefer_in_person: 'I would rather meet the clinician',
      examination: 'I need an examination', language_hearing: 'I need an interpreter, or hear poorly', other: 'Other' },
    cancel: 'Cancel the appointment', cancelReason: 'Reason (optional)', cancelSend: 'Yes, cancel the appointment',
    cancelRule: h => `Please cancel at least ${h} hours before the appointment. If you cancel later or do not come, you may have to pay a fee.`,
    done: { confirm: 'Thank you! The appointment is confirmed.', 'opt-out': 'Thank you! We have your wish to meet in person, and you will get a new invitation.',
      cancel: 'The appointment is cancelled.' },
    ics: 'Add to my calendar', gone: 'This link no longer works. It may have expired or been replaced by a newer one. Please contact the clinic if you have questions.',
    guest: { about: 'About', patient: (i, y) => `patient ${[i, y ? `born ${y}` : ''].filter(Boolean).join(', ')}`,
      reference: r => `reference ${r}`,
      title: 'Invitation to a meeting', you: 'You take part as', videoH: 'The video meeting', join: 'Join the video meeting',
      roles: { gp: 'GP', nav: 'welfare (NAV) adviser', interpreter: 'interpreter', next_of_kin: 'next of kin', other: 'participant' },
      response: { accepted: 'You have said you will attend', tentative: 'You have said you may attend',
        declined: 'You have said you will not attend', 'needs-action': 'Waiting for your answer' },
      accept: 'I will attend', tentative: 'Maybe', decline: 'I will not attend',
      done: { accept: 'Thank you! You are signed up.', tentative: 'Thank you for your answer.', decline: 'Thank you for letting us know.' },
      ics: 'Add the meeting to my calendar' },
    error: 'Something went wrong. Please try again, or call the clinic.',
    stale: 'The appointment changed while you were looking at it. Please check the new details and answer again.',
    prof: { lege: 'doctor', sykepleier: 'nurse', psykolog: 'psychologist', fysioterapeut: 'physiotherapist',
      ergoterapeut: 'occupational therapist', sosionom: 'social worker', 'klinisk ernæringsfysiolog': 'clinical dietitian',
      logoped: 'speech therapist', annet: 'clinician' },
  },
};
// Browsers without nynorsk data fall back to bokmål, whose weekday names
// differ in four places; those are put right by hand.
const LOCALE = { nb: ['nb-NO', 'no'], nn: ['nn-NO', 'nb-NO', 'no'], en: ['en-GB'] };
const NN_DAYS = { mandag: 'måndag', tirsdag: 'tysdag', lørdag: 'laurdag', søndag: 'sundag' };

const $ = id => document.getElementById(id);
let view = null;
let lang = null;
let stream = null;

function t() { return T[lang] || T.nb; }

function fmt(iso, opts) {
  const f = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: view.time_zone, ...opts });
  if (lang !== 'nn' || f.resolvedOptions().locale.startsWith('nn')) return f.format(new Date(iso));
  return f.formatToParts(new Date(iso))
    .map(p => (p.type === 'weekday' ? NN_DAYS[p.value] || p.value : p.value)).join('');
}

function render() {
  const s = t();
  document.documentElement.lang = lang;
  document.title = s.title;
  $('lang').value = lang;
  $('lang-label').textContent = s.lang;
  $('title').textContent = s.title;
  if (!view) return;
  const guest = view.audience === 'guest';
  const g = s.guest;
  if (guest) document.title = $('title').textContent = g.title;
  $('clinic').textContent = view.clinic;
  $('loading').hidden = true;
  $('card').hidden = false;
  const st = $('status');
  if (guest && view.status !== 'cancelled') {
    st.textContent = g.response[view.participant.response] || view.participant.response;
    st.className = `status ${view.participant.response}`;
  } else {
    st.textContent = s.status[view.status] || view.status;
    st.className = `status ${view.status}`;
  }
  $('l-you').hidden = $('you').hidden = !guest;
  if (guest) {
    $('l-you').textContent = g.you;
    $('you').textContent = g.roles[view.participant.role] || view.participant.role;
  }
  // whom the meeting is about: the clinic's reference, or initials and birth year
  const about = guest && view.about;
  $('l-about').hidden = $('about').hidden = !about;
  if (about) {
    $('l-about').textContent = g.about;
    $('about').textContent = about.reference ? g.reference(about.reference) : g.patient(about.initials || '–', about.birth_year);
  }
  $('l-when').textContent = s.when;
  $('when').textContent = `${fmt(view.start, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })}, ` +
    `${fmt(view.start, { hour: '2-digit', minute: '2-digit' })}–${fmt(view.end, { hour: '2-digit', minute: '2-digit' })}`;
  $('l-with').textContent = s.with;
  $('with').textContent = view.clinicians.map(c => `${c.name} (${s.prof[c.profession] || c.profession})`).join(', ');
  $('l-how').textContent = s.how;
  $('how').textContent = s.modes[view.mode] || view.mode;
  const place = view.room ? [view.room.name, view.room.location].filter(Boolean).join(', ') : '';
  $('l-where').textContent = s.where;
  $('where').textContent = place;
  $('l-where').hidden = $('where').hidden = !(view.mode === 'in_person' && place);

  const video = view.mode === 'video' && !['cancelled', 'opted_out'].includes(view.status);
  $('video').hidden = !video;
  if (video) {
    $('video-h').textContent = guest ? g.videoH : s.videoH;
    const join = $('join');
    join.textContent = guest ? g.join : s.join;
    const open = view.video_url && Date.now() >= Date.parse(view.join_from);
    if (open) {
      join.href = view.video_url;
      join.removeAttribute('aria-disabled');
      $('join-when').textContent = s.joinOpen;
    } else {
      join.removeAttribute('href');
      join.setAttribute('aria-disabled', 'true');
      $('join-when').textContent = s.joinFrom(fmt(view.join_from,
        { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }));
    }
    $('prepare-h').textContent = s.prepareH;
    $('prepare').replaceChildren(...s.prepare.map(x => { const li = document.createElement('li'); li.textContent = x; return li; }));
    $('test-av').textContent = s.testAv;
    $('stop-av').textContent = s.stopAv;
    $('mic-label').textContent = s.mic;
  }

  // the main action first, within a phone's first screen: the answer while
  // one is awaited, the video room once confirmed; after an opt-out what
  // happens next comes first and video is only a second choice
  const optedOut = !guest && view.status === 'opted_out';
  const order = optedOut ? ['next', 'actions', 'video'] : view.status === 'invited' || guest ? ['actions', 'video', 'next'] : ['video', 'actions', 'next'];
  $('contact').before(...order.map($));
  $('next').hidden = guest;
  $('next-h').textContent = s.next.h;
  $('next-text').textContent = s.next[view.status === 'confirmed' ? `confirmed_${view.mode}` : view.status] || '';
  const unit = view.unit;
  $('contact').hidden = !unit;
  if (unit) {
    $('contact-h').textContent = s.contactH;
    $('contact-unit').textContent = [unit.department, unit.name].filter(Boolean).join(', ');
    $('contact-phone-line').hidden = !unit.phone;
    $('contact-call').textContent = s.call;
    $('contact-phone').textContent = unit.phone || '';
    $('contact-phone').href = unit.phone ? `tel:${unit.phone.replace(/\s/g, '')}` : '#';
    $('contact-address').hidden = !unit.address;
    $('contact-address').textContent = unit.address || '';
  }

  const can = view.can || {};
  $('actions').hidden = !(can.confirm || can.opt_out || can.cancel || can.accept || can.tentative || can.decline);
  for (const a of ['accept', 'tentative', 'decline']) {
    $(a).textContent = g[a];
    $(a).hidden = !can[a];
  }
  $('answer-h').textContent = optedOut ? s.changedMind : s.answerH;
  $('confirm').textContent = s.confirm;
  $('confirm').hidden = !can.confirm || optedOut;
  $('video-after').textContent = s.videoAfter;
  $('video-after').hidden = !can.confirm || !optedOut;
  $('optout').textContent = s.optout;
  $('optout').hidden = !can.opt_out;
  if (!can.opt_out) $('optout-form').hidden = true;
  $('optout-reason-label').textContent = s.optoutReason;
  $('optout-codes-legend').textContent = s.optoutWhy;
  for (const el of document.querySelectorAll('[data-code]')) el.textContent = s.codes[el.dataset.code];
  $('optout-send').textContent = s.optoutSend;
  $('cancel').textContent = s.cancel;
  $('cancel').hidden = !can.cancel;
  if (!can.cancel) $('cancel-form').hidden = true;
  $('cancel-rule').textContent = s.cancelRule(view.cancel_notice_hours);
  $('cancel-reason-label').textContent = s.cancelReason;
  $('cancel-send').textContent = s.cancelSend;
  $('ics').textContent = guest ? g.ics : s.ics;
  $('ics').href = `${api}/calendar.ics`;
  $('ics').hidden = view.status === 'cancelled';
}

function gone() {
  $('loading').hidden = true;
  $('card').hidden = true;
  $('gone').hidden = false;
  $('gone-text').textContent = t().gone;
}

async function load() {
  const r = await fetch(api, { credentials: 'omit', cache: 'no-store' });
  if (r.status === 404) return gone();
  if (!r.ok) throw new Error(`status ${r.status}`);
  view = await r.json();
  if (!lang) lang = T[view.language] ? view.language : 'nb';
  render();
}

async function act(action, reason, code) {
  $('notice').textContent = '';
  // the version shown: an answer to a view that has since changed is refused
  const init = { method: 'POST', credentials: 'omit', cache: 'no-store',
    headers: { 'If-Match': `"${view.version}"` } };
  if (reason || code) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify({ ...(reason ? { reason } : {}), ...(code ? { reason_code: code } : {}) });
  }
  const r = await fetch(`${api}/${action}`, init);
  if (r.status === 404) return gone();
  if (r.status === 412) {
    await load();
    $('notice').textContent = t().stale;
    return;
  }
  if (!r.ok) {
    let msg = t().error;
    try { const e = await r.json(); if (e.error && e.error.message && r.status === 409) msg = `${msg} (${e.error.message})`; } catch (_) { /* not JSON */ }
    $('notice').textContent = msg;
    return;
  }
  const after = action === 'confirm' && view.status === 'opted_out';
  view = await r.json();
  $('optout-form').hidden = $('cancel-form').hidden = true;
  $('optout').setAttribute('aria-expanded', 'false');
  $('cancel').setAttribute('aria-expanded', 'false');
  render();
  $('notice').textContent = after ? t().videoAfterDone : (view.audience === 'guest' ? t().guest.done : t().done)[action];
  $('main').focus();
}

function toggle(button, form) {
  const open = form.hidden;
  form.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (open) form.querySelector('textarea').focus();
}

async function testAv() {
  const s = t();
  $('av').hidden = false;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    $('preview').srcObject = stream;
    const ctx = new AudioContext();
    const an = ctx.createAnalyser();
    ctx.createMediaStreamSource(stream).connect(an);
    const data = new Uint8Array(an.fftSize);
    const tick = () => {
      if (!stream) { ctx.close(); return; }
      an.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128) / 128);
      $('mic').value = peak;
      requestAnimationFrame(tick);
    };
    tick();
    $('av-result').textContent = s.avOk;
  } catch (_) {
    $('av-result').textContent = s.avFail;
  }
}

function stopAv() {
  if (stream) stream.getTracks().forEach(tr => tr.stop());
  stream = null;
  $('preview').srcObject = null;
  $('av').hidden = true;
  $('test-av').focus();
}

$('lang').addEventListener('change', e => { lang = e.target.value; render(); });
$('confirm').addEventListener('click', () => act('confirm'));
$('video-after').addEventListener('click', () => act('confirm'));
for (const a of ['accept', 'tentative', 'decline']) $(a).addEventListener('click', () => act(a));
$('optout').addEventListener('click', () => toggle($('optout'), $('optout-form')));
$('cancel').addEventListener('click', () => toggle($('cancel'), $('cancel-form')));
$('optout-form').addEventListener('submit', e => {
  e.preventDefault();
  const code = document.querySelector('input[name="optout-code"]:checked');
  act('opt-out', $('optout-reason').value.trim(), code ? code.value : '');
});
$('cancel-form').addEventListener('submit', e => { e.preventDefault(); act('cancel', $('cancel-reason').value.trim()); });
$('test-av').addEventListener('click', testAv);
$('stop-av').addEventListener('click', stopAv);
setInterval(() => { if (view && view.mode === 'video') render(); }, 30000); // the join button opens on time

load().catch(() => { $('loading').hidden = true; $('notice').textContent = t().error; });
