import { render } from 'preact'
import { useState } from 'preact/hooks'
import { HOME_PAGE } from '../../shared/pages.js'
import type { User } from '../../shared/schemas/accounts.js'
import { LIVE_CLOSE, liveCloseMessage } from '../../shared/schemas/live.js'
import { PasswordResetForm, resetTokenOf } from '../components/password-reset-form.js'
import { frenchMessage } from '../../shared/errors.js'
import { api, ApiError } from '../lib/api.js'
import { SAS_NUMBER } from '../lib/format.js'
import { Field, RefusalBanner } from '../lib/ui.js'

/** Only a path of this site may follow sign-in (no open redirect through `?suite=`). */
function isSameOrigin (path: string): boolean {
  try {
    return path.startsWith('/') && new URL(path, location.origin).origin === location.origin
  } catch {
    return false
  }
}

/** Whether the server offers Pro Santé Connect (it says so on the page's root element). */
const PSC_ON = document.getElementById('app')?.dataset.psc === 'on'

/** « Se connecter avec Pro Santé Connect », after PSC's own button; it keeps `?suite=`. */
function PscButton () {
  const next = new URLSearchParams(location.search).get('suite')
  const href = '/connexion/psc' + (next !== null && isSameOrigin(next) ? `?suite=${encodeURIComponent(next)}` : '')
  return (
    <div class='psc'>
      <a class='psc-button' href={href}>
        <img src='/assets/psc-logo.svg' alt='' />
        <span>Se connecter avec <b>Pro Santé Connect</b></span>
      </a>
      <a class='psc-about' href='https://industriels.esante.gouv.fr/produits-et-services/pro-sante-connect' target='_blank' rel='noopener noreferrer'>
        Qu’est-ce que Pro Santé Connect ?
      </a>
    </div>
  )
}

/** A refusal of Pro Santé Connect (`?psc=<code>`, from its callback), in French. */
function PscRefusal () {
  const [code] = useState(() => new URLSearchParams(location.search).get('psc'))
  if (code === null || !code.startsWith('PSC_')) return null
  return <p class='banner banner-error' role='alert'>{frenchMessage(code)}</p>
}

function SignIn () {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<{ email?: string, password?: string, form?: string }>({})
  const [busy, setBusy] = useState(false)
  // A one-time link from the admin (`/connexion#reinitialisation=…`): choose a password first.
  const [resetToken, setResetToken] = useState(() => resetTokenOf(location.hash))
  const [resetDone, setResetDone] = useState(false)

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    const found: typeof errors = {}
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) found.email = 'Saisissez votre adresse e-mail.'
    if (password === '') found.password = 'Saisissez votre mot de passe.'
    setErrors(found)
    if (Object.keys(found).length > 0) return
    setBusy(true)
    try {
      const { user } = await api<{ user: User }>('POST', '/api/session', { email, password })
      const next = new URLSearchParams(location.search).get('suite')
      location.assign(next !== null && isSameOrigin(next) ? next : HOME_PAGE[user.role])
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'INTERNAL'
      setErrors(code === 'UNAUTHENTICATED'
        ? { password: 'E-mail inconnu ou mot de passe incorrect.' }
        : { form: err instanceof ApiError ? err.french : 'Serveur injoignable. Réessayez.' })
      setBusy(false)
    }
  }

  return (
    <main id='main' class='signin'>
      <h1>Créneaux</h1>
      <p class='lead'>Créneaux de soins non programmés partagés par la CPTS et la régulation {SAS_NUMBER}.</p>
      <RefusalBanner />
      {new URLSearchParams(location.search).get('fin') === 'session' &&
        <p class='banner banner-warn' role='alert'>{liveCloseMessage(LIVE_CLOSE.credentialEnded)}</p>}
      {resetDone && <p class='banner banner-ok' role='status'>Mot de passe enregistré : connectez-vous avec le nouveau.</p>}
      {resetToken !== null
        ? <PasswordResetForm token={resetToken} onDone={() => { setResetToken(null); setResetDone(true) }} />
        : (
      <>
      <PscRefusal />
      {PSC_ON && <PscButton />}
      {PSC_ON && <p class='psc-or'>ou avec votre mot de passe Créneaux</p>}
      <form onSubmit={(e) => { void submit(e) }} noValidate aria-describedby={errors.form !== undefined ? 'form-error' : undefined}>
        <Field id='email' label='Adresse e-mail' error={errors.email}>
          <input id='email' name='email' type='email' autocomplete='username' required value={email}
            aria-invalid={errors.email !== undefined} aria-describedby={errors.email !== undefined ? 'email-error' : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)} autoFocus />
        </Field>
        <Field id='password' label='Mot de passe' error={errors.password}>
          <input id='password' name='password' type='password' autocomplete='current-password' required value={password}
            aria-invalid={errors.password !== undefined} aria-describedby={errors.password !== undefined ? 'password-error' : undefined}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        {errors.form !== undefined && <p id='form-error' class='error' role='alert'>{errors.form}</p>}
        <button type='submit' class='primary' disabled={busy}>{busy ? 'Connexion…' : 'Se connecter'}</button>
      </form>
      </>
          )}
    </main>
  )
}

render(<SignIn />, document.getElementById('app')!)
