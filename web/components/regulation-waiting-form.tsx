/**
 * « Liste d'attente » on /regulation, for a call that ended « aucun créneau »: the patient's
 * commune and the call's kind (from the call), how long they can wait, the modes they accept,
 * their identity and callback phone (the booking form's fields and checks); then the sentence
 * to read to them (`waitingListPromise`), as a booking's confirmation has its own.
 */
import type { Ref } from 'preact'
import { useState } from 'preact/hooks'
import type { SlotKind, SlotMode } from '../../shared/schemas/slots.js'
import type { CreateRequestBody, WaitingRequestDetail } from '../../shared/schemas/waiting-list.js'
import { KIND_LONG_FR, MODE_FR } from '../lib/format.js'
import { PatientFields } from './regulation-booking.js'
import { EMPTY_PATIENT, FIELD_IDS, type PatientDraft } from './regulation-call.js'
import type { Commune } from './regulation-model.js'
import { waitChoices, waitingRequest, type WaitOffer } from './regulation-waiting.js'

const MODES: SlotMode[] = ['office', 'video', 'home']
/** The form's own fields by error path, in its order (then the patient's, as the booking form has them). */
const OWN_FIELDS: Record<string, string> = { communeCode: 'wl-commune', modes: 'wl-mode-office' }

export function WaitingForm (props: {
  offer: WaitOffer
  /** The commune the call chose (the offer's, else the one typed since with /). */
  commune: Commune | null
  /** Today in the territory's zone. */
  today: string
  busy: boolean
  error: string | null
  errors: Record<string, string>
  onRejected: (errors: Record<string, string>) => void
  onSubmit: (body: CreateRequestBody) => void
  onClose: () => void
}) {
  const [kind, setKind] = useState<SlotKind>(props.offer.kind)
  const [days, setDays] = useState(1)
  const [modes, setModes] = useState<SlotMode[]>(['office'])
  const [draft, setDraft] = useState<PatientDraft>({ ...EMPTY_PATIENT, hasTreatingGp: props.offer.hasTreatingGp })
  const choices = waitChoices(props.today)
  const { errors } = props
  const c = props.commune

  function submit (e?: Event): void {
    e?.preventDefault()
    const r = waitingRequest(props.offer, { commune: c, kind, days, modes }, draft, props.today)
    if (r.ok) { props.onSubmit(r.body); return }
    props.onRejected(r.errors)
    const first = [...Object.keys(OWN_FIELDS), ...Object.keys(FIELD_IDS)].find((k) => r.errors[k] !== undefined)
    const id = first === undefined ? undefined : OWN_FIELDS[first] ?? FIELD_IDS[first]
    if (id !== undefined) document.getElementById(id)?.focus()
  }

  return (
    <section class='rg-panel-card card' aria-labelledby='wl-form-title'>
      <h2 id='wl-form-title'>Liste d’attente</h2>
      <p class='rg-muted'>Le patient est rappelé dès qu’un créneau correspondant se libère.</p>
      <form id='wl-form' class='rg-form' noValidate onSubmit={submit}>
        <p id='wl-commune' tabIndex={-1} class={errors.communeCode !== undefined ? 'field-invalid' : ''}>
          Commune du patient : <strong>{c !== null ? `${c.name} (${c.postalCodes[0] ?? c.departement})` : 'non renseignée'}</strong>
          {errors.communeCode !== undefined && <small class='error' role='alert'> {errors.communeCode}</small>}
        </p>
        <fieldset class='rg-radios'>
          <legend>Demande</legend>
          {(['snp', 'psy'] as const).map((k) => (
            <label key={k} class='rg-radio'>
              <input type='radio' id={`wl-kind-${k}`} name='wl-kind' value={k} checked={kind === k} onChange={() => setKind(k)} />
              {KIND_LONG_FR[k]}
            </label>
          ))}
        </fieldset>
        <div class='field'>
          <label for='wl-days'>Peut attendre</label>
          <select id='wl-days' value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {choices.map((o) => <option key={o.days} value={String(o.days)}>{o.label}</option>)}
          </select>
        </div>
        <fieldset class={'rg-radios' + (errors.modes !== undefined ? ' field-invalid' : '')} aria-describedby={errors.modes !== undefined ? 'wl-modes-error' : undefined}>
          <legend>Modes acceptés</legend>
          {MODES.map((m) => (
            <label key={m} class='rg-radio'>
              <input type='checkbox' id={`wl-mode-${m}`} name='wl-mode' value={m} checked={modes.includes(m)}
                onChange={(e) => setModes((list) => e.currentTarget.checked ? MODES.filter((x) => x === m || list.includes(x)) : list.filter((x) => x !== m))} />
              {MODE_FR[m]}
            </label>
          ))}
          {errors.modes !== undefined && <small id='wl-modes-error' class='error' role='alert'>{errors.modes}</small>}
        </fieldset>
        <PatientFields draft={draft} onDraft={(patch) => setDraft((d) => ({ ...d, ...patch }))} errors={errors} />
        {(props.error ?? errors.form) !== undefined && <p class='banner banner-error' role='alert'>{props.error ?? errors.form}</p>}
        <div class='rg-form-actions'>
          <button type='submit' class='primary' disabled={props.busy}>
            {props.busy ? 'Inscription…' : 'Inscrire sur la liste d’attente'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
          </button>
          <button type='button' onClick={props.onClose}>Retour <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
        </div>
      </form>
    </section>
  )
}

/** The patient is on the list: the sentence to read, then « Nouvel appel ». */
export function WaitingDone (props: { sentence: string, request: WaitingRequestDetail, onNewCall: () => void, newCallRef?: Ref<HTMLButtonElement> }) {
  const p = props.request.patient
  return (
    <section class='rg-panel-card card rg-confirm' aria-labelledby='wl-done-title'>
      <h2 id='wl-done-title'>Inscrit sur la liste d’attente</h2>
      <p class='rg-read' role='status'>
        <span class='rg-read-label'>À lire au patient :</span>{' '}« {props.sentence} »
      </p>
      {p !== null && <p class='rg-muted'>Patient : {p.lastName.toUpperCase()} {p.firstName} · {props.request.place.commune}</p>}
      <div class='rg-form-actions'>
        <button type='button' id='wl-new-call' class='primary' ref={props.newCallRef} onClick={props.onNewCall}>
          Nouvel appel <kbd class='rg-kbd' aria-hidden='true'>n</kbd>
        </button>
      </div>
    </section>
  )
}
