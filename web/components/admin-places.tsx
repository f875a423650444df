import { useEffect, useRef, useState } from 'preact/hooks'
import type { Cpts, User } from '../../shared/schemas/accounts.js'
import { CreatePlaceBody, MembershipsBody, UpdatePlaceBody, type Place } from '../../shared/schemas/places.js'
import { api, ApiError } from '../lib/api.js'
import { Field } from '../lib/ui.js'
import { a11y, Confirmation, FormError, issuesToErrors, NO_ERRORS, requestErrors, useFocusFirstInvalid, useFormRef, type FormErrors } from './admin-form.js'

interface Values { label: string, address: string, postalCode: string, commune: string, structureId: string, phone: string, home: boolean }
type TextKey = Exclude<keyof Values, 'home'>

const EMPTY: Values = { label: '', address: '', postalCode: '', commune: '', structureId: '', phone: '', home: false }
const TEXT_KEYS: readonly TextKey[] = ['label', 'address', 'postalCode', 'commune', 'structureId', 'phone']
const FIELDS: readonly string[] = TEXT_KEYS

const valuesOf = (p: Place): Values => ({
  label: p.label, address: p.address, postalCode: p.postalCode, commune: p.commune, structureId: p.structureId ?? '', phone: p.phone ?? '', home: p.home
})

/** The body of a new place: the optional fields left empty are not sent. */
function createBody (v: Values): Record<string, unknown> {
  const body: Record<string, unknown> = { address: v.address, postalCode: v.postalCode, commune: v.commune }
  if (v.label.trim() !== '') body.label = v.label
  if (v.structureId.trim() !== '') body.structureId = v.structureId.trim()
  if (v.phone.trim() !== '') body.phone = v.phone
  if (v.home) body.home = true
  return body
}

/** The PATCH body of a place: only what differs; an optional field emptied is removed (null). */
function updateBody (p: Place, v: Values): Record<string, unknown> {
  const old = valuesOf(p)
  const body: Record<string, unknown> = {}
  for (const k of ['label', 'address', 'postalCode', 'commune'] as const) if (v[k] !== old[k]) body[k] = v[k]
  if (v.structureId.trim() !== old.structureId) body.structureId = v.structureId.trim() === '' ? null : v.structureId.trim()
  if (v.phone.trim() !== old.phone) body.phone = v.phone.trim() === '' ? null : v.phone
  return body
}

/** The account with these places: its address fields follow the home place. */
function withPlaces (u: User, places: Place[]): User {
  if (u.practitioner === undefined) return u
  const home = places.find((p) => p.home)
  const practitioner = { ...u.practitioner, places }
  if (home !== undefined) {
    Object.assign(practitioner, { address: home.address, postalCode: home.postalCode, commune: home.commune, communeCode: home.communeCode })
    if (home.structureId === null) delete practitioner.structureId
    else practitioner.structureId = home.structureId
  }
  return { ...u, practitioner }
}

const failed = (err: unknown): string => err instanceof ApiError ? err.french : 'Serveur injoignable. Vérifiez la connexion puis réessayez.'

/**
 * A practitioner's places of consultation in the admin's account panel: each with its address,
 * IdNat_Struct and phone; add one, edit it, make it the home place (« lieu principal »), archive
 * it (not the home place, nor one with slots still to come: the server says so).
 */
export function PlacesPanel (props: { user: User, onChanged: (u: User) => void }) {
  const u = props.user
  const places = u.practitioner?.places ?? []
  const [editing, setEditing] = useState<string | null>(null)
  const [v, setV] = useState<Values>(EMPTY)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<{ ok: boolean, text: string } | null>(null)
  const [archiving, setArchiving] = useState<string | null>(null)
  const form = useFormRef()
  const focusFirstInvalid = useFocusFirstInvalid(form)
  const formTitle = useRef<HTMLHeadingElement>(null)
  const confirmButton = useRef<HTMLButtonElement>(null)
  const id = (k: string): string => 'place-' + k
  const err = (k: TextKey): string | undefined => errors.fields[k]
  const editedPlace = places.find((p) => p.id === editing)

  useEffect(() => { if (editing !== null) formTitle.current?.focus() }, [editing])
  useEffect(() => { if (archiving !== null) confirmButton.current?.focus() }, [archiving])

  function set<K extends keyof Values> (k: K, value: Values[K]): void {
    setV((old) => ({ ...old, [k]: value }))
  }

  function open (place: Place | null): void {
    setEditing(place === null ? 'new' : place.id)
    setV(place === null ? EMPTY : valuesOf(place))
    setErrors(NO_ERRORS)
    setStatus(null)
    setArchiving(null)
  }

  function close (): void {
    const back = editing === 'new' ? id('add') : id('edit-' + (editing ?? ''))
    setEditing(null)
    setErrors(NO_ERRORS)
    requestAnimationFrame(() => document.getElementById(back)?.focus())
  }

  async function refresh (text: string): Promise<void> {
    const { places: now } = await api<{ places: Place[] }>('GET', `/api/users/${u.id}/places`)
    props.onChanged(withPlaces(u, now))
    setStatus({ ok: true, text })
  }

  async function save (e: Event): Promise<void> {
    e.preventDefault()
    if (busy || editing === null) return
    const typed: Record<string, string> = {}
    for (const k of TEXT_KEYS) typed[k] = v[k]
    const isNew = editing === 'new'
    const raw = isNew ? createBody(v) : updateBody(editedPlace!, v)
    if (!isNew && Object.keys(raw).length === 0) {
      setStatus({ ok: true, text: 'Aucune modification à enregistrer.' })
      return
    }
    const parsed = isNew ? CreatePlaceBody.safeParse(raw) : UpdatePlaceBody.safeParse(raw)
    if (!parsed.success) {
      setErrors(issuesToErrors(parsed.error.issues, typed, FIELDS))
      focusFirstInvalid()
      return
    }
    setBusy(true)
    try {
      const { place } = isNew
        ? await api<{ place: Place }>('POST', `/api/users/${u.id}/places`, parsed.data)
        : await api<{ place: Place }>('PATCH', `/api/users/${u.id}/places/${editing}`, parsed.data)
      setErrors(NO_ERRORS)
      setEditing(null)
      await refresh(isNew ? `Lieu « ${place.label} » ajouté.` : `Lieu « ${place.label} » enregistré.`)
    } catch (caught) {
      setErrors(requestErrors(caught, typed, FIELDS))
      focusFirstInvalid()
    } finally {
      setBusy(false)
    }
  }

  async function act (place: Place, what: 'home' | 'archive'): Promise<void> {
    if (busy) return
    setBusy(true)
    setStatus(null)
    try {
      if (what === 'home') {
        await api('PATCH', `/api/users/${u.id}/places/${place.id}`, { home: true })
        await refresh(`« ${place.label} » est désormais le lieu principal.`)
      } else {
        await api('DELETE', `/api/users/${u.id}/places/${place.id}`)
        await refresh(`Lieu « ${place.label} » archivé.`)
      }
    } catch (caught) {
      setStatus({ ok: false, text: failed(caught) })
    } finally {
      setArchiving(null)
      setBusy(false)
    }
  }

  return (
    <div class='places-panel'>
      <h4 id='places-title'>Lieux de consultation</h4>
      <ul class='place-list' aria-labelledby='places-title'>
        {places.map((p) => (
          <li key={p.id} class='place-item'>
            <p>
              <strong>{p.label}</strong>{p.home && <span class='place-home'> — lieu principal</span>}<br />
              {p.address}, {p.postalCode} {p.commune}<br />
              <small>
                {p.structureId === null ? 'Identifiant de structure : non renseigné' : `Identifiant de structure : ${p.structureId}`}
                {' · '}
                {p.phone === null ? 'Téléphone : celui du praticien' : `Téléphone : ${p.phone}`}
              </small>
            </p>
            {archiving === p.id
              ? (
                <div class='banner banner-warn'>
                  <p>Archiver le lieu « {p.label} » ? Il ne sera plus proposé pour de nouveaux créneaux ; les créneaux passés le gardent.</p>
                  <div class='form-actions'>
                    <button type='button' class='primary danger' ref={confirmButton} aria-disabled={busy} onClick={() => { void act(p, 'archive') }}>Confirmer l’archivage</button>
                    <button type='button' onClick={() => setArchiving(null)}>Annuler</button>
                  </div>
                </div>
                )
              : (
                <div class='form-actions'>
                  <button type='button' id={id('edit-' + p.id)} aria-label={`Modifier le lieu ${p.label}`} onClick={() => open(p)}>Modifier</button>
                  {!p.home && <button type='button' aria-label={`Faire de ${p.label} le lieu principal`} aria-disabled={busy} onClick={() => { void act(p, 'home') }}>Lieu principal</button>}
                  {!p.home && <button type='button' aria-label={`Archiver le lieu ${p.label}`} onClick={() => { setStatus(null); setArchiving(p.id) }}>Archiver…</button>}
                </div>
                )}
          </li>
        ))}
      </ul>
      {editing === null && (
        <div class='form-actions'><button type='button' id={id('add')} onClick={() => open(null)}>Ajouter un lieu</button></div>
      )}
      {editing !== null && (
        <form ref={form} class='admin-fieldset place-form' onSubmit={(e) => { void save(e) }} noValidate aria-labelledby={id('form-title')}>
          <h5 id={id('form-title')} ref={formTitle} tabIndex={-1}>{editedPlace === undefined ? 'Nouveau lieu de consultation' : `Modifier le lieu « ${editedPlace.label} »`}</h5>
          <div class='grid-2'>
            <Field id={id('label')} label='Nom du lieu (facultatif)' error={err('label')} hint='Ex. Cabinet du port. Vide : le nom de la commune.'>
              <input {...a11y(id('label'), err('label'), true)} type='text' autocomplete='off' maxLength={80} value={v.label} onInput={(e) => set('label', e.currentTarget.value)} />
            </Field>
            <Field id={id('structureId')} label='Identifiant de la structure (facultatif)' error={err('structureId')} hint='1 + FINESS, 3 + SIRET ou 4 + RPPS rang du lieu : la plateforme SAS le lit.'>
              <input {...a11y(id('structureId'), err('structureId'), true)} type='text' inputMode='numeric' autocomplete='off' maxLength={15} value={v.structureId} onInput={(e) => set('structureId', e.currentTarget.value)} />
            </Field>
            <div class='span-all'>
              <Field id={id('address')} label='Adresse du lieu' error={err('address')} hint='Numéro et rue, ex. 12 rue de la Plage.'>
                <input {...a11y(id('address'), err('address'), true)} type='text' autocomplete='off' maxLength={200} required value={v.address} onInput={(e) => set('address', e.currentTarget.value)} />
              </Field>
            </div>
            <Field id={id('postalCode')} label='Code postal' error={err('postalCode')}>
              <input {...a11y(id('postalCode'), err('postalCode'))} type='text' inputMode='numeric' autocomplete='off' maxLength={5} required value={v.postalCode} onInput={(e) => set('postalCode', e.currentTarget.value)} />
            </Field>
            <Field id={id('commune')} label='Commune' error={err('commune')}>
              <input {...a11y(id('commune'), err('commune'))} type='text' autocomplete='off' maxLength={100} required value={v.commune} onInput={(e) => set('commune', e.currentTarget.value)} />
            </Field>
            <Field id={id('phone')} label='Téléphone du lieu (facultatif)' error={err('phone')} hint='Vide : le téléphone du praticien.'>
              <input {...a11y(id('phone'), err('phone'), true)} type='tel' autocomplete='off' maxLength={20} value={v.phone} onInput={(e) => set('phone', e.currentTarget.value)} />
            </Field>
          </div>
          {editedPlace === undefined && (
            <label class='check-line'>
              <input type='checkbox' checked={v.home} onChange={(e) => set('home', e.currentTarget.checked)} /> En faire le lieu principal
            </label>
          )}
          <FormError id={id('form-error')} message={errors.form} />
          <div class='form-actions'>
            <button type='submit' class='primary' aria-disabled={busy}>{editedPlace === undefined ? 'Ajouter le lieu' : 'Enregistrer le lieu'}</button>
            <button type='button' onClick={close}>Annuler</button>
          </div>
        </form>
      )}
      <div role='status' class='admin-status'>
        {status !== null && <p class={'banner ' + (status.ok ? 'banner-ok' : 'banner-error')}>{status.text}</p>}
      </div>
    </div>
  )
}

/**
 * The CPTS a practitioner is a member of (checkboxes) and their home CPTS (radio: their
 * session's, their calendar's, the import's default). Leaving a CPTS that slots still to come
 * are offered to is refused by the server, which the panel says in French.
 */
export function MembershipsPanel (props: { user: User, cpts: Cpts[], onChanged: (u: User) => void }) {
  const u = props.user
  const [checked, setChecked] = useState<string[]>(u.cptsIds)
  const [home, setHome] = useState<string>(u.cptsId ?? '')
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)

  function toggle (cptsId: string, on: boolean): void {
    const next = on ? [...checked, cptsId] : checked.filter((c) => c !== cptsId)
    setChecked(next)
    if (!next.includes(home)) setHome(next[0] ?? '')
    else if (home === '' && next.length > 0) setHome(next[0]!)
    setSaved(null)
  }

  async function save (e: Event): Promise<void> {
    e.preventDefault()
    if (busy) return
    setSaved(null)
    if (checked.length === 0) {
      setError('Cochez au moins une CPTS.')
      return
    }
    // Listed in the page's order, the home CPTS first.
    const cptsIds = props.cpts.map((c) => c.id).filter((c) => checked.includes(c)).sort((a, b) => Number(b === home) - Number(a === home))
    const parsed = MembershipsBody.safeParse({ cptsIds, homeCptsId: home })
    if (!parsed.success) {
      setError(issuesToErrors(parsed.error.issues, {}, []).form)
      return
    }
    setBusy(true)
    try {
      const { user } = await api<{ user: User }>('PUT', `/api/users/${u.id}/cpts`, parsed.data)
      setError(undefined)
      setSaved(`CPTS de ${user.name} enregistrées.`)
      props.onChanged(user)
    } catch (caught) {
      setError(requestErrors(caught, {}, []).form)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class='memberships-panel' onSubmit={(e) => { void save(e) }} noValidate aria-labelledby='memberships-title'>
      <h4 id='memberships-title'>CPTS du praticien</h4>
      <p class='hint'>Cochez chaque CPTS à laquelle le praticien propose des créneaux ; la CPTS principale est celle de son agenda et de l’import.</p>
      <div class='table-wrap'>
        <table class='memberships'>
          <caption class='sr-only'>CPTS dont le praticien est membre</caption>
          <thead><tr><th scope='col'>CPTS</th><th scope='col'>Membre</th><th scope='col'>Principale</th></tr></thead>
          <tbody>
            {props.cpts.map((c) => (
              <tr key={c.id}>
                <th scope='row'>{c.name}</th>
                <td>
                  <label class='check-cell'>
                    <input type='checkbox' checked={checked.includes(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
                    <span class='sr-only'>Membre de {c.name}</span>
                  </label>
                </td>
                <td>
                  <label class='check-cell'>
                    <input type='radio' name={`home-cpts-${u.id}`} checked={home === c.id} disabled={!checked.includes(c.id)} onChange={() => { setHome(c.id); setSaved(null) }} />
                    <span class='sr-only'>{c.name} : CPTS principale</span>
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FormError id='memberships-error' message={error} />
      <div class='form-actions'>
        <button type='submit' class='primary' aria-disabled={busy}>Enregistrer les CPTS</button>
      </div>
      <Confirmation message={saved} />
    </form>
  )
}
