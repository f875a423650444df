import { useEffect, useRef, useState } from 'preact/hooks'
import { UpdateUserBody, type Cpts, type PasswordResetLink, type User } from '../../shared/schemas/accounts.js'
import { api, ApiError } from '../lib/api.js'
import { formatDayTime } from '../lib/format.js'
import { agree, plural } from '../lib/french.js'
import { Field } from '../lib/ui.js'
import { MembershipsPanel, PlacesPanel } from './admin-places.js'
import { a11y, Confirmation, FormError, issuesToErrors, NO_ERRORS, requestErrors, useFocusFirstInvalid, useFormRef, type FormErrors } from './admin-form.js'

const ZONE = 'Europe/Paris'

// A practitioner's address, IdNat_Struct and CPTS are their places' and memberships' (admin-places.tsx).
interface Values { name: string, email: string, cptsId: string, sasId: string, idnps: string, rpps: string, phone: string }

const PATH: Record<keyof Values, string> = {
  name: 'name', email: 'email', cptsId: 'cptsId', sasId: 'sasId', idnps: 'idnps', rpps: 'practitioner.rpps', phone: 'practitioner.phone'
}
const FIELDS = Object.values(PATH)

function valuesOf (u: User): Values {
  const p = u.practitioner
  return {
    name: u.name, email: u.email, cptsId: u.cptsId ?? '', sasId: u.sasId ?? '', idnps: u.idnps ?? '',
    rpps: p?.rpps ?? '', phone: p?.phone ?? ''
  }
}

/** Whose IDNPS the admin sets here: a regulator's or a board account's (a practitioner's is 8 + their RPPS). */
const hasOwnIdnps = (u: User): boolean => u.role === 'regulator' || u.role === 'board'

/** The PATCH body: only what differs from the account as loaded, and only its role's fields. */
function changes (u: User, v: Values): Record<string, unknown> {
  const old = valuesOf(u)
  const body: Record<string, unknown> = {}
  if (v.name !== old.name) body.name = v.name
  if (v.email !== old.email) body.email = v.email
  if (u.role === 'board' && v.cptsId !== old.cptsId) body.cptsId = v.cptsId === '' ? null : v.cptsId
  if (u.role === 'regulator' && v.sasId.trim() !== old.sasId) body.sasId = v.sasId.trim() === '' ? null : v.sasId
  if (hasOwnIdnps(u) && v.idnps.trim() !== old.idnps) body.idnps = v.idnps.trim() === '' ? null : v.idnps
  if (u.practitioner !== undefined) {
    const p: Record<string, string | null> = {}
    for (const k of ['rpps', 'phone'] as const) if (v[k] !== old[k]) p[k] = v[k]
    if (Object.keys(p).length > 0) body.practitioner = p
  }
  return body
}

/** What a practitioner's deactivation did to the slots still to come. */
export function slotsText (s: { withdrawn: number, kept: number }): string {
  const withdrawn = plural(s.withdrawn, 'créneau à venir retiré', 'créneaux à venir retirés')
  return s.kept === 0
    ? `${withdrawn}.`
    : `${withdrawn} ; ${plural(s.kept, 'créneau réservé conservé', 'créneaux réservés conservés')} : prévenez ${agree(s.kept, 'le patient', 'les patients')} ou annulez depuis la régulation.`
}

/** French for the refusals of deactivate / reactivate / password-reset (CANNOT_DEACTIVATE_SELF, LAST_ADMIN…: by code). */
function refusal (err: unknown): string {
  return err instanceof ApiError ? err.french : 'Serveur injoignable. Vérifiez la connexion puis réessayez.'
}

/**
 * The admin's panel for one account: edit its fields, give a one-time password-reset link
 * (shown here once), deactivate it (after a confirmation) or reactivate it.
 */
export function AccountEditor (props: { user: User, me: User | null, cpts: Cpts[], onChanged: (u: User) => void, onClose: () => void }) {
  const u = props.user
  const [v, setV] = useState<Values>(() => valuesOf(u))
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<string | null>(null)
  const [link, setLink] = useState<PasswordResetLink | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [access, setAccess] = useState<{ ok: boolean, text: string } | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  const form = useFormRef()
  const focusFirstInvalid = useFocusFirstInvalid(form)
  const isSelf = props.me?.id === u.id
  const err = (k: keyof Values): string | undefined => errors.fields[PATH[k]]
  const id = (k: string): string => 'edit-' + k

  const confirmButton = useRef<HTMLButtonElement>(null)
  useEffect(() => { heading.current?.focus() }, [u.id])
  useEffect(() => { if (confirming) confirmButton.current?.focus() }, [confirming])

  function set (k: keyof Values, value: string): void {
    setV((old) => ({ ...old, [k]: value }))
    setSaved(null)
  }

  function fail (found: FormErrors): void {
    setErrors(found)
    focusFirstInvalid()
  }

  async function save (e: Event): Promise<void> {
    e.preventDefault()
    if (busy) return
    const body = changes(u, v)
    const typed: Record<string, string> = {}
    for (const k of Object.keys(PATH) as Array<keyof Values>) typed[PATH[k]] = v[k]
    if (Object.keys(body).length === 0) {
      setErrors(NO_ERRORS)
      setSaved('Aucune modification à enregistrer.')
      return
    }
    const parsed = UpdateUserBody.safeParse(body)
    if (!parsed.success) return fail(issuesToErrors(parsed.error.issues, typed, FIELDS))
    setBusy(true)
    try {
      const { user } = await api<{ user: User }>('PATCH', `/api/users/${u.id}`, parsed.data)
      setErrors(NO_ERRORS)
      setSaved(`Modifications enregistrées pour ${user.name}.`)
      props.onChanged(user)
    } catch (caught) {
      fail(requestErrors(caught, typed, FIELDS))
    } finally {
      setBusy(false)
    }
  }

  async function act (what: 'deactivate' | 'reactivate' | 'password-reset'): Promise<void> {
    if (busy) return
    setBusy(true)
    setAccess(null)
    try {
      if (what === 'password-reset') {
        setLink(await api<PasswordResetLink>('POST', `/api/users/${u.id}/password-reset`))
      } else {
        const { user, slots } = await api<{ user: User, slots?: { withdrawn: number, kept: number } }>('POST', `/api/users/${u.id}/${what}`)
        setConfirming(false)
        setLink(null)
        setAccess({
          ok: true,
          text: what === 'deactivate'
            ? `Compte de ${user.name} désactivé : ses sessions, ses jetons d’API et ses pages ouvertes ont pris fin.${slots === undefined ? '' : ' ' + slotsText(slots)}`
            : `Compte de ${user.name} réactivé : la personne peut se connecter avec son mot de passe.`
        })
        props.onChanged(user)
        heading.current?.focus()
      }
    } catch (caught) {
      setConfirming(false)
      setAccess({ ok: false, text: refusal(caught) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class='card admin-form account-editor' aria-labelledby='edit-title'>
      <h3 id='edit-title' ref={heading} tabIndex={-1}>Compte de {u.name}</h3>
      <form ref={form} onSubmit={(e) => { void save(e) }} noValidate aria-label={`Modifier le compte de ${u.name}`}>
        <div class='grid-2'>
          <Field id={id('name')} label='Nom' error={err('name')}>
            <input {...a11y(id('name'), err('name'))} type='text' autocomplete='off' maxLength={120} required value={v.name} onInput={(e) => set('name', e.currentTarget.value)} />
          </Field>
          <Field id={id('email')} label='Adresse e-mail' error={err('email')}>
            <input {...a11y(id('email'), err('email'))} type='email' autocomplete='off' spellcheck={false} maxLength={254} required value={v.email} onInput={(e) => set('email', e.currentTarget.value)} />
          </Field>
          {u.role === 'board' && (
            <Field id={id('cptsId')} label='CPTS (facultatif)' error={err('cptsId')}>
              <select {...a11y(id('cptsId'), err('cptsId'))} value={v.cptsId} onChange={(e) => set('cptsId', e.currentTarget.value)}>
                <option value=''>Toutes les CPTS</option>
                {props.cpts.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </Field>
          )}
          {u.role === 'regulator' && (
            <Field id={id('sasId')} label='Identifiant SAS (INT_R02)' error={err('sasId')} hint='Vide : ses réservations ne sont pas transmises au SAS.'>
              <input {...a11y(id('sasId'), err('sasId'), true)} type='text' autocomplete='off' spellcheck={false} maxLength={64} value={v.sasId} onInput={(e) => set('sasId', e.currentTarget.value)} />
            </Field>
          )}
          {hasOwnIdnps(u) && (
            <Field id={id('idnps')} label='Identifiant national (IDNPS)' error={err('idnps')}
              hint='Celui de la carte CPS ou e-CPS : 8 + RPPS, ou 0 + ADELI. Pro Santé Connect et la plateforme SAS retrouvent le compte par lui. Vide : pas de connexion par Pro Santé Connect.'>
              <input {...a11y(id('idnps'), err('idnps'), true)} type='text' autocomplete='off' spellcheck={false} maxLength={64} value={v.idnps} onInput={(e) => set('idnps', e.currentTarget.value)} />
            </Field>
          )}
          {u.practitioner !== undefined && (
            <>
              <Field id={id('rpps')} label='Numéro RPPS' error={err('rpps')}>
                <input {...a11y(id('rpps'), err('rpps'))} type='text' inputMode='numeric' autocomplete='off' maxLength={11} required value={v.rpps} onInput={(e) => set('rpps', e.currentTarget.value)} />
              </Field>
              <Field id={id('phone')} label='Téléphone du praticien' error={err('phone')} hint='Celui de chaque lieu qui n’a pas le sien.'>
                <input {...a11y(id('phone'), err('phone'), true)} type='tel' autocomplete='off' maxLength={20} required value={v.phone} onInput={(e) => set('phone', e.currentTarget.value)} />
              </Field>
            </>
          )}
        </div>
        <FormError id='edit-form-error' message={errors.form} />
        <div class='form-actions'>
          <button type='submit' class='primary' aria-disabled={busy}>Enregistrer</button>
          <button type='button' onClick={props.onClose}>Fermer</button>
        </div>
        <Confirmation message={saved} />
      </form>

      {u.practitioner !== undefined && (
        <>
          <PlacesPanel user={u} onChanged={props.onChanged} />
          <MembershipsPanel user={u} cpts={props.cpts} onChanged={props.onChanged} />
        </>
      )}

      <h4>Mot de passe</h4>
      {u.disabledAt === undefined && (
        <div class='form-actions'>
          <button type='button' aria-disabled={busy} onClick={() => { void act('password-reset') }}>Créer un lien de réinitialisation</button>
        </div>
      )}
      {link !== null && (
        <Field id={id('reset-link')} label='Lien de réinitialisation (affiché une seule fois)'
          hint={`Valable une seule fois, jusqu’au ${formatDayTime(link.expiresAt, ZONE)}. Transmettez-le à la personne par un canal sûr ; un nouveau lien remplace celui-ci.`}>
          <input id={id('reset-link')} aria-describedby={id('reset-link') + '-hint'} type='text' readOnly value={link.url}
            onFocus={(e) => e.currentTarget.select()} />
        </Field>
      )}

      <h4>Accès</h4>
      {u.disabledAt !== undefined
        ? (
          <>
            <p>Compte désactivé depuis le {formatDayTime(u.disabledAt, ZONE)} : la personne ne peut plus se connecter.</p>
            <div class='form-actions'><button type='button' aria-disabled={busy} onClick={() => { void act('reactivate') }}>Réactiver le compte</button></div>
          </>
          )
        : isSelf
          ? <p>Vous ne pouvez pas désactiver votre propre compte.</p>
          : confirming
            ? (
              <div class='banner banner-warn'>
                <p>Désactiver le compte de {u.name} ? La personne est déconnectée immédiatement (pages ouvertes comprises), ses jetons d’API sont révoqués et elle ne peut plus se connecter.</p>
                <div class='form-actions'>
                  <button type='button' class='primary danger' aria-disabled={busy} onClick={() => { void act('deactivate') }} ref={confirmButton}>Confirmer la désactivation</button>
                  <button type='button' onClick={() => setConfirming(false)}>Annuler</button>
                </div>
              </div>
              )
            : <div class='form-actions'><button type='button' onClick={() => setConfirming(true)}>Désactiver le compte…</button></div>}
      <div role='status' class='admin-status'>
        {access !== null && <p class={'banner ' + (access.ok ? 'banner-ok' : 'banner-error')}>{access.text}</p>}
      </div>
    </section>
  )
}
