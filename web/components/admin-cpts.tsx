import { useState } from 'preact/hooks'
import { CreateCptsBody, type Cpts } from '../../shared/schemas/accounts.js'
import { api } from '../lib/api.js'
import { Field } from '../lib/ui.js'
import { a11y, Confirmation, FormError, issuesToErrors, NO_ERRORS, requestErrors, useFocusFirstInvalid, useFormRef, type FormErrors } from './admin-form.js'

/** Time zones of the French territories: metropolitan France first, then overseas. */
export const TIME_ZONES: ReadonlyArray<{ zone: string, place: string }> = [
  { zone: 'Europe/Paris', place: 'France métropolitaine et Corse' },
  { zone: 'America/Guadeloupe', place: 'Guadeloupe' },
  { zone: 'America/Martinique', place: 'Martinique' },
  { zone: 'America/Cayenne', place: 'Guyane' },
  { zone: 'Indian/Reunion', place: 'La Réunion' },
  { zone: 'Indian/Mayotte', place: 'Mayotte' },
  { zone: 'America/Miquelon', place: 'Saint-Pierre-et-Miquelon' },
  { zone: 'America/St_Barthelemy', place: 'Saint-Barthélemy' },
  { zone: 'America/Marigot', place: 'Saint-Martin' },
  { zone: 'Pacific/Noumea', place: 'Nouvelle-Calédonie' },
  { zone: 'Pacific/Tahiti', place: 'Polynésie française (Tahiti)' },
  { zone: 'Pacific/Marquesas', place: 'Polynésie française (Marquises)' },
  { zone: 'Pacific/Gambier', place: 'Polynésie française (Gambier)' },
  { zone: 'Pacific/Wallis', place: 'Wallis-et-Futuna' }
]

export function timeZoneLabel (zone: string): string {
  const known = TIME_ZONES.find((t) => t.zone === zone)
  return known === undefined ? zone : `${known.place} (${zone})`
}

const FIELDS = ['name', 'timezone', 'finess', 'phone'] as const
const ID: Record<(typeof FIELDS)[number], string> = { name: 'cpts-name', timezone: 'cpts-timezone', finess: 'cpts-finess', phone: 'cpts-phone' }
const FINESS_INVALID = 'N° FINESS invalide : 9 chiffres.'
const PHONE_INVALID = 'Numéro invalide : un numéro français, par exemple 02 51 58 00 00.'

/** The FINESS and phone checks are ours (patterns): give them their own French sentences. */
function withFinessSentence (found: FormErrors): FormErrors {
  const fields = { ...found.fields }
  if (fields.finess !== undefined) fields.finess = FINESS_INVALID
  if (fields.phone !== undefined) fields.phone = PHONE_INVALID
  return { ...found, fields }
}

/** Territories: the table of CPTS and the form that creates one. */
export function CptsSection (props: { cpts: Cpts[] | null, onCreated: (c: Cpts) => void }) {
  const [name, setName] = useState('')
  const [timezone, setTimezone] = useState('Europe/Paris')
  const [finess, setFiness] = useState('')
  const [phone, setPhone] = useState('')
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [created, setCreated] = useState<string | null>(null)
  const form = useFormRef()
  const focusFirstInvalid = useFocusFirstInvalid(form)

  function fail (found: FormErrors): void {
    setErrors(found)
    focusFirstInvalid()
  }

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    if (busy) return
    setDone(null)
    const values = { name, timezone, finess, phone }
    const parsed = CreateCptsBody.safeParse({ name, timezone, ...(finess.trim() === '' ? {} : { finess }), ...(phone.trim() === '' ? {} : { phone }) })
    if (!parsed.success) return fail(withFinessSentence(issuesToErrors(parsed.error.issues, values, FIELDS)))
    const same = (props.cpts ?? []).find((c) => c.name.localeCompare(parsed.data.name, 'fr', { sensitivity: 'base' }) === 0)
    if (same !== undefined) return fail({ fields: { name: 'Une CPTS porte déjà ce nom.' } })
    setBusy(true)
    try {
      const cpts = await api<Cpts>('POST', '/api/cpts', parsed.data)
      setName('')
      setTimezone('Europe/Paris')
      setFiness('')
      setPhone('')
      setErrors(NO_ERRORS)
      setCreated(cpts.id)
      setDone(`CPTS créée : ${cpts.name}, ${timeZoneLabel(cpts.timezone)}.`)
      props.onCreated(cpts)
    } catch (err) {
      fail(withFinessSentence(requestErrors(err, values, FIELDS)))
    } finally {
      setBusy(false)
    }
  }

  const err = errors.fields
  return (
    <section aria-labelledby='territoires-title' id='territoires'>
      <h2 id='territoires-title'>Territoires (CPTS)</h2>
      {props.cpts === null
        ? <p aria-busy='true'>Chargement des CPTS…</p>
        : props.cpts.length === 0
          ? <p class='banner'>Aucune CPTS pour l’instant : créez la première avec le formulaire ci-dessous.</p>
          : (
            <div class='table-wrap' role='region' aria-labelledby='cpts-table-caption' tabIndex={0}>
              <table>
                <caption id='cpts-table-caption' class='sr-only'>CPTS de l’instance</caption>
                <thead><tr><th scope='col'>Nom</th><th scope='col'>Fuseau horaire</th><th scope='col'>N° FINESS</th><th scope='col'>Téléphone</th></tr></thead>
                <tbody>
                  {props.cpts.map((c) => (
                    <tr key={c.id} class={c.id === created ? 'row-new' : undefined}>
                      <td>{c.name}</td>
                      <td>{timeZoneLabel(c.timezone)}</td>
                      <td>{c.finess ?? '—'}</td>
                      <td>{c.phone ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            )}

      <form ref={form} class='card admin-form' onSubmit={(e) => { void submit(e) }} noValidate aria-labelledby='cpts-form-title'>
        <h3 id='cpts-form-title'>Nouvelle CPTS</h3>
        <div class='grid-2'>
          <Field id={ID.name} label='Nom de la CPTS' error={err.name}>
            <input {...a11y(ID.name, err.name)} name='name' type='text' autocomplete='off' maxLength={150} required value={name}
              onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field id={ID.timezone} label='Fuseau horaire' error={err.timezone} hint={`${timezone} : l’heure des créneaux de ce territoire.`}>
            <select {...a11y(ID.timezone, err.timezone, true)} name='timezone' value={timezone}
              onChange={(e) => setTimezone(e.currentTarget.value)}>
              {TIME_ZONES.map((t) => <option key={t.zone} value={t.zone}>{t.place}</option>)}
            </select>
          </Field>
          <Field id={ID.finess} label='N° FINESS (facultatif)' error={err.finess} hint='9 chiffres : la plateforme SAS propose alors aussi les créneaux à la CPTS.'>
            <input {...a11y(ID.finess, err.finess, true)} name='finess' type='text' inputMode='numeric' autocomplete='off' maxLength={9} value={finess}
              onInput={(e) => setFiness(e.currentTarget.value)} />
          </Field>
          <Field id={ID.phone} label='Téléphone de la CPTS (facultatif)' error={err.phone} hint='La plateforme SAS l’affiche avec la CPTS.'>
            <input {...a11y(ID.phone, err.phone, true)} name='phone' type='tel' autocomplete='off' maxLength={20} value={phone}
              onInput={(e) => setPhone(e.currentTarget.value)} />
          </Field>
        </div>
        <FormError id='cpts-form-error' message={errors.form} />
        <div class='form-actions'>
          <button type='submit' class='primary' aria-disabled={busy}>{busy ? 'Création…' : 'Créer la CPTS'}</button>
        </div>
        <Confirmation message={done} />
      </form>
    </section>
  )
}
