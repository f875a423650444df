/**
 * The booking form of /regulation, open while this page holds a slot: the hold's countdown
 * with "Prolonger" and "Annuler", and the patient's identity, checked with the shared
 * BookingBody schema before it is sent.
 */
import type { Ref } from 'preact'
import type { Slot } from '../../shared/schemas/slots.js'
import { doctorName, formatCountdown, formatDayOf, formatDuration, formatTime, KIND_FR, MODE_FR, PROFESSION_FR, secondsLeft } from '../lib/format.js'
import { Field } from '../lib/ui.js'
import type { HoldBusy, PatientDraft } from './regulation-call.js'
import { placeName } from './regulation-model.js'

/** Day, time, practitioner and place of a slot, as a compact block. */
export function SlotSummary (props: { slot: Slot, zone: string, cptsName: string }) {
  const { slot, zone } = props
  const p = slot.practitioner
  return (
    <div class='rg-summary'>
      <p class='rg-summary-when'>
        <strong>{formatDayOf(slot.start, zone)} · {formatTime(slot.start, zone)}</strong> <span class='rg-muted'>({formatDuration(slot.start, slot.end)})</span>
      </p>
      <p>{doctorName(p.name)} · {PROFESSION_FR[p.profession]} · {placeName(slot)}</p>
      <p class='rg-muted'>{MODE_FR[slot.mode]} · {KIND_FR[slot.kind]} · {props.cptsName}</p>
    </div>
  )
}

/**
 * The patient's identity, reason and treating GP, with their errors by schema path: the
 * booking form's fields, also the waiting list's (the same ids: one panel shows at a time).
 */
export function PatientFields (props: {
  draft: PatientDraft
  onDraft: (patch: Partial<PatientDraft>) => void
  errors: Record<string, string>
  firstFieldRef?: Ref<HTMLInputElement> | undefined
}) {
  const { draft } = props
  const err = (path: string): string | undefined => props.errors[path]
  const described = (id: string, path: string): string | undefined => err(path) !== undefined ? `${id}-error` : undefined
  return (
    <>
      <div class='rg-form-grid'>
        <Field id='pt-last' label='Nom' error={err('patient.lastName')}>
          <input id='pt-last' ref={props.firstFieldRef} type='text' autocomplete='off' spellcheck={false} value={draft.lastName}
            aria-invalid={err('patient.lastName') !== undefined} aria-describedby={described('pt-last', 'patient.lastName')}
            onInput={(e) => props.onDraft({ lastName: e.currentTarget.value })} />
        </Field>
        <Field id='pt-first' label='Prénom' error={err('patient.firstName')}>
          <input id='pt-first' type='text' autocomplete='off' spellcheck={false} value={draft.firstName}
            aria-invalid={err('patient.firstName') !== undefined} aria-describedby={described('pt-first', 'patient.firstName')}
            onInput={(e) => props.onDraft({ firstName: e.currentTarget.value })} />
        </Field>
        <Field id='pt-birth' label='Date de naissance' error={err('patient.birthDate')}>
          <input id='pt-birth' type='text' inputMode='numeric' autocomplete='off' placeholder='JJ/MM/AAAA' value={draft.birthDate}
            aria-invalid={err('patient.birthDate') !== undefined}
            aria-describedby={described('pt-birth', 'patient.birthDate')}
            onInput={(e) => props.onDraft({ birthDate: e.currentTarget.value })} />
        </Field>
        <Field id='pt-phone' label='Téléphone' error={err('patient.phone')}>
          <input id='pt-phone' type='tel' autocomplete='off' placeholder='06 12 34 56 78' value={draft.phone}
            aria-invalid={err('patient.phone') !== undefined} aria-describedby={described('pt-phone', 'patient.phone')}
            onInput={(e) => props.onDraft({ phone: e.currentTarget.value })} />
        </Field>
      </div>
      <Field id='pt-reason' label='Motif (facultatif)' error={err('reason')}>
        <textarea id='pt-reason' rows={2} maxLength={500} value={draft.reason}
          aria-invalid={err('reason') !== undefined} aria-describedby={described('pt-reason', 'reason')}
          onInput={(e) => props.onDraft({ reason: e.currentTarget.value })} />
      </Field>
      <fieldset class={'rg-radios' + (err('hasTreatingGp') !== undefined ? ' field-invalid' : '')}
        aria-describedby={described('pt-gp', 'hasTreatingGp')}>
        <legend>A un médecin traitant ?</legend>
        {([['yes', 'Oui'], ['no', 'Non'], ['unknown', 'Ne sait pas']] as const).map(([v, label]) => (
          <label key={v} class='rg-radio'>
            <input type='radio' id={`pt-gp-${v}`} name='pt-gp' value={v} checked={draft.hasTreatingGp === v}
              onChange={() => props.onDraft({ hasTreatingGp: v })} />
            {label}
          </label>
        ))}
        {err('hasTreatingGp') !== undefined && <small id='pt-gp-error' class='error' role='alert'>{err('hasTreatingGp')}</small>}
      </fieldset>
    </>
  )
}

export function HoldPanel (props: {
  slot: Slot
  zone: string
  cptsName: string
  expiresAt: string
  now: number
  busy: HoldBusy
  draft: PatientDraft
  onDraft: (patch: Partial<PatientDraft>) => void
  errors: Record<string, string>
  formError: string | null
  onBook: () => void
  onExtend: () => void
  onCancel: () => void
  firstFieldRef: Ref<HTMLInputElement>
}) {
  const { draft, errors } = props
  const left = secondsLeft(props.expiresAt, props.now)
  const expired = left === 0
  const urgent = left <= 30

  return (
    <section class='rg-panel-card card' aria-labelledby='hold-title'>
      <h2 id='hold-title'>Réservation en cours</h2>
      <SlotSummary slot={props.slot} zone={props.zone} cptsName={props.cptsName} />
      <div class={'rg-timer' + (expired ? ' is-expired' : urgent ? ' is-urgent' : '')}>
        <p>
          {expired
            ? <>Délai écoulé : le créneau n’est plus bloqué pour vous. <strong>Prolongez</strong> pour le reprendre s’il est encore libre.</>
            : <>Créneau bloqué pour vous encore <strong role='timer' class='rg-countdown-big'>{formatCountdown(props.expiresAt, props.now)}</strong></>}
        </p>
        <button type='button' onClick={props.onExtend} disabled={props.busy !== null}>
          {props.busy === 'extend' ? 'Prolongation…' : 'Prolonger'}
        </button>
      </div>

      <form class='rg-form' noValidate onSubmit={(e) => { e.preventDefault(); props.onBook() }}
        aria-describedby={props.formError !== null ? 'hold-form-error' : undefined}>
        <PatientFields draft={draft} onDraft={props.onDraft} errors={errors} firstFieldRef={props.firstFieldRef} />
        {props.formError !== null && <p id='hold-form-error' class='banner banner-error' role='alert'>{props.formError}</p>}
        <div class='rg-form-actions'>
          <button type='submit' class='primary' disabled={props.busy !== null}>
            {props.busy === 'book' ? 'Réservation…' : 'Réserver pour ce patient'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
          </button>
          <button type='button' onClick={props.onCancel} disabled={props.busy === 'book' || props.busy === 'release'}>
            Annuler <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd>
          </button>
        </div>
      </form>
    </section>
  )
}
