import { useState } from 'preact/hooks'
import { CreateUserBody, PROFESSIONS, type Cpts, type Profession, type Role, type User } from '../../shared/schemas/accounts.js'
import { api } from '../lib/api.js'
import { Field } from '../lib/ui.js'
import { formatDayTime } from '../lib/format.js'
import { AccountEditor } from './admin-account-edit.js'
import { a11y, Confirmation, FormError, issuesToErrors, NO_ERRORS, requestErrors, useFocusFirstInvalid, useFormRef, type FormErrors } from './admin-form.js'

/** Roles in the order the coordinator creates them most often. */
const ROLE_OPTIONS: ReadonlyArray<{ role: Role, label: string, hint: string }> = [
  { role: 'practitioner', label: 'Praticien', hint: 'Publie ses créneaux et voit les réservations de ses patients.' },
  { role: 'regulator', label: 'Régulateur', hint: 'Voit le tableau de régulation de toutes les CPTS, pose des options et réserve.' },
  { role: 'board', label: 'Bureau de la CPTS', hint: 'Consulte le bilan de saison, sans identité des patients.' },
  { role: 'admin', label: 'Coordination CPTS (admin)', hint: 'Gère les territoires, les comptes et l’import ; accède à tout.' }
]

export const ROLE_LABEL: Record<Role, string> = {
  practitioner: 'Praticien', regulator: 'Régulateur', board: 'Bureau de la CPTS', admin: 'Coordination CPTS'
}

export const PROFESSION_LABEL: Record<Profession, string> = { gp: 'Médecin généraliste', psychiatrist: 'Psychiatre' }

interface Values {
  email: string, name: string, password: string, role: Role, cptsId: string, otherCptsIds: string[],
  rpps: string, profession: Profession, address: string, postalCode: string, commune: string, phone: string,
  sasId: string
}

const EMPTY: Values = {
  email: '', name: '', password: '', role: 'practitioner', cptsId: '', otherCptsIds: [],
  rpps: '', profession: 'gp', address: '', postalCode: '', commune: '', phone: '',
  sasId: ''
}

/** Form value → field path of the API body (and of its zod issues). */
const PATH: Record<keyof Values, string> = {
  email: 'email', name: 'name', password: 'password', role: 'role', cptsId: 'cptsId', otherCptsIds: 'cptsIds',
  rpps: 'practitioner.rpps', profession: 'practitioner.profession', address: 'practitioner.address',
  postalCode: 'practitioner.postalCode', commune: 'practitioner.commune', phone: 'practitioner.phone',
  sasId: 'sasId'
}
const FIELDS = Object.values(PATH)
const TEXT_FIELDS: ReadonlyArray<Exclude<keyof Values, 'role' | 'profession' | 'otherCptsIds'>> = ['email', 'name', 'password', 'rpps', 'address', 'postalCode', 'commune', 'phone', 'sasId']

const idOf = (k: keyof Values): string => 'user-' + k

/** Who the CPTS column names for an account: a practitioner's every CPTS, the home one first. */
function cptsCell (u: User, names: Map<string, string>): string {
  if (u.cptsIds.length > 0) return u.cptsIds.map((id) => names.get(id) ?? '—').join(', ')
  if (u.cptsId !== null) return names.get(u.cptsId) ?? '—'
  return u.role === 'practitioner' ? '—' : 'Toutes les CPTS'
}

/** « + 2 lieux » after a practitioner's home commune when they have other places. */
function otherPlaces (u: User): string {
  const n = (u.practitioner?.places.length ?? 1) - 1
  return n <= 0 ? '' : ` + ${n} ${n === 1 ? 'lieu' : 'lieux'}`
}

/** Accounts: the table of every account, the panel that edits one, and the form that creates one. */
export function UsersSection (props: { users: User[] | null, cpts: Cpts[] | null, me: User | null, onCreated: (u: User) => void, onChanged: (u: User) => void }) {
  const [editing, setEditing] = useState<string | null>(null)
  const [v, setV] = useState<Values>(EMPTY)
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [created, setCreated] = useState<string | null>(null)
  const [showPassword, setShowPassword] = useState(false)
  const form = useFormRef()
  const focusFirstInvalid = useFocusFirstInvalid(form)

  const isPractitioner = v.role === 'practitioner'
  const isRegulator = v.role === 'regulator'
  const hasCpts = v.role === 'practitioner' || v.role === 'board'
  const cpts = props.cpts ?? []
  const names = new Map(cpts.map((c) => [c.id, c.name]))
  const err = (k: keyof Values): string | undefined => errors.fields[PATH[k]]

  /** Updates one value and forgets the error shown for that field: it is being corrected. */
  function set<K extends keyof Values> (k: K, value: Values[K]): void {
    setV((old) => ({ ...old, [k]: value }))
    if (errors.fields[PATH[k]] !== undefined) {
      const rest = { ...errors.fields }
      delete rest[PATH[k]]
      setErrors({ ...errors, fields: rest })
    }
  }

  function fail (found: FormErrors): void {
    setErrors(found)
    focusFirstInvalid()
  }

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    if (busy) return
    setDone(null)
    const body = {
      email: v.email,
      name: v.name,
      password: v.password,
      role: v.role,
      cptsId: hasCpts && v.cptsId !== '' ? v.cptsId : undefined,
      cptsIds: isPractitioner && v.otherCptsIds.length > 0 ? v.otherCptsIds.filter((c) => c !== v.cptsId) : undefined,
      practitioner: isPractitioner
        ? { rpps: v.rpps, profession: v.profession, address: v.address, postalCode: v.postalCode, commune: v.commune, phone: v.phone }
        : undefined,
      // Optional: left empty, the regulator's bookings are not sent to the SAS platform.
      sasId: isRegulator && v.sasId.trim() !== '' ? v.sasId : undefined
    }
    const typed: Record<string, string> = {}
    for (const k of TEXT_FIELDS) typed[PATH[k]] = v[k]
    const parsed = CreateUserBody.safeParse(body)
    if (!parsed.success) return fail(issuesToErrors(parsed.error.issues, typed, FIELDS))
    setBusy(true)
    try {
      const { user } = await api<{ user: User }>('POST', '/api/users', parsed.data)
      // Keep the role, handy when entering several accounts; the CPTS is chosen again each time.
      setV({ ...EMPTY, role: v.role })
      setErrors(NO_ERRORS)
      setShowPassword(false)
      setCreated(user.id)
      const scope = user.cptsId !== null ? `, ${names.get(user.cptsId) ?? ''}` : user.role === 'board' ? ', toutes les CPTS' : ''
      setDone(`Compte créé : ${user.name} (${user.email}) — ${ROLE_LABEL[user.role]}${scope}.`)
      props.onCreated(user)
    } catch (caught) {
      fail(requestErrors(caught, typed, FIELDS))
    } finally {
      setBusy(false)
    }
  }

  const editingUser = props.users?.find((u) => u.id === editing)
  const roleHint = ROLE_OPTIONS.find((r) => r.role === v.role)?.hint ?? ''

  return (
    <section aria-labelledby='comptes-title' id='comptes'>
      <h2 id='comptes-title'>Comptes</h2>
      {props.users === null
        ? <p aria-busy='true'>Chargement des comptes…</p>
        : (
          <div class='table-wrap' role='region' aria-labelledby='users-table-caption' tabIndex={0}>
            <table class='admin-users'>
              <caption id='users-table-caption' class='sr-only'>Comptes de l’instance ({props.users.length})</caption>
              <thead>
                <tr><th scope='col'>Nom</th><th scope='col'>E-mail</th><th scope='col'>Rôle</th><th scope='col'>CPTS</th><th scope='col'>RPPS / commune</th><th scope='col'>État</th><th scope='col'>Gestion</th></tr>
              </thead>
              <tbody>
                {props.users.map((u) => (
                  <tr key={u.id} class={[u.id === created ? 'row-new' : '', u.disabledAt !== undefined ? 'row-disabled' : ''].join(' ').trim() || undefined}>
                    <td>{u.name}</td>
                    <td class='nowrap'>{u.email}</td>
                    <td>{ROLE_LABEL[u.role]}{u.practitioner !== undefined && <><br /><small>{PROFESSION_LABEL[u.practitioner.profession]}</small></>}</td>
                    <td>{cptsCell(u, names)}</td>
                    <td>
                      {u.practitioner !== undefined
                        ? <><span class='nowrap'>{u.practitioner.rpps}</span><br /><small>{u.practitioner.postalCode} {u.practitioner.commune}{otherPlaces(u)}</small></>
                        : u.sasId !== undefined || u.idnps !== undefined
                          ? (
                            <small>
                              {u.idnps !== undefined && <>IDNPS : <span class='nowrap'>{u.idnps}</span></>}
                              {u.idnps !== undefined && u.sasId !== undefined && <br />}
                              {u.sasId !== undefined && <>Identifiant SAS : <span class='nowrap'>{u.sasId}</span></>}
                            </small>
                            )
                          : '—'}
                    </td>
                    <td>{u.disabledAt === undefined ? 'Actif' : <>Désactivé<br /><small>le {formatDayTime(u.disabledAt, 'Europe/Paris')}</small></>}</td>
                    <td>
                      <button type='button' id={'edit-' + u.id} aria-expanded={editing === u.id} aria-controls={editing === u.id ? 'account-editor' : undefined}
                        aria-label={`Gérer le compte de ${u.name}`} onClick={() => setEditing(editing === u.id ? null : u.id)}>Gérer</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      {editingUser !== undefined && (
        <div id='account-editor'>
          <AccountEditor key={editingUser.id} user={editingUser} me={props.me} cpts={cpts} onChanged={props.onChanged}
            onClose={() => { setEditing(null); document.getElementById('edit-' + editingUser.id)?.focus() }} />
        </div>
      )}

      <form ref={form} class='card admin-form' onSubmit={(e) => { void submit(e) }} noValidate aria-labelledby='user-form-title'>
        <h3 id='user-form-title'>Nouveau compte</h3>
        <div class='grid-2'>
          <Field id={idOf('role')} label='Rôle' error={err('role')} hint={roleHint}>
            <select {...a11y(idOf('role'), err('role'), true)} name='role' value={v.role}
              onChange={(e) => set('role', e.currentTarget.value as Role)}>
              {ROLE_OPTIONS.map((r) => <option key={r.role} value={r.role}>{r.label}</option>)}
            </select>
          </Field>
          {hasCpts && (
            <Field id={idOf('cptsId')} label={isPractitioner ? 'CPTS' : 'CPTS (facultatif)'} error={err('cptsId')}
              hint={cpts.length === 0
                ? 'Aucune CPTS pour l’instant : créez-en une dans la section Territoires.'
                : isPractitioner ? 'Le territoire où le praticien publie ses créneaux.' : 'Vide : le bilan de toutes les CPTS.'}>
              <select {...a11y(idOf('cptsId'), err('cptsId'), true)} name='cptsId' value={v.cptsId} required={isPractitioner}
                onChange={(e) => set('cptsId', e.currentTarget.value)}>
                <option value=''>{isPractitioner ? 'Choisir une CPTS…' : 'Toutes les CPTS'}</option>
                {cpts.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </Field>
          )}
          {isPractitioner && cpts.length > 1 && (
            <fieldset class='admin-fieldset span-all' id={idOf('otherCptsIds')} aria-describedby={idOf('otherCptsIds') + '-hint'}>
              <legend>Autres CPTS (facultatif)</legend>
              <small id={idOf('otherCptsIds') + '-hint'} class='hint'>Les autres CPTS auxquelles le praticien propose aussi des créneaux.</small>
              {cpts.filter((c) => c.id !== v.cptsId).map((c) => (
                <label key={c.id} class='check-line'>
                  <input type='checkbox' name='cptsIds' value={c.id} checked={v.otherCptsIds.includes(c.id)}
                    onChange={(e) => set('otherCptsIds', e.currentTarget.checked ? [...v.otherCptsIds, c.id] : v.otherCptsIds.filter((x) => x !== c.id))} />
                  {c.name}
                </label>
              ))}
              {err('otherCptsIds') !== undefined && <small class='error' role='alert'>{err('otherCptsIds')}</small>}
            </fieldset>
          )}
          <Field id={idOf('name')} label='Nom' error={err('name')} hint={isPractitioner ? 'Tel qu’il apparaîtra aux régulateurs, ex. Dr Claire Martin.' : undefined}>
            <input {...a11y(idOf('name'), err('name'), isPractitioner)} name='name' type='text' autocomplete='off' maxLength={120} required
              value={v.name} onInput={(e) => set('name', e.currentTarget.value)} />
          </Field>
          <Field id={idOf('email')} label='Adresse e-mail' error={err('email')}>
            <input {...a11y(idOf('email'), err('email'))} name='email' type='email' autocomplete='off' spellcheck={false} maxLength={254} required
              value={v.email} onInput={(e) => set('email', e.currentTarget.value)} />
          </Field>
          <Field id={idOf('password')} label='Mot de passe initial' error={err('password')} hint='Au moins 10 caractères, à transmettre à la personne par un canal sûr.'>
            <div class='input-with-button'>
              <input {...a11y(idOf('password'), err('password'), true)} name='password' type={showPassword ? 'text' : 'password'}
                autocomplete='new-password' spellcheck={false} maxLength={200} required
                value={v.password} onInput={(e) => set('password', e.currentTarget.value)} />
              <button type='button' aria-pressed={showPassword} aria-controls={idOf('password')}
                onClick={() => setShowPassword((s) => !s)}>{showPassword ? 'Masquer' : 'Afficher'}</button>
            </div>
          </Field>
          {isRegulator && (
            <Field id={idOf('sasId')} label='Identifiant SAS (INT_R02)' error={err('sasId')}
              hint='Facultatif : l’identifiant que la plateforme SAS a attribué à ce régulateur. Sans lui, ses réservations ne sont pas transmises au SAS.'>
              <input {...a11y(idOf('sasId'), err('sasId'), true)} name='sasId' type='text' autocomplete='off' spellcheck={false} maxLength={64}
                value={v.sasId} onInput={(e) => set('sasId', e.currentTarget.value)} />
            </Field>
          )}
        </div>

        {isPractitioner && (
          <fieldset class='admin-fieldset'>
            <legend>Profil du praticien</legend>
            <div class='grid-2'>
              <Field id={idOf('rpps')} label='Numéro RPPS' error={err('rpps')} hint='11 chiffres.'>
                <input {...a11y(idOf('rpps'), err('rpps'), true)} name='rpps' type='text' inputMode='numeric' autocomplete='off' maxLength={11} required
                  value={v.rpps} onInput={(e) => set('rpps', e.currentTarget.value)} />
              </Field>
              <Field id={idOf('profession')} label='Profession' error={err('profession')}>
                <select {...a11y(idOf('profession'), err('profession'))} name='profession' value={v.profession}
                  onChange={(e) => set('profession', e.currentTarget.value as Profession)}>
                  {PROFESSIONS.map((p) => <option key={p} value={p}>{PROFESSION_LABEL[p]}</option>)}
                </select>
              </Field>
              <div class='span-all'>
                <Field id={idOf('address')} label='Adresse du cabinet' error={err('address')} hint='Numéro et rue, ex. 12 rue de la Plage.'>
                  <input {...a11y(idOf('address'), err('address'), true)} name='address' type='text' autocomplete='off' maxLength={200} required
                    value={v.address} onInput={(e) => set('address', e.currentTarget.value)} />
                </Field>
              </div>
              <Field id={idOf('postalCode')} label='Code postal' error={err('postalCode')}>
                <input {...a11y(idOf('postalCode'), err('postalCode'))} name='postalCode' type='text' inputMode='numeric' autocomplete='off' maxLength={5} required
                  value={v.postalCode} onInput={(e) => set('postalCode', e.currentTarget.value)} />
              </Field>
              <Field id={idOf('commune')} label='Commune' error={err('commune')}>
                <input {...a11y(idOf('commune'), err('commune'))} name='commune' type='text' autocomplete='off' maxLength={100} required
                  value={v.commune} onInput={(e) => set('commune', e.currentTarget.value)} />
              </Field>
              <Field id={idOf('phone')} label='Téléphone du cabinet' error={err('phone')} hint='Ex. 02 51 58 00 00.'>
                <input {...a11y(idOf('phone'), err('phone'), true)} name='phone' type='tel' autocomplete='off' maxLength={20} required
                  value={v.phone} onInput={(e) => set('phone', e.currentTarget.value)} />
              </Field>
            </div>
          </fieldset>
        )}

        <FormError id='user-form-error' message={errors.form} />
        <div class='form-actions'>
          <button type='submit' class='primary' aria-disabled={busy}>{busy ? 'Création…' : 'Créer le compte'}</button>
        </div>
        <Confirmation message={done} />
      </form>
    </section>
  )
}
