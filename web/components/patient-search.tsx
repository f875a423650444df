/**
 * The search form of /admin/patients: one patient by last name and birth date (and the first
 * name, to tell twins apart), checked here before anything is sent.
 */
import { useState } from 'preact/hooks'
import type { PatientLookup } from '../../shared/schemas/patients.js'
import { described } from '../lib/aria.js'
import { parseFrenchDate, todayIn, DEFAULT_ZONE } from '../lib/format.js'
import { Field } from '../lib/ui.js'
import { isDate } from './date-input.js'

type Errors = { lastName?: string, birthDate?: string }

function check (lastName: string, birthDate: string): Errors {
  const e: Errors = {}
  if (lastName.trim() === '') e.lastName = 'Indiquez le nom du patient.'
  const valid = isDate(birthDate)
  if (birthDate === '') e.birthDate = 'Indiquez la date de naissance du patient.'
  else if (!valid || birthDate < '1900-01-01' || birthDate > todayIn(DEFAULT_ZONE)) e.birthDate = 'Date de naissance invalide : JJ/MM/AAAA, entre 1900 et aujourd’hui (ex. 02/01/1980).'
  return e
}

export function PatientSearchForm (props: { busy: boolean, onSearch: (key: PatientLookup) => void }) {
  const [lastName, setLastName] = useState('')
  const [firstName, setFirstName] = useState('')
  const [birth, setBirth] = useState('')
  const [errors, setErrors] = useState<Errors>({})

  function submit (e: Event): void {
    e.preventDefault()
    if (props.busy) return
    const birthDate = parseFrenchDate(birth)
    const found = check(lastName, birthDate)
    setErrors(found)
    if (found.lastName !== undefined) { document.getElementById('pt-lastName')?.focus(); return }
    if (found.birthDate !== undefined) { document.getElementById('pt-birthDate')?.focus(); return }
    props.onSearch({ lastName: lastName.trim(), birthDate, ...(firstName.trim() !== '' ? { firstName: firstName.trim() } : {}) })
  }

  return (
    <form class='card admin-form pt-search' aria-labelledby='pt-search-title' noValidate onSubmit={submit}>
      <h2 id='pt-search-title'>Rechercher un patient</h2>
      <div class='grid-2'>
        <Field id='pt-lastName' label='Nom' error={errors.lastName} hint='Majuscules, accents et traits d’union ignorés.'>
          <input {...described('pt-lastName', errors.lastName, true)} type='text' autocomplete='off' spellcheck={false} maxLength={100} required
            value={lastName} onInput={(e) => { setLastName(e.currentTarget.value); setErrors((o) => ({ ...o, lastName: undefined })) }} />
        </Field>
        <Field id='pt-firstName' label='Prénom (facultatif)' hint='Pour distinguer deux patients de même nom et même date de naissance.'>
          <input {...described('pt-firstName', undefined, true)} type='text' autocomplete='off' spellcheck={false} maxLength={100}
            value={firstName} onInput={(e) => setFirstName(e.currentTarget.value)} />
        </Field>
        <Field id='pt-birthDate' label='Date de naissance' error={errors.birthDate} hint='JJ/MM/AAAA, ex. 02/01/1980.'>
          <input {...described('pt-birthDate', errors.birthDate, true)} type='text' inputMode='numeric' autocomplete='off' maxLength={10} required
            value={birth} onInput={(e) => { setBirth(e.currentTarget.value); setErrors((o) => ({ ...o, birthDate: undefined })) }} />
        </Field>
      </div>
      <div class='form-actions'>
        <button type='submit' class='primary' aria-disabled={props.busy}>{props.busy ? 'Recherche…' : 'Rechercher'}</button>
      </div>
    </form>
  )
}
