/**
 * "Fin d'appel sans réservation" on /regulation: how the call ended, for the call log
 * (POST /api/calls). Calls that found no slot are the board's unmet demand.
 */
import { useState } from 'preact/hooks'
import type { HasTreatingGp, SlotKind } from '../../shared/schemas/slots.js'
import { CALL_OUTCOME_FR, KIND_LONG_FR } from '../lib/format.js'
import type { EndOutcome } from './regulation-call.js'
import type { Commune } from './regulation-model.js'

const OUTCOMES: EndOutcome[] = ['redirected_treating_gp', 'emergency', 'advice', 'no_slot', 'other']

export interface EndCallValues { outcome: EndOutcome, kind: SlotKind, hasTreatingGp: HasTreatingGp }

export function EndCallPanel (props: {
  commune: Commune | null
  initial: { outcome: EndOutcome | null, kind: SlotKind, hasTreatingGp: HasTreatingGp }
  busy: boolean
  error: string | null
  onSubmit: (v: EndCallValues) => void
  onClose: () => void
}) {
  const [outcome, setOutcome] = useState<EndOutcome | null>(props.initial.outcome)
  const [kind, setKind] = useState<SlotKind>(props.initial.kind)
  const [htg, setHtg] = useState<HasTreatingGp>(props.initial.hasTreatingGp)
  const [missing, setMissing] = useState(false)

  function submit (e?: Event): void {
    e?.preventDefault()
    if (outcome === null) { setMissing(true); document.getElementById('end-outcome-' + OUTCOMES[0])?.focus(); return }
    props.onSubmit({ outcome, kind, hasTreatingGp: htg })
  }

  return (
    <section class='rg-panel-card card' aria-labelledby='end-title'>
      <h2 id='end-title'>Fin d’appel sans réservation</h2>
      <form id='end-call-form' class='rg-form' noValidate onSubmit={submit}>
        <fieldset class={'rg-radios rg-radios-col' + (missing ? ' field-invalid' : '')} aria-describedby={missing ? 'end-outcome-error' : undefined}>
          <legend>Issue de l’appel</legend>
          {OUTCOMES.map((o) => (
            <label key={o} class='rg-radio'>
              <input type='radio' id={`end-outcome-${o}`} name='end-outcome' value={o} checked={outcome === o}
                onChange={() => { setOutcome(o); setMissing(false) }} />
              {CALL_OUTCOME_FR[o]}
            </label>
          ))}
          {missing && <small id='end-outcome-error' class='error' role='alert'>Choisissez l’issue de l’appel.</small>}
        </fieldset>
        <fieldset class='rg-radios'>
          <legend>Demande</legend>
          {(['snp', 'psy'] as const).map((k) => (
            <label key={k} class='rg-radio'>
              <input type='radio' name='end-kind' value={k} checked={kind === k} onChange={() => setKind(k)} />
              {KIND_LONG_FR[k]}
            </label>
          ))}
        </fieldset>
        <fieldset class='rg-radios'>
          <legend>A un médecin traitant ?</legend>
          {([['yes', 'Oui'], ['no', 'Non'], ['unknown', 'Ne sait pas']] as const).map(([v, label]) => (
            <label key={v} class='rg-radio'>
              <input type='radio' name='end-gp' value={v} checked={htg === v} onChange={() => setHtg(v)} />
              {label}
            </label>
          ))}
        </fieldset>
        <p class='rg-muted'>
          Commune du patient : {props.commune !== null ? `${props.commune.name} (${props.commune.postalCodes[0] ?? props.commune.departement})` : 'non renseignée'}
        </p>
        {props.error !== null && <p class='banner banner-error' role='alert'>{props.error}</p>}
        <div class='rg-form-actions'>
          <button type='submit' class='primary' disabled={props.busy}>
            {props.busy ? 'Enregistrement…' : 'Enregistrer l’appel'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
          </button>
          <button type='button' onClick={props.onClose}>Retour <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
        </div>
      </form>
    </section>
  )
}
